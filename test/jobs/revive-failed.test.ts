import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { reviveIfFailed } from '../../src/jobs/revive-failed.js';
import { startRedis, type PrivateRedis } from '../support/redis-server.js';

describe('a delivery that comes again after its job failed for good', () => {
  let redis: PrivateRedis;
  let queue: Queue;
  let events: QueueEvents;
  let worker: Worker;
  let client: Redis;
  let healthy = false;
  const runs: string[] = [];
  const seen: unknown[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    const connection = { url: redis.url };
    client = new Redis(redis.url);
    queue = new Queue('revive', { connection, defaultJobOptions: { attempts: 2, removeOnFail: { age: 3600 } } });
    events = new QueueEvents('revive', { connection });
    worker = new Worker(
      'revive',
      async (job) => {
        runs.push(job.id!);
        seen.push(job.data);
        if (!healthy) throw new Error('Slack is down');
        return 'posted';
      },
      { connection },
    );
    await events.waitUntilReady();
  });

  afterAll(async () => {
    client?.disconnect();
    await Promise.allSettled([worker?.close(), events?.close(), queue?.close()]);
    await redis?.stop();
  });

  it('is run again with fresh attempts instead of being swallowed by the old failure', async () => {
    const first = await queue.add('post', {}, { jobId: 'delivery-1' });
    await expect(first.waitUntilFinished(events, 10_000)).rejects.toThrow(/Slack is down/);
    expect(runs).toEqual(['delivery-1', 'delivery-1']);

    healthy = true;
    const again = await queue.add('post', { attempt: 'second' }, { jobId: 'delivery-1' });
    // Without reviving, the add is a no-op and the job stays failed.
    expect(await again.getState()).toBe('failed');
    expect(await reviveIfFailed(client, queue, [again], () => ({ attempt: 'second' }))).toBe(1);
    expect(await again.waitUntilFinished(events, 10_000)).toBe('posted');
    expect(runs).toHaveLength(3);
    // It ran as the delivery that came again, not as the one that failed.
    expect((await queue.getJob('delivery-1'))?.data).toEqual({ attempt: 'second' });
    expect(seen.at(-1)).toEqual({ attempt: 'second' });
  });

  it('leaves completed and waiting jobs alone', async () => {
    const done = await queue.add('post', {}, { jobId: 'delivery-2' });
    await done.waitUntilFinished(events, 10_000);
    expect(await reviveIfFailed(client, queue, [await queue.add('post', {}, { jobId: 'delivery-2' })])).toBe(0);
    expect(await (await queue.getJob('delivery-2'))!.getState()).toBe('completed');
  });
});
