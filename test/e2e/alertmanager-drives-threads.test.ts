import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertWebhooks } from '../../src/webhooks/alert-webhooks.js';
import { IncidentStore } from '../../src/incidents/incident-store.js';
import { startAlertmanager } from '../support/alertmanager.js';
import { startPrometheus, type Daemon, type PrivatePrometheus } from '../support/prometheus.js';
import { freePort, startRedis, type PrivateRedis } from '../support/redis-server.js';
import { startTestBot, type TestBot } from '../support/start-test-bot.js';
import { startTickstormExporter, type TickstormExporter } from '../support/tickstorm-exporter.js';
import { waitFor } from '../support/wait-for.js';
import { TICKSTORM_RULES as RULES } from '../support/tickstorm-rules.js';

const TOKEN = 'e2e-alertmanager-token-0123456789';

describe('a real Alertmanager drives Slack threads, with the diagnosis computed by the real Prometheus', () => {
  let state: PrivateRedis;
  let exporter: TickstormExporter;
  let alertmanager: Daemon;
  let prometheus: PrivatePrometheus;
  let t: TestBot;

  beforeAll(async () => {
    state = await startRedis();
    exporter = await startTickstormExporter({ connectionsPerSec: 100, dropsPerSec: 5, timeoutsPerSec: 1 });
    // The bot needs Prometheus's URL, Prometheus needs Alertmanager's, Alertmanager needs the bot's: reserve the
    // bot's port first. Alertmanager retries until the bot listens.
    const botPort = await freePort();
    alertmanager = await startAlertmanager({ webhookUrl: `http://127.0.0.1:${botPort}/webhooks/alertmanager`, bearerToken: TOKEN });
    prometheus = await startPrometheus({
      targets: [{ job: 'tickstorm', target: exporter.target, labels: { service: 'tickstorm', env: 'prod' } }],
      rules: RULES,
      alertmanagerUrl: alertmanager.url,
    });
    t = await startTestBot({
      stateRedisUrl: state.url,
      env: { ALERTMANAGER_TOKEN: TOKEN, PORT: String(botPort) },
      webhooks: (rt) => alertWebhooks(rt),
      catalog: {
        version: 1,
        defaults: { channel: 'C0ALERTS' },
        services: {
          tickstorm: {
            runbooks: ['connection-drop-rate'],
            envs: {
              prod: {
                channel: 'C0TICK',
                prometheus: { url: prometheus.url, selector: '{service="tickstorm"}' },
                http: { health: exporter.healthUrl },
                params: { rateWindow: '10s', trendWindow: '1m', trendStepSeconds: 5 },
              },
            },
            alerts: [{ prometheus: { alertname: 'TickStormConnectionDropRate' }, envFromLabel: 'env' }],
          },
        },
      },
    });
  });

  afterAll(async () => {
    await prometheus?.stop();
    await alertmanager?.stop();
    await t?.stop();
    await exporter?.stop();
    await state?.stop();
  });

  it('opens one thread with the diagnosis, keeps repeats in it, and resolves it', async () => {
    const root = await waitFor('incident thread', () => t.slack.roots('C0TICK')[0], 60_000);
    expect(root.text).toMatch(/FIRING: TickStormConnectionDropRate on tickstorm\/prod/);
    const report = await waitFor('drop-rate diagnosis in the thread', () =>
      t.slack.threadReplies('C0TICK', root.ts).find((m) => /drop rate/i.test(JSON.stringify(m.blocks)) && !/checks done/i.test(m.text)),
    60_000);
    // Computed by the real Prometheus from the exporter's counters: about 5 %.
    expect(JSON.stringify(report.blocks)).toMatch(/[4-6]\.\d+ ?%/);

    // Prometheus keeps re-sending the firing alert to Alertmanager (resend-delay 2 s) while it fires; whatever
    // reaches us, there is still one incident, and it is firing.
    const store = new IncidentStore(t.bot.runtime.redis, t.bot.runtime.keys);
    const key = await waitFor('incident recorded', async () => {
      const keys = await t.bot.runtime.redis.keys(`${t.bot.runtime.keys.prefix}:alert-thread:*`);
      return keys[0]?.split(':alert-thread:')[1];
    });
    expect((await store.get(key))?.state).toBe('firing');

    exporter.set({ dropsPerSec: 0, timeoutsPerSec: 0 });
    await waitFor('root edited to resolved', () => /RESOLVED/.test(JSON.stringify(t.slack.messages.get(root.ts)!.blocks)), 90_000);
    await waitFor('resolved reply in the thread', () => t.slack.threadReplies('C0TICK', root.ts).find((m) => /resolved after/.test(m.text)));
    expect(t.slack.roots('C0TICK')).toHaveLength(1);
    expect(t.slack.roots('C0ALERTS')).toHaveLength(0);
  });
});
