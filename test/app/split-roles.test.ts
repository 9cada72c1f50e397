import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type PrivateRedis } from '../support/redis-server.js';
import { startTestBot, SIGNING_SECRET, type TestBot } from '../support/start-test-bot.js';
import { postSigned, slashCommandBody } from '../support/fake-slack.js';
import { waitFor } from '../support/wait-for.js';

describe('ROLE=web and ROLE=worker as separate deployments sharing one Redis', () => {
  let state: PrivateRedis;
  let target: PrivateRedis;
  let web: TestBot;
  let worker: TestBot;

  beforeAll(async () => {
    [state, target] = await Promise.all([startRedis(), startRedis()]);
    const catalog = {
      version: 1,
      services: { r: { runbooks: ['redis-pool-exhaustion'], envs: { prod: { channel: 'C0OPS', redis: { url: target.url }, params: { trendSamples: 2, trendIntervalMs: 100 } } } } },
    };
    const shared = { REDIS_PREFIX: `split${Date.now()}` };
    web = await startTestBot({ stateRedisUrl: state.url, catalog, env: { ...shared, ROLE: 'web' } });
    worker = await startTestBot({ stateRedisUrl: state.url, catalog, env: { ...shared, ROLE: 'worker' } });
  });
  afterAll(async () => {
    await web?.stop();
    await worker?.stop();
    await Promise.all([state?.stop(), target?.stop()]);
  });

  it('the web role only enqueues; a worker elsewhere runs the diagnosis and posts it', async () => {
    const res = await postSigned(web.eventsUrl, SIGNING_SECRET, slashCommandBody({ text: 'check r prod', user_id: 'U0A', channel_id: 'C0OPS' }));
    expect(res.status).toBe(200);
    const root = await waitFor('root posted by the worker', () => worker.slack.roots('C0OPS')[0], 20_000);
    await waitFor('final status', () => /CRIT|WARN|OK|UNKNOWN/.test(worker.slack.messages.get(root.ts)!.text), 20_000);
    expect(web.slack.callsOf('chat.postMessage')).toHaveLength(0);
  });

  it('a worker serves health and metrics but no Slack or webhook endpoints', async () => {
    expect((await fetch(`${worker.bot.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${worker.bot.url}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${worker.bot.url}/metrics`)).text()).toContain('connbot_diagnoses_total');
    expect((await fetch(`${worker.bot.url}/slack/events`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${worker.bot.url}/webhooks/alertmanager`, { method: 'POST' })).status).toBe(404);
  });
});
