import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertWebhooks } from '../../src/webhooks/alert-webhooks.js';
import { startRedis, type PrivateRedis } from '../support/redis-server.js';
import { startTestBot, type TestBot } from '../support/start-test-bot.js';
import { waitFor } from '../support/wait-for.js';

const TOKEN = 'stale-test-token-0123456789';
const firing = JSON.parse(readFileSync('test/alerts/fixtures/alertmanager-firing-real.json', 'utf8'));

describe('a firing alert with no news', () => {
  let state: PrivateRedis;
  let t: TestBot;

  beforeAll(async () => {
    state = await startRedis();
    t = await startTestBot({
      stateRedisUrl: state.url,
      env: { ALERTMANAGER_TOKEN: TOKEN },
      webhooks: (rt) => alertWebhooks(rt),
      // Unmapped on purpose: staleness is about the incident, not the diagnosis.
      catalog: { version: 1, defaults: { channel: 'C0ALERTS', alerts: { staleAfter: '2s' } }, services: {} },
    });
  });
  afterAll(async () => {
    await t?.stop();
    await state?.stop();
  });

  const post = (body: unknown) =>
    fetch(`${t.bot.url}/webhooks/alertmanager`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(body) });

  it('is marked stale after staleAfter, and a new notification pushes the deadline back', async () => {
    expect((await post(firing)).status).toBe(200);
    const root = await waitFor('root', () => t.slack.roots('C0ALERTS')[0]);
    await new Promise((r) => setTimeout(r, 1200));
    const again = { ...firing, alerts: [{ ...firing.alerts[0], startsAt: '2026-11-23T04:10:00.000Z' }] };
    expect((await post(again)).status).toBe(200);
    // 2.4 s after the first notification, but only ~1.2 s after the second: not stale yet.
    await new Promise((r) => setTimeout(r, 1200));
    expect(JSON.stringify(t.slack.messages.get(root.ts)!.blocks)).not.toMatch(/STALE/);
    await waitFor('root marked stale', () => /STALE/.test(JSON.stringify(t.slack.messages.get(root.ts)!.blocks)), 10_000);
    const reply = await waitFor('stale reply', () => t.slack.threadReplies('C0ALERTS', root.ts).find((m) => /marked stale/.test(m.text)));
    expect(reply).toBeTruthy();
    expect(t.slack.threadReplies('C0ALERTS', root.ts).filter((m) => /marked stale/.test(m.text))).toHaveLength(1);
  });
});
