import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { StateKeys } from '../state/keys.js';

export type IncidentState = 'firing' | 'resolved' | 'stale';

/** What a job did to the incident, so a retry of that same job finishes its side effects instead of counting twice. */
export interface LastJob {
  id: string;
  action: 'opened' | 'storm' | 'repeated' | 'resolved' | 'insufficient-data';
  receivedAtMs: number;
  /** A repeat that started a new diagnosis. */
  rediagnose?: boolean;
  /** The delivery that did it (dedupe key of the replies it posts). */
  delivery: string;
}

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
  /** When the alert says it started (startsAt, the alarm's StateChangeTime); firstSeenMs when it does not say. */
  startedAtMs?: number;
  /** The newest state change applied (CloudWatch StateChangeTime), to refuse out-of-order and replayed deliveries. */
  lastChangeMs?: number;
  /** CloudWatch INSUFFICIENT_DATA while the incident is open: the metric stopped reporting. */
  insufficientData?: boolean;
  lastJob?: LastJob;
  count: number;
  lastDiagnosisMs?: number;
  resolvedAtMs?: number;
  /** How long it fired, once resolved. */
  firedMs?: number;
  episode: string;
}

const KEEP_MS = 14 * 24 * 3600_000;
const LOCK_MS = 30_000;

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

/** A resolve that arrived before (or without) its firing: remembered so the late firing opens nothing. */
export interface ResolvedMark {
  /** Prometheus: the episode's startsAt. */
  startedAtMs?: number;
  /** CloudWatch: the OK's StateChangeTime. */
  changeMs?: number;
}

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

  async markResolved(key: string, mark: ResolvedMark): Promise<void> {
    await this.redis.set(this.keys.alertResolvedMark(key), JSON.stringify(mark), 'PX', KEEP_MS);
  }

  async resolvedMark(key: string): Promise<ResolvedMark | undefined> {
    const raw = await this.redis.get(this.keys.alertResolvedMark(key));
    return raw ? (JSON.parse(raw) as ResolvedMark) : undefined;
  }

  /**
   * Run `fn` holding the incident's lock; waits (bounded) for another holder to finish. The lock is renewed while
   * `fn` runs: it waits on Slack, which can take longer than the lock's life when Slack is slow or rate limits us.
   */
  async withLock<T>(key: string, fn: () => Promise<T>, waitMs = 60_000): Promise<T> {
    const lockKey = this.keys.lock(`incident:${key}`);
    const token = randomUUID();
    const deadline = Date.now() + waitMs;
    while ((await this.redis.set(lockKey, token, 'PX', LOCK_MS, 'NX')) !== 'OK') {
      if (Date.now() > deadline) throw new Error(`incident ${key} stayed locked for ${waitMs} ms`);
      await new Promise((r) => setTimeout(r, 25 + Math.random() * 50));
    }
    const renew = setInterval(() => {
      this.redis.eval(RENEW, 1, lockKey, token, String(LOCK_MS)).catch(() => {});
    }, LOCK_MS / 3);
    try {
      return await fn();
    } finally {
      clearInterval(renew);
      await this.redis.eval(RELEASE, 1, lockKey, token);
    }
  }
}
