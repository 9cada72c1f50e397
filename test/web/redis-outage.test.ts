import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertWebhooks } from '../../src/webhooks/alert-webhooks.js';
import { startRedis, type PrivateRedis } from '../support/redis-server.js';
import { startTestBot, SIGNING_SECRET, type TestBot } from '../support/start-test-bot.js';
import { postSigned, slashCommandBody } from '../support/fake-slack.js';

const TOKEN = 'outage-test-token-0123456789';
const firing = readFileSync('test/alerts/fixtures/alertmanager-firing-real.json', 'utf8');

describe('while connbot cannot reach its Redis', () => {
  let state: PrivateRedis;
  let target: PrivateRedis;
  let t: TestBot;

  beforeAll(async () => {
    [state, target] = await Promise.all([startRedis(), startRedis()]);
    t = await startTestBot({
      stateRedisUrl: state.url,
      env: { ALERTMANAGER_TOKEN: TOKEN },
      webhooks: (rt) => alertWebhooks(rt),
      catalog: {
        version: 1,
        defaults: { channel: 'C0ALERTS' },
        services: { 'redis-master': { runbooks: ['redis-pool-exhaustion'], envs: { prod: { redis: { url: target.url } } } } },
      },
    });
    expect((await fetch(`${t.bot.url}/readyz`)).status).toBe(200);
    await state.stop();
  });
  afterAll(async () => {
    await t?.stop();
    await Promise.all([target?.stop(), state?.stop()]);
  });

  it('answers 503 to Alertmanager so it retries, and says not ready', async () => {
    const started = Date.now();
    const res = await fetch(`${t.bot.url}/webhooks/alertmanager`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: firing });
    expect(res.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await fetch(`${t.bot.url}/readyz`)).status).toBe(503);
    expect((await fetch(`${t.bot.url}/healthz`)).status).toBe(200);
  });

  it('tells the person who typed /conn that nothing was started', async () => {
    const res = await postSigned(t.eventsUrl, SIGNING_SECRET, slashCommandBody({ text: 'check redis-master prod', user_id: 'U0A', channel_id: 'C0OPS' }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { text: string };
    expect(body.text).toMatch(/cannot reach its job queue.*Nothing was started/);

    // And it is true: when Redis comes back, no check starts behind the person's back.
    state = await startRedis({ port: state.port });
    const deadline = Date.now() + 15_000;
    while ((await fetch(`${t.bot.url}/readyz`)).status !== 200) {
      if (Date.now() > deadline) throw new Error('connbot did not reconnect');
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 1500));
    expect(await t.bot.runtime.diagnoseQueue.getJobCounts()).toMatchObject({ waiting: 0, active: 0, completed: 0, failed: 0 });
    expect(t.slack.roots()).toHaveLength(0);
  });
});
