import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateCatalog } from '../../../src/catalog/load-catalog.js';
import { resolveTarget } from '../../../src/catalog/resolve-target.js';
import { runDiagnosis } from '../../../src/diagnosis/run-diagnosis.js';
import { startPrometheus, type PrivatePrometheus } from '../../support/prometheus.js';
import { startTickstormExporter, type TickstormExporter } from '../../support/tickstorm-exporter.js';
import { freePort } from '../../support/redis-server.js';

function tickstorm(prometheus: { url: string; selector?: string }, health?: string) {
  return resolveTarget(
    validateCatalog({
      version: 1,
      services: {
        tickstorm: {
          runbooks: ['connection-drop-rate'],
          envs: { prod: { prometheus, ...(health ? { http: { health } } : {}), params: { rateWindow: '10s' } } },
        },
      },
    }),
    'tickstorm',
    'prod',
  );
}

describe('connection-drop-rate when data is missing or systems fail', () => {
  let prometheus: PrivatePrometheus;
  let exporter: TickstormExporter;

  beforeAll(async () => {
    // An idle TickStorm (no connections at all) labelled service="idle"; nothing is labelled "tickstorm", so
    // every tickstorm query answers an empty vector.
    exporter = await startTickstormExporter({ connectionsPerSec: 0, dropsPerSec: 0 });
    prometheus = await startPrometheus({ targets: [{ job: 'idle', target: exporter.target, labels: { service: 'idle' } }] });
  });

  afterAll(async () => {
    await prometheus?.stop();
    await exporter?.stop();
  });

  it('reports "no data" as unknown, never as a pass, and proposes nothing', async () => {
    const report = await runDiagnosis(tickstorm({ url: prometheus.url, selector: '{service="tickstorm"}' }));
    const drop = report.findings.find((f) => f.checkId === 'drop-rate')!;
    expect(drop.status).toBe('unknown');
    expect(drop.summary).toBe(
      'no data: tick_storm_total_connections_total has no series for this selector — is Prometheus scraping the service?',
    );
    for (const id of ['active-connections', 'errors-by-type', 'connection-duration', 'file-descriptors', 'memory']) {
      const f = report.findings.find((x) => x.checkId === id)!;
      expect({ id, status: f.status, noData: f.summary.startsWith('no data') }).toEqual({ id, status: 'unknown', noData: true });
    }
    expect(report.findings.find((f) => f.checkId === 'health')!.skipped).toBe('the catalog names no http.health URL for this env');
    expect(report.status).toBe('unknown');
    expect(report.causes).toEqual([]);
    expect(report.proposals).toEqual([]);
    // Nothing could be read, so the runbook's diagnosis steps are handed over; none of its fixes are.
    expect(report.manualSteps.map((s) => s.title)).toEqual([
      'Check the network on the hosts (runbook: Network Issues)',
      'Check file descriptor usage by hand (runbook: Resource Constraints)',
      'Check memory pressure by hand (runbook: Resource Constraints)',
    ]);
    expect(report.manualSteps[1]!.commands).toEqual(['lsof -p $(pgrep tickstorm) | wc -l', 'ulimit -n']);
  });

  it('does not judge a drop rate when there were no connections (0/0)', async () => {
    await prometheus.waitForQuery('count_over_time(tick_storm_total_connections_total{service="idle"}[10s])', (v) => v[0]! >= 2);
    const report = await runDiagnosis(tickstorm({ url: prometheus.url, selector: '{service="idle"}' }), {
      onlyChecks: ['drop-rate', 'connection-duration', 'file-descriptors'],
    });
    const [drop, duration, fds] = report.findings;
    expect(drop!.status).toBe('unknown');
    expect(drop!.summary).toBe('no new connections and no drops (0/0) in the last 10s, so no drop rate to judge');
    expect(duration!.status).toBe('unknown');
    expect(duration!.summary).toBe('no connection ended in the last 10s, so no p50 duration');
    expect(fds!.status).toBe('ok');
  });

  it('turns a PromQL error into an error finding that names the query and Prometheus error type', async () => {
    const report = await runDiagnosis(tickstorm({ url: prometheus.url, selector: '{service=~"("}' }), { onlyChecks: ['drop-rate'] });
    const [drop] = report.findings;
    expect(drop!.status).toBe('error');
    expect(drop!.data.errorCode).toBe('INTEGRATION_FAILED');
    expect(drop!.summary).toContain('bad_data');
    // The dropped and total queries go out together; the summary names whichever Prometheus refused first.
    expect(drop!.summary).toMatch(/tick_storm_(connection_errors_total\{service=~"\(",error_type="connection_dropped"\}|total_connections_total\{service=~"\("\})/);
  });

  it('reports an unreachable Prometheus as an error finding', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const report = await runDiagnosis(tickstorm({ url: closed }), { onlyChecks: ['file-descriptors'] });
    expect(report.findings[0]!.status).toBe('error');
    expect(report.findings[0]!.summary).toMatch(/unreachable \(ECONNREFUSED\) for query `process_open_fds`/);
  });

  it('judges the health endpoint: healthy, unhealthy with a redacted body, and refused', async () => {
    const run = async (health: string) =>
      (await runDiagnosis(tickstorm({ url: prometheus.url }, health), { onlyChecks: ['health'] })).findings[0]!;

    exporter.setHealth(200, { status: 'healthy', connections: 1200 });
    const ok = await run(exporter.healthUrl);
    expect(ok.status).toBe('ok');
    expect(ok.evidence).toEqual([{ call: `GET ${exporter.healthUrl}`, cli: `curl ${exporter.healthUrl}` }]);

    exporter.setHealth(503, { status: 'unhealthy', password: 'hunter2-secret' });
    const bad = await run(exporter.healthUrl);
    expect(bad.status).toBe('crit');
    expect(bad.summary).toMatch(/^unhealthy: HTTP 503 in \d+ ms$/);
    // The body is outside text: shown as a table (an escaped code block in Slack), never as mrkdwn.
    const text = bad.details.map((d) => (d.kind === 'table' ? d.rows.flat().join('\n') : '')).join('');
    expect(text).toContain('"status":"unhealthy"');
    expect(text).not.toContain('hunter2');

    const refused = await run(`http://127.0.0.1:${await freePort()}/health`);
    expect(refused.status).toBe('crit');
    expect(refused.summary).toMatch(/^unreachable: connection refused \(ECONNREFUSED\)/);
  });
});
