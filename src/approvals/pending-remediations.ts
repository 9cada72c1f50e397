import type { Redis } from 'ioredis';
import type { PendingRemediation } from '../jobs/queue-names.js';
import type { StateKeys } from '../state/keys.js';

export type PendingStatus = 'pending' | 'approved' | 'dismissed' | 'expired' | 'executing' | 'done' | 'failed';

export type ClaimOutcome =
  | { kind: 'approved'; approvals: number }
  | { kind: 'partial'; approvals: number; required: number }
  | { kind: 'already-approved-by-you'; approvals: number; required: number }
  | { kind: 'decided'; status: PendingStatus; by: string }
  | { kind: 'expired' }
  | { kind: 'missing' };

// Atomic: two clicks, or two replicas handling the same click, see one transition. Expiry is judged here too, so
// a click that races the deadline cannot slip through.
const CLAIM = `
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {'missing'} end
if status ~= 'pending' then return {'decided', status, redis.call('HGET', KEYS[1], 'decidedBy') or ''} end
if tonumber(ARGV[2]) > tonumber(redis.call('HGET', KEYS[1], 'expiresAtMs')) then
  redis.call('HSET', KEYS[1], 'status', 'expired')
  return {'expired'}
end
local required = tonumber(redis.call('HGET', KEYS[1], 'required'))
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then
  return {'mine', tostring(redis.call('SCARD', KEYS[2])), tostring(required)}
end
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('PEXPIREAT', KEYS[2], redis.call('PEXPIRETIME', KEYS[1]))
local n = redis.call('SCARD', KEYS[2])
if n >= required then
  redis.call('HSET', KEYS[1], 'status', 'approved', 'decidedBy', ARGV[1], 'decidedAtMs', ARGV[2], 'chosen', ARGV[3])
  return {'approved', tostring(n)}
end
return {'partial', tostring(n), tostring(required)}
`;

const DISMISS = `
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {'missing'} end
if status ~= 'pending' then return {'decided', status, redis.call('HGET', KEYS[1], 'decidedBy') or ''} end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'decidedBy', ARGV[1], 'decidedAtMs', ARGV[3])
return {'ok'}
`;

/** Compare-and-set of the status: only the one caller that sees `from` moves it to `to`. */
const TRANSITION = `
if redis.call('HGET', KEYS[1], 'status') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[2])
return 1
`;

/** How long a decided remediation stays readable (for late clicks and the thread's history). */
const KEEP_AFTER_EXPIRY_MS = 7 * 24 * 3600 * 1000;

export class PendingRemediations {
  constructor(
    private readonly redis: Redis,
    private readonly keys: StateKeys,
  ) {}

  async create(p: PendingRemediation): Promise<void> {
    const key = this.keys.pending(p.id);
    const expiresAtMs = Date.parse(p.expiresAt);
    await this.redis
      .multi()
      .hset(key, {
        record: JSON.stringify(p),
        status: 'pending',
        required: String(p.required),
        expiresAtMs: String(expiresAtMs),
      })
      .pexpireat(key, expiresAtMs + KEEP_AFTER_EXPIRY_MS)
      .exec();
  }

  async setMessageTs(id: string, ts: string): Promise<void> {
    const p = await this.get(id);
    if (!p) return;
    await this.redis.hset(this.keys.pending(id), 'record', JSON.stringify({ ...p, messageTs: ts }));
  }

  async get(id: string): Promise<PendingRemediation | undefined> {
    const raw = await this.redis.hget(this.keys.pending(id), 'record');
    return raw ? (JSON.parse(raw) as PendingRemediation) : undefined;
  }

  async state(id: string): Promise<{ status: PendingStatus; decidedBy?: string; chosen?: string; approvers: string[] } | undefined> {
    const [h, approvers] = await Promise.all([
      this.redis.hgetall(this.keys.pending(id)),
      this.redis.smembers(this.keys.pendingApprovals(id)),
    ]);
    if (!h.status) return undefined;
    return {
      status: h.status as PendingStatus,
      ...(h.decidedBy ? { decidedBy: h.decidedBy } : {}),
      ...(h.chosen ? { chosen: h.chosen } : {}),
      approvers,
    };
  }

  async claimApproval(id: string, userId: string, now = Date.now(), chosen = ''): Promise<ClaimOutcome> {
    const r = (await this.redis.eval(CLAIM, 2, this.keys.pending(id), this.keys.pendingApprovals(id), userId, String(now), chosen)) as string[];
    switch (r[0]) {
      case 'approved':
        return { kind: 'approved', approvals: Number(r[1]) };
      case 'partial':
        return { kind: 'partial', approvals: Number(r[1]), required: Number(r[2]) };
      case 'mine':
        return { kind: 'already-approved-by-you', approvals: Number(r[1]), required: Number(r[2]) };
      case 'decided':
        return { kind: 'decided', status: r[1] as PendingStatus, by: r[2] ?? '' };
      case 'expired':
        return { kind: 'expired' };
      default:
        return { kind: 'missing' };
    }
  }

  async dismiss(id: string, userId: string, as: 'dismissed' | 'expired' = 'dismissed', now = Date.now()): Promise<ClaimOutcome | { kind: 'ok' }> {
    const r = (await this.redis.eval(DISMISS, 1, this.keys.pending(id), userId, as, String(now))) as string[];
    if (r[0] === 'ok') return { kind: 'ok' };
    if (r[0] === 'decided') return { kind: 'decided', status: r[1] as PendingStatus, by: r[2] ?? '' };
    return { kind: 'missing' };
  }

  async transition(id: string, from: PendingStatus, to: PendingStatus): Promise<boolean> {
    return (await this.redis.eval(TRANSITION, 1, this.keys.pending(id), from, to)) === 1;
  }
}
