import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runDiagnosis } from '../../../src/diagnosis/run-diagnosis.js';
import type { DiagnosisReport } from '../../../src/diagnosis/report.js';
import { ratesBetween } from '../../../src/runbooks/connection-errors/service-metrics.js';
import type { FakeWorkloadApi } from '../../support/fake-workload-api.js';
import { startFakePrometheus, type FakePrometheus } from '../../support/fake-prometheus.js';
import { startFakeVectorizer, type FakeVectorizer } from './fake-vectorizer.js';
import { ONLINE, readyPods, startVectorizerCluster, vectorizerTarget } from './vectorizer-scenario.js';

const finding = (r: DiagnosisReport, id: string) => r.findings.find((f) => f.checkId === id)!;
const PER_POD = 'sum by (pod) (vectorizer_connections_active{service="vectorizer"})';

describe('counters read twice through the Service URL', () => {
  it('gives no rate when a counter went down: another pod answered, or it restarted', () => {
    // The reviewed case: 1200 on one pod, 300 on the next is not "300 new errors in 5 s".
    expect(ratesBetween({ refused: 1200 }, { refused: 300 }, 5)).toEqual({
      rates: {},
      unknown: 'counters went down between the scrapes (refused 1,200 → 300): a different pod answered, or it restarted',
    });
    // One counter down means another process: the others' differences compare two processes too.
    expect(ratesBetween({ refused: 1200, timeout: 10 }, { refused: 300, timeout: 90 }, 5)).toMatchObject({ rates: {} });
    expect(ratesBetween({ refused: 12, timeout: 4 }, { refused: 15 }, 5)).toEqual({
      rates: {},
      unknown: 'counters went down between the scrapes (timeout 4 → gone): a different pod answered, or it restarted',
    });
    expect(ratesBetween({ refused: 1 }, { refused: 2 }, 0).unknown).toBe('the two scrapes were not apart in time');
  });

  it('reads a rate from counters that only grew, a kind first seen counting from zero', () => {
    expect(ratesBetween({ refused: 300 }, { refused: 310, timeout: 5 }, 5)).toEqual({ rates: { refused: 2, timeout: 1 } });
  });
});

describe('connection-errors without Prometheus: one pod at a time, behind the Service', () => {
  const previousKubeconfig = process.env.KUBECONFIG;
  let vectorizer: FakeVectorizer;
  let prometheus: FakePrometheus;
  let cluster: FakeWorkloadApi;

  beforeAll(async () => {
    vectorizer = await startFakeVectorizer({ statusCode: 200, status: ONLINE, connections: { http: 1500, grpc: 500 }, errorsPerSec: { refused: 0 } });
    prometheus = await startFakePrometheus();
    cluster = await startVectorizerCluster(readyPods(3));
  });
  afterEach(() => {
    vectorizer.behindService = undefined;
    prometheus.answers.clear();
    prometheus.queries.length = 0;
  });
  afterAll(async () => {
    await Promise.all([vectorizer?.stop(), prometheus?.stop(), cluster?.stop()]);
    if (previousKubeconfig === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = previousKubeconfig;
  });

  const errorsFinding = async () =>
    finding(await runDiagnosis(vectorizerTarget({ health: vectorizer.healthUrl, metrics: vectorizer.metricsUrl }), { onlyChecks: ['connection-errors'] }), 'connection-errors');

  it('calls the rate unknown, not 180/s, when the second scrape reached a pod with lower counters', async () => {
    vectorizer.behindService = [{ errorTotals: { refused: 1200, timeout: 40 } }, { errorTotals: { refused: 300, timeout: 90 } }];
    const errors = await errorsFinding();
    expect(errors.status).toBe('unknown');
    expect(errors.summary).toBe(
      'error rate unknown: counters went down between the scrapes (refused 1,200 → 300): a different pod answered, or it restarted' +
        " — without Prometheus, one pod's counters, from whichever pod behind the Service answered",
    );
    expect(errors.data).not.toHaveProperty('totalPerSec');
  });

  it('calls the rate unknown when the process changed between the scrapes, even though every counter grew', async () => {
    vectorizer.behindService = [
      { errorTotals: { refused: 300 }, processStart: 1768550000 },
      { errorTotals: { refused: 1200 }, processStart: 1768551234 },
    ];
    const errors = await errorsFinding();
    expect(errors.status).toBe('unknown');
    expect(errors.summary).toMatch(/^error rate unknown: the two scrapes came from different processes \(process_start_time_seconds 1768550000 → 1768551234\)/);
  });

  it('never reads a missing second reading as "no errors"', async () => {
    vectorizer.behindService = [{ errorTotals: { refused: 300 } }, { status: 503 }];
    const failed = await errorsFinding();
    expect(failed.status).toBe('unknown');
    expect(failed.summary).toMatch(/^error rate unknown: the second scrape failed \(.*503.*\), so there is nothing to compare the first with/);

    vectorizer.behindService = [{ errorTotals: { refused: 300 } }, {}];
    const empty = await errorsFinding();
    expect(empty.status).toBe('unknown');
    expect(empty.summary).toMatch(/^error rate unknown: the second scrape has no vectorizer_connection_errors_total \(a different pod answered\?\)/);
  });

  it('still measures a rate when both scrapes come from the same process', async () => {
    vectorizer.behindService = [
      { errorTotals: { refused: 300 }, processStart: 1768550000 },
      { errorTotals: { refused: 300 }, processStart: 1768550000 },
    ];
    const errors = await errorsFinding();
    expect(errors.status).toBe('ok');
    expect(errors.summary).toMatch(/^no new connection errors over 0\.4s between two scrapes — without Prometheus, one pod's counters/);
  });

  it('judges every pod\'s connections from Prometheus, the busiest against max_connections, not the pod the Service picked', async () => {
    prometheus.answers.set(PER_POD, [
      { metric: { pod: 'vectorizer-0' }, value: 2000 },
      { metric: { pod: 'vectorizer-1' }, value: 9700 },
      { metric: { pod: 'vectorizer-2' }, value: 1900 },
    ]);
    const report = await runDiagnosis(vectorizerTarget({ health: vectorizer.healthUrl, metrics: vectorizer.metricsUrl, prometheus: prometheus.url }), {
      onlyChecks: ['connections'],
    });
    const connections = finding(report, 'connections');
    // The scrape through the Service sees 2,000 (ok); one pod is at its limit.
    expect(prometheus.queries).toEqual([PER_POD]);
    expect(connections.status).toBe('crit');
    expect(connections.summary).toBe(
      'busiest pod vectorizer-1: 9,700 open connections (vectorizer_connections_active) — 97% of its max_connections 10,000 (warn 80%, crit 95%); 13,600 over 3 pod(s) (Prometheus)',
    );
    expect(connections.data).toMatchObject({ current: 9700, pct: 97, source: 'prometheus', pod: 'vectorizer-1', pods: 3, total: 13600 });
    expect(connections.details[0]).toMatchObject({
      columns: ['pod', 'connections', 'of max_connections'],
      rows: [
        ['vectorizer-1', '9,700', '97%'],
        ['vectorizer-0', '2,000', '20%'],
        ['vectorizer-2', '1,900', '19%'],
      ],
    });
    expect(connections.evidence.map((e) => e.call)).toContain(`PromQL ${PER_POD} (POST ${prometheus.url}/api/v1/query)`);
  });

  it('falls back to the one scrape, and says whose count it is, when Prometheus cannot tell the pods apart', async () => {
    prometheus.answers.set(PER_POD, [{ metric: {}, value: 13600 }]);
    const report = await runDiagnosis(vectorizerTarget({ health: vectorizer.healthUrl, metrics: vectorizer.metricsUrl, prometheus: prometheus.url }), {
      onlyChecks: ['connections'],
    });
    const connections = finding(report, 'connections');
    // The sum over every pod is not judged against one process's limit.
    expect(connections.status).toBe('ok');
    expect(connections.summary).toBe(
      "2,000 open connections (vectorizer_connections_active) — 20% of max_connections 10,000 (warn 80%, crit 95%) — one pod's count, from whichever pod behind the Service answered",
    );
    expect(connections.data).toMatchObject({ source: 'endpoint' });
    expect(connections.details).toContainEqual({
      kind: 'text',
      text: "Prometheus's vectorizer_connections_active series carry no pod label, so no pod's own count can be told from their sum; counted from one scrape through the Service instead.",
    });
  });

  it('judges no file descriptors without a catalog selector: bare process_open_fds is every scraped process', async () => {
    prometheus.answers.set('process_open_fds', [
      { metric: { __name__: 'process_open_fds', job: 'prometheus', instance: 'localhost:9090' }, value: 1020 },
      { metric: { __name__: 'process_open_fds', job: 'node', instance: '10.0.0.4:9100' }, value: 64_000 },
    ]);
    prometheus.answers.set('process_max_fds', [
      { metric: { __name__: 'process_max_fds', job: 'prometheus', instance: 'localhost:9090' }, value: 1024 },
      { metric: { __name__: 'process_max_fds', job: 'node', instance: '10.0.0.4:9100' }, value: 65_536 },
    ]);
    const report = await runDiagnosis(
      vectorizerTarget({ health: vectorizer.healthUrl, metrics: vectorizer.metricsUrl, prometheus: prometheus.url, selector: null }),
    );
    const fds = finding(report, 'file-descriptors');
    expect(fds.status).toBe('unknown');
    expect(fds.summary).toBe(
      "no selector for this service's series: the catalog's prometheus.selector is not set, and process_open_fds without one is every scraped process's (2 process(es) export it (job node, prometheus), none judged)",
    );
    expect(fds.data).toEqual({});
    expect(prometheus.queries).toContain('process_open_fds');
    expect(prometheus.queries).not.toContain('process_max_fds');
    // Another process at its limit is not this service's resource exhaustion.
    expect(report.causes.map((c) => c.id)).not.toContain('resource-exhaustion');
  });
});
