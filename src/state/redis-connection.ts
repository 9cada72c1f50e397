import { Redis, type RedisOptions } from 'ioredis';

/**
 * connbot's own state store (queues, pending remediations, thread map, audit). BullMQ workers need
 * maxRetriesPerRequest: null so blocking commands survive reconnects.
 */
export function connectStateRedis(url: string, opts: RedisOptions = {}): Redis {
  const conn = new Redis(url, {
    maxRetriesPerRequest: null,
    connectionName: 'connbot',
    ...opts,
  });
  conn.on('error', () => {
    /* readiness and callers report it; an unhandled 'error' event would crash the process */
  });
  return conn;
}

/**
 * The connection was lost (not merely still coming up at start): commands sent now would be buffered and run
 * whenever it reconnects, long after the caller gave up on them.
 */
export function lostConnection(redis: { status: string }): boolean {
  return redis.status === 'reconnecting' || redis.status === 'close' || redis.status === 'end';
}
