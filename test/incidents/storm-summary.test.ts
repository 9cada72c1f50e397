import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertWebhooks } from '../../src/webhooks/alert-webhooks.js';
import { startRedis, type PrivateRedis } from '../support/redis-server.js';
import { startTestBot, type TestBot } from '../support/start-test-bot.js';
import { waitFor } from '../support/wait-for.js';

const TOKEN = 'storm-test-token-0123456789';

const alert = (i: number) => ({
  status: 'firing',
  labels: { alertname: 'NodeDown', instance: `node-${i}` },
  annotations: {},
  startsAt: '2026-11-23T03:54:45.344Z',
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL: 'http://prometheus:9090/graph',
  fingerprint: i.toString(16).padStart(16, '0'),
});

const group = (alerts: unknown[]) => ({
  version: '4',
  groupKey: '{}:{}',
  truncatedAlerts: 0,
  status: 'firing',
  receiver: 'connbot',
  groupLabels: {},
  commonLabels: {},
  commonAnnotations: {},
  externalURL: 'http://alertmanager:9093',
  alerts,
});

describe('a storm whose summary Slack refused at first', () => {
  let state: PrivateRedis;
  let t: TestBot;

  beforeAll(async () => {
    state = await startRedis();
    t = await startTestBot({
      stateRedisUrl: state.url,
      env: { ALERTMANAGER_TOKEN: TOKEN },
      webhooks: (rt) => alertWebhooks(rt),
      catalog: { version: 1, defaults: { channel: 'C0ALERTS', alerts: { stormThreshold: 1 } }, services: {} },
    });
  });
  afterAll(async () => {
    await t?.stop();
    await state?.stop();
  });

  const post = (body: unknown) =>
    fetch(`${t.bot.url}/webhooks/alertmanager`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(body) });

  it('still gets its summary, counting every alert, without a second one', async () => {
    expect((await post(group([alert(1)]))).status).toBe(200);
    await waitFor('first thread', () => t.slack.roots('C0ALERTS')[0]);
    // The second alert starts the storm; Slack refuses the summary post once.
    t.slack.failNext('chat.postMessage', { status: 200, error: 'not_in_channel' });
    expect((await post(group([alert(2)]))).status).toBe(200);
    expect((await post(group([alert(3)]))).status).toBe(200);
    const summary = await waitFor(
      'storm summary counting both',
      () => t.slack.roots('C0ALERTS').find((m) => /Alert storm/.test(m.text) && /2 alerts/.test(m.text)),
      20_000,
    );
    expect(summary).toBeTruthy();
    expect(t.slack.callsOf('chat.postMessage').filter((c) => /Alert storm/.test(String(c.args.text))).length).toBe(2); // the refused one, then the one that landed
    expect(t.slack.roots('C0ALERTS').filter((m) => /Alert storm/.test(m.text))).toHaveLength(1);
    expect(t.slack.roots('C0ALERTS').filter((m) => !/Alert storm/.test(m.text))).toHaveLength(1);
  });
});
