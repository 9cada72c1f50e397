import { Redis } from 'ioredis';
import { parseClientList } from '../src/integrations/redis/client-list.js';

export interface LeakShape {
  leaked: number;
  active: number;
  pingEveryMs: number;
}

export interface ConnectionLeak {
  /** Seconds the most recently active leaked connection has been idle (Redis's own `idle=`), or 0 if none is left. */
  leakedIdleSeconds(): Promise<number>;
  close(): Promise<void>;
}

/**
 * What a leaking app looks like from Redis: workers that opened a connection, used it once and never closed it,
 * next to healthy API clients that keep pinging, and a pub/sub subscriber that is idle by design (never "leaked").
 */
export async function createConnectionLeak(url: string, shape: LeakShape): Promise<ConnectionLeak> {
  const clients: Redis[] = [];
  const timers: NodeJS.Timeout[] = [];
  const open = async (name: string, reconnect: boolean) => {
    const c = new Redis(url, {
      connectionName: name,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      // A leaked connection that Redis kills stays dead, as in the real incident; healthy clients reconnect.
      retryStrategy: reconnect ? (times) => Math.min(times * 100, 1000) : () => null,
    });
    c.on('error', () => {});
    clients.push(c);
    await c.connect();
    return c;
  };
  try {
    for (let i = 1; i <= shape.leaked; i++) {
      const c = await open(`leaky-worker-${i}`, false);
      await c.ping();
    }
    for (let i = 1; i <= shape.active; i++) {
      const c = await open(`api-${i}`, true);
      timers.push(setInterval(() => void c.ping().catch(() => {}), shape.pingEveryMs));
    }
    const subscriber = await open('events-subscriber', true);
    await subscriber.subscribe('demo:events');
  } catch (err) {
    await closeAll(clients, timers);
    throw err;
  }
  return {
    async leakedIdleSeconds() {
      const probe = new Redis(url, { connectionName: 'demo-probe', lazyConnect: true, retryStrategy: () => null });
      probe.on('error', () => {});
      try {
        await probe.connect();
        const list = parseClientList(String(await probe.client('LIST')));
        const leaked = list.filter((c) => c.name.startsWith('leaky-worker-'));
        return leaked.length === 0 ? 0 : Math.min(...leaked.map((c) => c.idle));
      } finally {
        probe.disconnect();
      }
    },
    close: () => closeAll(clients, timers),
  };
}

async function closeAll(clients: Redis[], timers: NodeJS.Timeout[]): Promise<void> {
  for (const t of timers) clearInterval(t);
  await Promise.allSettled(clients.map((c) => (c.status === 'ready' ? c.quit() : Promise.resolve(c.disconnect()))));
  for (const c of clients) c.disconnect();
}
