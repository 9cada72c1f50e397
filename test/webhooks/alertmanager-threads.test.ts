import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertWebhooks } from '../../src/webhooks/alert-webhooks.js';
import { IncidentStore } from '../../src/incidents/incident-store.js';
import { startRedis, type PrivateRedis } from '../support/redis-server.js';
import { startTestBot, type TestBot } from '../support/start-test-bot.js';
import { waitFor } from '../support/wait-for.js';

const TOKEN = 'alertmanager-test-token-0123456789';
const firing = JSON.parse(readFileSync('test/alerts/fixtures/alertmanager-firing-real.json', 'utf8'));
const resolved = JSON.parse(readFileSync('test/alerts/fixtures/alertmanager-resolved-real.json', 'utf8'));

const catalog = {
  version: 1,
  defaults: { channel: 'C0ALERTS', alerts: { stormThreshold: 10, rediagnoseAfter: '1h' } },
  services: {
    tickstorm: {
      runbooks: ['connection-drop-rate'],
      envs: {
        prod: {
          channel: 'C0TICK',
          // Nothing listens on port 9: the diagnosis reports errors quickly, which is what this test needs.
          prometheus: { url: 'http://127.0.0.1:9', selector: '{service="tickstorm"}' },
          http: { health: 'http://127.0.0.1:9/health' },
          escalation: { tiers: [{ after: '3s', notify: ['S0SRE'] }] },
        },
      },
      alerts: [{ prometheus: { alertname: 'TickStormConnectionDropRate' }, envFromLabel: 'env' }],
    },
  },
};

function post(t: TestBot, body: unknown, token = TOKEN) {
  return fetch(`${t.bot.url}/webhooks/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

function alert(i: number, name = 'NodeDown') {
  return {
    status: 'firing',
    labels: { alertname: name, instance: `node-${i}`, severity: 'warning' },
    annotations: { summary: `node ${i} is down` },
    startsAt: '2026-11-23T03:54:45.344Z',
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus:9090/graph',
    fingerprint: i.toString(16).padStart(16, '0'),
  };
}

function group(alerts: unknown[]) {
  return { ...firing, alerts, groupLabels: {}, commonLabels: {}, commonAnnotations: {} };
}

describe('Alertmanager webhook → one Slack thread per incident', () => {
  let state: PrivateRedis;
  let t: TestBot;

  beforeAll(async () => {
    state = await startRedis();
    t = await startTestBot({
      stateRedisUrl: state.url,
      catalog,
      env: { ALERTMANAGER_TOKEN: TOKEN },
      webhooks: (rt) => alertWebhooks(rt),
    });
  });
  afterAll(async () => {
    await t?.stop();
    await state?.stop();
  });

  it('refuses bad credentials, malformed bodies and oversized bodies', async () => {
    expect((await post(t, firing, '')).status).toBe(401);
    expect((await post(t, firing, 'wrong-token-wrong-token')).status).toBe(401);
    expect((await post(t, '{not json')).status).toBe(400);
    const bad = await post(t, { ...firing, alerts: [{ labels: {} }] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/alerts/);
    expect((await post(t, 'x'.repeat(1024 * 1024 + 10))).status).toBe(413);
    expect(t.slack.roots()).toHaveLength(0);
  });

  it('opens one thread with the diagnosis, ignores a retried delivery, updates on repeat, edits on resolve', async () => {
    expect((await post(t, firing)).status).toBe(200);
    expect((await post(t, firing)).status).toBe(200); // Alertmanager retrying the same delivery
    const root = await waitFor('incident root', () => t.slack.roots('C0TICK')[0]);
    expect(root.text).toMatch(/FIRING: TickStormConnectionDropRate on tickstorm\/prod/);
    expect(JSON.stringify(root.blocks)).toContain('https://runbooks.example/connection-drop');
    await waitFor('diagnosis report in the thread', () =>
      t.slack.threadReplies('C0TICK', root.ts).find((m) => /drop rate/i.test(JSON.stringify(m.blocks)) && !/checks done/.test(m.text)),
    30_000);
    const store = new IncidentStore(t.bot.runtime.redis, t.bot.runtime.keys);
    expect((await store.get('am-f642092d5960404f'))?.count).toBe(1);

    // A later notification of the same alert (new startsAt: not a retry) updates the root, no new thread.
    const again = { ...firing, alerts: [{ ...firing.alerts[0], startsAt: '2026-11-23T04:10:00.000Z' }] };
    expect((await post(t, again)).status).toBe(200);
    await waitFor('count 2', async () => ((await store.get('am-f642092d5960404f'))?.count === 2 ? true : undefined));
    await waitFor('root shows 2 notifications', () => /notifications: 2/.test(JSON.stringify(t.slack.messages.get(root.ts)!.blocks)));
    expect(t.slack.roots('C0TICK')).toHaveLength(1);

    expect((await post(t, resolved)).status).toBe(200);
    await waitFor('root edited to resolved', () => /RESOLVED/.test(JSON.stringify(t.slack.messages.get(root.ts)!.blocks)));
    await waitFor('resolved reply', () => t.slack.threadReplies('C0TICK', root.ts).find((m) => /resolved after/.test(m.text)));
    expect(t.slack.roots('C0TICK')).toHaveLength(1);
  });

  it('escalates an incident still bad after the tier delay, mentioning the tier, and not a resolved one', async () => {
    const stuck = { ...firing.alerts[0], fingerprint: 'abcdef0123456789', labels: { ...firing.alerts[0].labels, instance: 'tick-2' } };
    expect((await post(t, { ...firing, alerts: [stuck] })).status).toBe(200);
    const root = await waitFor('second incident thread', () => t.slack.roots('C0TICK').find((m) => JSON.stringify(m.blocks).includes('FIRING')));
    const escalation = await waitFor('escalation in the thread', () => t.slack.threadReplies('C0TICK', root.ts).find((m) => /escalating/.test(m.text)), 30_000);
    expect(JSON.stringify(escalation.blocks)).toContain('<!subteam^S0SRE>');
    expect(t.slack.callsOf('chat.postMessage').find((c) => c.args.thread_ts === root.ts && /escalating/.test(String(c.args.text)))?.args.reply_broadcast).toBe('true');
    // The first incident was resolved before its tier came due: no escalation there.
    const first = t.slack.roots('C0TICK').find((m) => m.ts !== root.ts)!;
    expect(t.slack.threadReplies('C0TICK', first.ts).some((m) => /escalating/.test(m.text))).toBe(false);
  });

  it('posts an unmapped alert to the default channel with its labels, and counts it', async () => {
    const weird = { ...alert(1, 'DiskFull'), labels: { alertname: 'DiskFull', note: '<!channel> <http://evil|click>' } };
    expect((await post(t, group([weird]))).status).toBe(200);
    const root = await waitFor('unmapped root', () => t.slack.roots('C0ALERTS').find((m) => m.text.includes('DiskFull')));
    const blocks = JSON.stringify(root.blocks);
    expect(blocks).toMatch(/no runbook mapped/);
    expect(blocks).not.toContain('<!channel>');
    expect(blocks).toContain('&lt;!channel&gt;');
    const metrics = await (await fetch(`${t.bot.url}/metrics`)).text();
    expect(metrics).toMatch(/connbot_alerts_total\{source="prometheus",mapped="false"\} 1/);
  });

  it('says so in the default channel when Alertmanager truncated a group, and counts what was lost', async () => {
    // The one alert it kept is a retried delivery of an earlier one: only the truncation is news.
    expect((await post(t, { ...firing, truncatedAlerts: 3 })).status).toBe(200);
    const note = await waitFor('truncation note', () => t.slack.roots('C0ALERTS').find((m) => /left 3 alert/.test(m.text)));
    expect(note.text).toMatch(/max_alerts/);
    expect(await (await fetch(`${t.bot.url}/metrics`)).text()).toMatch(/connbot_alerts_truncated_total 3/);
  });

  it('opens nothing for a firing that arrives after its own resolve', async () => {
    const late = { ...alert(7, 'LateDelivery'), fingerprint: 'fedcba9876543210' };
    const before = t.slack.roots().length;
    expect((await post(t, group([{ ...late, status: 'resolved', endsAt: '2026-11-23T03:58:00Z' }]))).status).toBe(200);
    const mark = t.bot.runtime.keys.alertResolvedMark('am-fedcba9876543210');
    await waitFor('resolve remembered', async () => ((await t.bot.runtime.redis.exists(mark)) ? true : undefined));
    expect((await post(t, group([late]))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 800));
    expect(t.slack.roots()).toHaveLength(before);
  });

  it('summarises a storm of thousands of alerts in one message, loses none and posts none twice', async () => {
    const N = 2000;
    const all = Array.from({ length: N }, (_, i) => alert(1000 + i, i % 2 ? 'NodeDown' : 'NodeFlapping'));
    const before = t.slack.roots('C0ALERTS').length;
    for (let i = 0; i < N; i += 200) {
      const res = await post(t, group(all.slice(i, i + 200)));
      expect(res.status).toBe(200);
    }
    const store = new IncidentStore(t.bot.runtime.redis, t.bot.runtime.keys);
    await waitFor('every alert recorded', async () => {
      const keys = await Promise.all(all.map((a) => store.get(`am-${a.fingerprint}`)));
      return keys.every(Boolean) ? true : undefined;
    }, 60_000);
    // The threshold (10 new incidents per channel per minute) counts the earlier unmapped alert too, so this
    // storm opens at most 10 threads; every other alert is counted in the one summary.
    const threads = () => t.slack.roots('C0ALERTS').filter((m) => !/Alert storm/.test(m.text)).length - before;
    const summary = await waitFor('storm summary counting all', () => {
      const s = t.slack.roots('C0ALERTS').find((m) => /Alert storm/.test(m.text));
      const total = s && Number(/Alert storm — (\d+) alerts/.exec(JSON.stringify(s.blocks))?.[1]);
      return total === N - threads() ? s : undefined;
    }, 60_000);
    expect(summary).toBeTruthy();
    expect(threads()).toBeGreaterThanOrEqual(8);
    expect(threads()).toBeLessThanOrEqual(10);
    expect(t.slack.roots('C0ALERTS').filter((m) => /Alert storm/.test(m.text))).toHaveLength(1);
    const posted = t.slack.callsOf('chat.postMessage').filter((c) => c.args.channel === 'C0ALERTS').map((c) => `${c.args.channel}|${c.args.thread_ts ?? ''}|${String(c.args.blocks)}`);
    expect(new Set(posted).size).toBe(posted.length);
  });
});
