import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateCatalog } from '../../../src/catalog/load-catalog.js';
import { resolveTarget } from '../../../src/catalog/resolve-target.js';
import { runDiagnosis } from '../../../src/diagnosis/run-diagnosis.js';
import { parseAlertmanagerWebhook } from '../../../src/alerts/alertmanager-payload.js';
import { alertsFromAlertmanager, deliveryKey } from '../../../src/alerts/incoming-alert.js';
import { routeAlert } from '../../../src/alerts/route-alert.js';
import { startTickstormExporter, type TickstormExporter } from '../../support/tickstorm-exporter.js';
import { startPrometheus, type PrivatePrometheus } from '../../support/prometheus.js';
import { startAlertmanager, startWebhookReceiver, type WebhookReceiver } from '../../support/alertmanager.js';
import type { Daemon } from '../../support/prometheus.js';
import { TICKSTORM_RULES as RULES } from '../../support/tickstorm-rules.js';

const TOKEN = 'test-alertmanager-token-0123456789';


describe('connection-drop-rate against a real Prometheus and Alertmanager', () => {
  let exporter: TickstormExporter;
  let receiver: WebhookReceiver;
  let alertmanager: Daemon;
  let prometheus: PrivatePrometheus;

  beforeAll(async () => {
    // 5 of 100 connections per second dropped: 5%, ten times the alert threshold.
    exporter = await startTickstormExporter({ connectionsPerSec: 100, dropsPerSec: 5, timeoutsPerSec: 1 });
    receiver = await startWebhookReceiver();
    alertmanager = await startAlertmanager({ webhookUrl: receiver.url, bearerToken: TOKEN });
    prometheus = await startPrometheus({
      targets: [{ job: 'tickstorm', target: exporter.target, labels: { service: 'tickstorm', env: 'prod' } }],
      rules: RULES,
      alertmanagerUrl: alertmanager.url,
    });
  });

  afterAll(async () => {
    await prometheus?.stop();
    await alertmanager?.stop();
    await receiver?.stop();
    await exporter?.stop();
  });

  const catalog = () =>
    validateCatalog({
      version: 1,
      defaults: { channel: 'C0ALERTS' },
      services: {
        tickstorm: {
          runbooks: ['connection-drop-rate'],
          envs: {
            prod: {
              prometheus: { url: prometheus.url, selector: '{service="tickstorm"}' },
              http: { health: exporter.healthUrl },
              params: { rateWindow: '10s', trendWindow: '1m', trendStepSeconds: 5 },
            },
          },
          alerts: [{ prometheus: { alertname: 'TickStormConnectionDropRate' }, envFromLabel: 'env' }],
        },
      },
    });

  it('reports crit while drops are high, fires the alert to the webhook, and reports ok once they stop', async () => {
    await prometheus.waitForQuery('sum(rate(tick_storm_total_connections_total[10s]))', (v) => v[0]! > 0);

    const high = await runDiagnosis(resolveTarget(catalog(), 'tickstorm', 'prod'));
    const drop = high.findings.find((f) => f.checkId === 'drop-rate')!;
    expect(drop.status).toBe('crit');
    expect(drop.data.dropRatePct).toBeGreaterThan(3);
    expect(drop.data.dropRatePct).toBeLessThan(7);
    expect(drop.evidence[0]!.call).toContain(
      'sum(rate(tick_storm_connection_errors_total{service="tickstorm",error_type="connection_dropped"}[10s])) / sum(rate(tick_storm_total_connections_total{service="tickstorm"}[10s])) * 100',
    );
    expect(drop.evidence[0]!.cli).toContain(`curl -s '${prometheus.url}/api/v1/query'`);
    expect(high.status).toBe('crit');
    expect(high.findings.find((f) => f.checkId === 'health')!.status).toBe('ok');
    // While the 10 s window fills, rate() under-reads both series alike; their ratio is exact.
    const byType = high.findings.find((f) => f.checkId === 'errors-by-type')!.data.byType as Record<string, number>;
    expect(byType.connection_dropped! / byType.timeout!).toBeCloseTo(5, 1);
    expect(high.findings.find((f) => f.checkId === 'pods')!.skipped).toBe('the catalog names no k8s target for this env');
    // RSS is exported but no limit is known without cAdvisor series: shown, not judged.
    const memory = high.findings.find((f) => f.checkId === 'memory')!;
    expect(memory.status).toBe('unknown');
    expect(memory.summary).toMatch(/resident memory 256 MiB .* no memory limit metric/);
    // Drops with healthy descriptors and memory: the network is the suspect, and its manual steps are shown.
    expect(high.causes[0]!.id).toBe('network-issues');
    expect(high.manualSteps.map((s) => s.title).join('\n')).toMatch(/TCP backlogs/);

    const firing = await receiver.next((w) => w.body.includes('"status":"firing"'));
    expect(firing.headers.authorization).toBe(`Bearer ${TOKEN}`);
    const payload = parseAlertmanagerWebhook(firing.body);
    const [alert] = alertsFromAlertmanager(payload);
    expect(alert!.alertname).toBe('TickStormConnectionDropRate');
    expect(alert!.labels).toMatchObject({ service: 'tickstorm', env: 'prod', severity: 'high' });
    expect(routeAlert(catalog(), alert!)).toEqual({ service: 'tickstorm', env: 'prod', runbookId: 'connection-drop-rate' });

    exporter.set({ dropsPerSec: 0 });
    await prometheus.waitForQuery(
      'sum(rate(tick_storm_connection_errors_total{error_type="connection_dropped"}[10s]))',
      (v) => v[0] === 0,
      30_000,
    );
    const calm = await runDiagnosis(resolveTarget(catalog(), 'tickstorm', 'prod'));
    const after = calm.findings.find((f) => f.checkId === 'drop-rate')!;
    expect(after.status).toBe('ok');
    expect(after.data.dropRatePct).toBe(0);
    expect(calm.causes.map((c) => c.id)).not.toContain('network-issues');

    const resolved = await receiver.next((w) => w.body.includes('"status":"resolved"'));
    const [done] = alertsFromAlertmanager(parseAlertmanagerWebhook(resolved.body));
    expect(done!.fingerprint).toBe(alert!.fingerprint);
    expect(deliveryKey(done!)).not.toBe(deliveryKey(alert!));
  });
});
