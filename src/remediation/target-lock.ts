import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { StateKeys } from '../state/keys.js';

/** Who holds a target: shown to the approver whose remediation must wait. */
export interface TargetLockHolder {
  pendingId: string;
  remediationId: string;
  title: string;
  approvedBy: string;
  /** ISO time the run started. */
  since: string;
}

/**
 * Held for a whole run and renewed while it lasts, so it never lapses under a long rollout; if the worker dies, it
 * lapses at most this long after the last renewal.
 */
export const TARGET_LOCK_TTL_MS = 15 * 60_000;
export const TARGET_LOCK_RENEW_MS = 60_000;

const RELEASE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])
`;

const RENEW = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])
`;

export function targetLockKey(keys: StateKeys, targetKey: string): string {
  return keys.lock(`remediation:${targetKey}`);
}

/** The run holding this target now, if any. */
export async function targetLockHolder(redis: Redis, keys: StateKeys, targetKey: string): Promise<TargetLockHolder | undefined> {
  const raw = await redis.get(targetLockKey(keys, targetKey));
  return raw ? parseHolder(raw) : undefined;
}

function parseHolder(raw: string): TargetLockHolder | undefined {
  try {
    const v = JSON.parse(raw) as { holder?: TargetLockHolder };
    return v.holder;
  } catch {
    return undefined;
  }
}

/**
 * One remediation at a time per target (an ECS service, a workload, a Redis server), whichever remediation it is:
 * SET NX with a unique token, renewed by compare-and-pexpire, released by compare-and-delete, so a run never
 * frees a lock it no longer owns.
 */
export class TargetLock {
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly redis: Redis,
    readonly key: string,
    private readonly value: string,
    private readonly ttlMs: number,
  ) {}

  /** The lock, or the holder that has it. */
  static async acquire(
    redis: Redis,
    keys: StateKeys,
    targetKey: string,
    holder: TargetLockHolder,
    opts: { ttlMs?: number; renewMs?: number; onRenew?: () => Promise<unknown> } = {},
  ): Promise<{ lock: TargetLock } | { heldBy: TargetLockHolder | undefined }> {
    const key = targetLockKey(keys, targetKey);
    const ttlMs = opts.ttlMs ?? TARGET_LOCK_TTL_MS;
    const value = JSON.stringify({ token: randomUUID(), holder });
    if ((await redis.set(key, value, 'PX', ttlMs, 'NX')) !== 'OK') {
      const raw = await redis.get(key);
      return { heldBy: raw ? parseHolder(raw) : undefined };
    }
    const lock = new TargetLock(redis, key, value, ttlMs);
    const renewMs = opts.renewMs ?? TARGET_LOCK_RENEW_MS;
    lock.timer = setInterval(() => {
      void (async () => {
        try {
          if (await lock.renew()) await opts.onRenew?.();
        } catch {
          // A missed renewal is retried on the next tick; the TTL leaves many ticks of margin.
        }
      })();
    }, renewMs);
    lock.timer.unref();
    return { lock };
  }

  async renew(): Promise<boolean> {
    return (await this.redis.eval(RENEW, 1, this.key, this.value, String(this.ttlMs))) === 1;
  }

  async release(): Promise<void> {
    clearInterval(this.timer);
    await this.redis.eval(RELEASE, 1, this.key, this.value);
  }
}

/** PEXPIRE only while the key still holds `value` (a cool-down this run set). */
export async function expireIfValue(redis: Redis, key: string, value: string, ms: number): Promise<boolean> {
  return (await redis.eval(RENEW, 1, key, value, String(ms))) === 1;
}

/** DEL only while the key still holds `value`. */
export async function deleteIfValue(redis: Redis, key: string, value: string): Promise<boolean> {
  return (await redis.eval(RELEASE, 1, key, value)) === 1;
}

/**
 * Why a remediation did not start while another holds its target, for the approver and the thread. It stays
 * approvable: once the running one has reported, the approver judges whether it is still needed.
 */
export function targetBusyText(input: { title: string; targetKey: string; holder: TargetLockHolder | undefined; expiresAt: string }): string {
  const h = input.holder;
  const running = h
    ? `*${h.title}* is running on \`${input.targetKey}\` (approved by ${/^[UW][A-Z0-9]+$/.test(h.approvedBy) ? `<@${h.approvedBy}>` : h.approvedBy}, started ${utc(h.since)})`
    : `another remediation is running on \`${input.targetKey}\``;
  return (
    `*${input.title}* was not started: ${running}. Nothing was changed. ` +
    `It stays approvable until ${utc(input.expiresAt)}: approve it again once that run has posted its outcome in this thread, if it is still needed.`
  );
}

function utc(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(11, 16)} UTC`;
}
