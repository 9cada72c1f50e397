import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { Worker } from 'bullmq';
import { SlackOutbox } from '../../src/slack/slack-outbox.js';
import { createSlackWebClient, startSlackOutWorker } from '../../src/slack/slack-out-worker.js';
import { silentLogger } from '../../src/log.js';
import { FakeSlack } from '../support/fake-slack.js';
import { startRedis, type PrivateRedis } from '../support/redis-server.js';

describe('slack-out queue', () => {
  let server: PrivateRedis;
  let redis: Redis;
  let slack: FakeSlack;
  let outbox: SlackOutbox;
  let worker: Worker;

  beforeAll(async () => {
    server = await startRedis();
    redis = new Redis(server.url, { maxRetriesPerRequest: null });
    slack = await new FakeSlack().start();
    outbox = new SlackOutbox(redis, 'outbox-test');
    worker = startSlackOutWorker({ connection: redis, prefix: 'outbox-test', client: createSlackWebClient('xoxb-t', slack.url), log: silentLogger });
  });
  afterAll(async () => {
    await worker.close();
    await outbox.close();
    redis.disconnect();
    await slack.stop();
    await server.stop();
  });

  it('keeps order within a thread when each write is awaited', async () => {
    const root = await outbox.send({ method: 'chat.postMessage', args: { channel: 'C1', text: 'root' } });
    for (let i = 0; i < 5; i++) await outbox.send({ method: 'chat.postMessage', args: { channel: 'C1', thread_ts: root.ts!, text: `reply ${i}` } });
    expect(slack.threadReplies('C1', root.ts!).map((m) => m.text)).toEqual(['reply 0', 'reply 1', 'reply 2', 'reply 3', 'reply 4']);
  });

  it('waits Retry-After on 429 and then delivers, once', async () => {
    slack.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const started = Date.now();
    const r = await outbox.send({ method: 'chat.postMessage', args: { channel: 'C2', text: 'after 429' } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(r.ts).toBeTruthy();
    expect(slack.roots('C2').filter((m) => m.text === 'after 429')).toHaveLength(1);
  });

  it('retries 5xx with back-off', async () => {
    slack.failNext('chat.postMessage', { status: 503 }, 2);
    const r = await outbox.send({ method: 'chat.postMessage', args: { channel: 'C3', text: 'after 503s' } });
    expect(r.ts).toBeTruthy();
    expect(slack.roots('C3')).toHaveLength(1);
  });

  it('fails at once on a platform error, naming it', async () => {
    slack.failNext('chat.postMessage', { status: 200, error: 'channel_not_found' });
    await expect(outbox.send({ method: 'chat.postMessage', args: { channel: 'C404', text: 'x' } })).rejects.toThrow(/channel_not_found/);
  });

  it('does not post twice for the same dedupe key', async () => {
    const a = await outbox.send({ method: 'chat.postMessage', args: { channel: 'C5', text: 'once' } }, 'same-key');
    const b = await outbox.send({ method: 'chat.postMessage', args: { channel: 'C5', text: 'once' } }, 'same-key');
    expect(b.ts).toBe(a.ts);
    expect(slack.roots('C5')).toHaveLength(1);
  });

  it('uploads a file with the files API (uploadV2)', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    await outbox.send({ method: 'files.uploadV2', args: { channel_id: 'C6', thread_ts: '1.2', filename: 'chart.png', title: 'chart', contentBase64: png.toString('base64') } });
    expect(slack.uploads).toEqual([expect.objectContaining({ filename: 'chart.png', bytes: png.length, channel_id: 'C6', thread_ts: '1.2' })]);
  });
});
