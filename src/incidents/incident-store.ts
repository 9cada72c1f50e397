import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { StateKeys } from '../state/keys.js';

export type IncidentState = 'firing' | 'resolved' | 'stale';

/** One alert identity's Slack presence: its thread (or its place in a storm summary) and its history. */
export interface Incident {
  key: string;
  name: string;
  source: 'prometheus' | 'cloudwatch';
  state: IncidentState;
  channel: string;
  /** Root message ts; absent when the incident is only counted in a storm summary. */
  ts?: string;
  /** The storm whose summary counts it, when it has no thread. */
  stormId?: string;
  service?: string;
  env?: string;
  runbookId?: string;
  unmapped?: string;
  severity?: string;
  summary?: string;
  labels: Record<string, string>;
  links: Array<{ label: string; url: string }>;
  firstSeenMs: number;
  lastSeenMs: number;
  count: number;
  lastDiagnosisMs?: number;
  resolvedAtMs?: number;
  episode: string;
}

const KEEP_MS = 14 * 24 * 3600_000;
const LOCK_MS = 30_000;

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** The alert → thread map in Redis; creation happens under a lock so two deliveries or replicas open one thread. */
export class IncidentStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: StateKeys,
  ) {}

  async get(key: string): Promise<Incident | undefined> {
    const raw = await this.redis.get(this.keys.alertThread(key));
    return raw ? (JSON.parse(raw) as Incident) : undefined;
  }

  async put(incident: Incident): Promise<void> {
    await this.redis.set(this.keys.alertThread(incident.key), JSON.stringify(incident), 'PX', KEEP_MS);
  }

  /** Run `fn` holding the incident's lock; waits (bounded) for another holder to finish. */
  async withLock<T>(key: string, fn: () => Promise<T>, waitMs = 60_000): Promise<T> {
    const lockKey = this.keys.lock(`incident:${key}`);
    const token = randomUUID();
    const deadline = Date.now() + waitMs;
    while ((await this.redis.set(lockKey, token, 'PX', LOCK_MS, 'NX')) !== 'OK') {
      if (Date.now() > deadline) throw new Error(`incident ${key} stayed locked for ${waitMs} ms`);
      await new Promise((r) => setTimeout(r, 25 + Math.random() * 50));
    }
    try {
      return await fn();
    } finally {
      await this.redis.eval(RELEASE, 1, lockKey, token);
    }
  }
}
