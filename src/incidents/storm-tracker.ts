import type { Redis } from 'ioredis';
import type { StateKeys } from '../state/keys.js';

/** How long a storm lasts after its last new incident. */
const STORM_QUIET_MS = 120_000;
const ROWS_KEEP_S = 24 * 3600;

export interface StormRow {
  name: string;
  service?: string;
  env?: string;
  /** Alerts of this name still firing, and resolved. */
  firing: number;
  resolved: number;
  /** Notifications received for them (repeats included). */
  notifications: number;
}

/** One incident's line in the storm's table: its current state, written whole so a retried job cannot count twice. */
export interface StormEntry {
  key: string;
  name: string;
  service?: string;
  env?: string;
  state: 'firing' | 'resolved' | 'stale';
  count: number;
}

// New incidents per channel in the last minute (a sliding window: a burst across a minute boundary counts whole);
// past the threshold, or while a storm is on, an incident joins the storm. The active key's value is the storm's
// id (its start time), kept for the storm's whole life.
const ADMIT = `
local now = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 60000)
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], 120000)
local n = redis.call('ZCARD', KEYS[1])
local active = redis.call('GET', KEYS[2])
if active then
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
  return {'storm', active}
end
if n > tonumber(ARGV[1]) then
  redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
  return {'storm-start', ARGV[2]}
end
return {'thread', ''}
`;

export type Admission = { mode: 'thread' } | { mode: 'storm'; stormId: string; started: boolean };

/**
 * Decides thread or storm summary for each new incident, and keeps the summary's table. All counters are in Redis,
 * so every replica agrees on when the storm began.
 */
export class StormTracker {
  constructor(
    private readonly redis: Redis,
    private readonly keys: StateKeys,
  ) {}

  private k(channel: string, what: string): string {
    return `${this.keys.prefix}:storm:{${channel}}:${what}`;
  }

  /** `incident` names the newcomer, so a retried admission of the same incident is counted once. */
  async admit(channel: string, threshold: number, incident: string, now = Date.now()): Promise<Admission> {
    const r = (await this.redis.eval(ADMIT, 2, this.k(channel, 'recent'), this.k(channel, 'active'), String(threshold), String(now), String(STORM_QUIET_MS), incident)) as [string, string];
    if (r[0] === 'thread') return { mode: 'thread' };
    return { mode: 'storm', stormId: r[1], started: r[0] === 'storm-start' };
  }

  async record(channel: string, stormId: string, entry: StormEntry): Promise<void> {
    const key = this.k(channel, `rows:${stormId}`);
    const { key: field, ...row } = entry;
    await this.redis.multi().hset(key, field, JSON.stringify(row)).expire(key, ROWS_KEEP_S).exec();
  }

  async rows(channel: string, stormId: string): Promise<StormRow[]> {
    const flat = await this.redis.hgetall(this.k(channel, `rows:${stormId}`));
    const rows = new Map<string, StormRow>();
    for (const raw of Object.values(flat)) {
      const e = JSON.parse(raw) as Omit<StormEntry, 'key'>;
      const id = [e.name, e.service ?? '', e.env ?? ''].join('\t');
      const row = rows.get(id) ?? { name: e.name, ...(e.service ? { service: e.service, env: e.env } : {}), firing: 0, resolved: 0, notifications: 0 };
      if (e.state === 'resolved') row.resolved += 1;
      else row.firing += 1;
      row.notifications += e.count;
      rows.set(id, row);
    }
    return [...rows.values()];
  }

  /** The summary message of a storm (its id is its start time, so that is not stored). */
  async summary(channel: string, stormId: string): Promise<{ ts?: string; threaded?: number }> {
    const h = await this.redis.hgetall(this.k(channel, `summary:${stormId}`));
    return { ...(h.ts ? { ts: h.ts } : {}), ...(h.threaded ? { threaded: Number(h.threaded) } : {}) };
  }

  async setSummary(channel: string, stormId: string, s: { ts: string; threaded: number }): Promise<void> {
    const key = this.k(channel, `summary:${stormId}`);
    await this.redis.multi().hset(key, { ts: s.ts, threaded: String(s.threaded) }).expire(key, ROWS_KEEP_S).exec();
  }
}
