import type { Redis } from 'ioredis';
import type { PendingRemediation } from '../jobs/queue-names.js';
import type { StateKeys } from '../state/keys.js';

/** `partial`: ran, but only part of the plan landed (see RemediationOutcome.partial). */
export type PendingStatus = 'pending' | 'approved' | 'dismissed' | 'expired' | 'executing' | 'done' | 'partial' | 'failed';

export type ClaimOutcome =
  /** `chosen`: the first approver's pick, which is what runs; `round`: 1, then 2… if it was reopened. */
  | { kind: 'approved'; approvals: number; chosen?: string; round: number }
  | { kind: 'partial'; approvals: number; required: number; chosen?: string }
  | { kind: 'already-approved-by-you'; approvals: number; required: number }
  /** An earlier approver picked another value: approve with theirs, or dismiss. */
  | { kind: 'choice-conflict'; chosen: string; by: string }
  | { kind: 'decided'; status: PendingStatus; by: string }
  | { kind: 'expired' }
  | { kind: 'missing' };

// Atomic: two clicks, or two replicas handling the same click, see one transition. Expiry is judged here too, so
// a click that races the deadline cannot slip through. With several approvers, the first one's pick (a task
// count from the menu) is stored with their approval and is what runs; a later approval naming another value is
// refused rather than silently replacing it.
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
local chosen = redis.call('HGET', KEYS[1], 'chosen') or ''
if chosen ~= '' then
  if ARGV[3] ~= '' and ARGV[3] ~= chosen then
    return {'conflict', chosen, redis.call('HGET', KEYS[1], 'chosenBy') or ''}
  end
elseif ARGV[3] ~= '' then
  chosen = ARGV[3]
  redis.call('HSET', KEYS[1], 'chosen', chosen, 'chosenBy', ARGV[1])
end
redis.call('SADD', KEYS[2], ARGV[1])
-- PTTL rather than PEXPIRETIME (Redis 7 only): ElastiCache 6.x must work too.
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
local n = redis.call('SCARD', KEYS[2])
if n >= required then
  redis.call('HSET', KEYS[1], 'status', 'approved', 'decidedBy', ARGV[1], 'decidedAtMs', ARGV[2])
  local round = redis.call('HINCRBY', KEYS[1], 'round', 1)
  return {'approved', tostring(n), chosen, tostring(round)}
end
return {'partial', tostring(n), tostring(required), chosen}
`;

/**
 * Back to pending from `from` (an approved run that could not start: another remediation held the target). The
 * approvals and the pick are cleared: whoever approves it again decides afresh.
 */
const REOPEN = `
if redis.call('HGET', KEYS[1], 'status') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'status', 'pending')
redis.call('HDEL', KEYS[1], 'decidedBy', 'decidedAtMs', 'chosen', 'chosenBy')
redis.call('DEL', KEYS[2])
return 1
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

  async state(
    id: string,
  ): Promise<{ status: PendingStatus; decidedBy?: string; chosen?: string; chosenBy?: string; round: number; approvers: string[] } | undefined> {
    const [h, approvers] = await Promise.all([
      this.redis.hgetall(this.keys.pending(id)),
      this.redis.smembers(this.keys.pendingApprovals(id)),
    ]);
    if (!h.status) return undefined;
    return {
      status: h.status as PendingStatus,
      ...(h.decidedBy ? { decidedBy: h.decidedBy } : {}),
      ...(h.chosen ? { chosen: h.chosen } : {}),
      ...(h.chosenBy ? { chosenBy: h.chosenBy } : {}),
      round: Number(h.round ?? 0),
      approvers,
    };
  }

  async claimApproval(id: string, userId: string, now = Date.now(), chosen = ''): Promise<ClaimOutcome> {
    const r = (await this.redis.eval(CLAIM, 2, this.keys.pending(id), this.keys.pendingApprovals(id), userId, String(now), chosen)) as string[];
    switch (r[0]) {
      case 'approved':
        return { kind: 'approved', approvals: Number(r[1]), ...(r[2] ? { chosen: r[2] } : {}), round: Number(r[3]) };
      case 'partial':
        return { kind: 'partial', approvals: Number(r[1]), required: Number(r[2]), ...(r[3] ? { chosen: r[3] } : {}) };
      case 'conflict':
        return { kind: 'choice-conflict', chosen: r[1] ?? '', by: r[2] ?? '' };
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

  /** `from` → pending, approvals and pick cleared, so it can be approved again before it expires. */
  async reopen(id: string, from: PendingStatus): Promise<boolean> {
    return (await this.redis.eval(REOPEN, 2, this.keys.pending(id), this.keys.pendingApprovals(id), from)) === 1;
  }
}
