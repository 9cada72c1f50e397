import { Redis } from 'ioredis';
import { validateCatalog } from '../../../src/catalog/load-catalog.js';
import { resolveTarget, type ResolvedTarget } from '../../../src/catalog/resolve-target.js';
import { startRedis, type PrivateRedis } from '../../support/redis-server.js';

/**
 * Real clients against a private redis-server: the shapes an exhausted production Redis shows. No client
 * reconnects on its own, so a killed connection stays dead and a survivor is really the original connection.
 */
export class RedisScenario {
  private readonly clients: Redis[] = [];
  private readonly timers: NodeJS.Timeout[] = [];

  private constructor(readonly server: PrivateRedis) {}

  static async start(maxclients: number): Promise<RedisScenario> {
    return new RedisScenario(await startRedis({ maxclients }));
  }

  get url(): string {
    return this.server.url;
  }

  async connect(name: string): Promise<Redis> {
    const c = new Redis(this.url, { connectionName: name, retryStrategy: () => null, maxRetriesPerRequest: 0, lazyConnect: true });
    c.on('error', () => {});
    this.clients.push(c);
    await c.connect();
    await c.ping();
    return c;
  }

  /** Connections an app opened and forgot: they answer nothing and grow idle. */
  async idle(name: string, count: number): Promise<Redis[]> {
    return Promise.all(Array.from({ length: count }, () => this.connect(name)));
  }

  /** A busy pool member: PING every 200 ms, so its idle time stays 0. */
  async busy(name: string): Promise<Redis> {
    const c = await this.connect(name);
    this.timers.push(setInterval(() => void c.ping().catch(() => {}), 200));
    return c;
  }

  /** A pub/sub subscriber: idle by nature, and must never be killed. */
  async subscriber(name: string, channel = 'events'): Promise<Redis> {
    const c = await this.connect(name);
    await c.subscribe(channel);
    return c;
  }

  /** A worker blocked in BLPOP with no timeout. */
  async blocked(name: string, key = 'jobs'): Promise<Redis> {
    const c = await this.connect(name);
    void c.blpop(key, 0).catch(() => {});
    await this.waitFor(async () => (await this.info('blocked_clients')) >= 1);
    return c;
  }

  /** A separate connection for assertions, closed right after use so it never shows in a check. */
  async admin<T>(fn: (r: Redis) => Promise<T>): Promise<T> {
    const r = new Redis(this.url, { retryStrategy: () => null, lazyConnect: true, connectionName: 'test-admin' });
    r.on('error', () => {});
    await r.connect();
    try {
      return await fn(r);
    } finally {
      r.disconnect();
      // Let the server notice the close before the caller measures again.
      await new Promise((res) => setTimeout(res, 30));
    }
  }

  async info(field: string): Promise<number> {
    return this.admin(async (r) => {
      const text = await r.info();
      const m = new RegExp(`^${field}:(\\d+)`, 'm').exec(text);
      return m ? Number(m[1]) : NaN;
    });
  }

  /** Names of the connected clients (the admin connection itself excluded). */
  async connectedNames(): Promise<string[]> {
    return this.admin(async (r) =>
      String(await r.client('LIST'))
        .split('\n')
        .map((l) => / name=(\S*)/.exec(l)?.[1])
        .filter((n): n is string => n !== undefined && n !== 'test-admin'),
    );
  }

  async waitFor(cond: () => Promise<boolean>, timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await cond())) {
      if (Date.now() > deadline) throw new Error('condition not reached');
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async stop(): Promise<void> {
    for (const t of this.timers.splice(0)) clearInterval(t);
    for (const c of this.clients.splice(0)) c.disconnect();
    await this.server.stop();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The catalog a deployment would hold, pointing at the private Redis, validated and resolved like the bot does. */
export function resolveRedisService(
  url: string,
  params: Record<string, number | string | boolean> = {},
  k8s?: Record<string, unknown>,
): ResolvedTarget {
  const doc = {
    version: 1,
    services: {
      svc: {
        description: 'shared Redis under test',
        runbooks: ['redis-pool-exhaustion'],
        envs: { env: { redis: { url }, ...(k8s ? { k8s } : {}), params } },
      },
    },
  };
  return resolveTarget(validateCatalog(doc), 'svc', 'env');
}

/** Run `fn` against its own private Redis, stopped whatever happens (lets tests run concurrently). */
export async function withScenario<T>(maxclients: number, fn: (s: RedisScenario) => Promise<T>): Promise<T> {
  const s = await RedisScenario.start(maxclients);
  try {
    return await fn(s);
  } finally {
    await s.stop();
  }
}
