import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDiagnosis } from '../../../src/diagnosis/run-diagnosis.js';
import type { FakeWorkloadApi } from '../../support/fake-workload-api.js';
import { startFakeVectorizer, type FakeVectorizer } from './fake-vectorizer.js';
import { startFakePrometheus, type FakePrometheus } from '../../support/fake-prometheus.js';
import { ONLINE, readyPods, startVectorizerCluster, vectorizerTarget } from './vectorizer-scenario.js';

const RATE_QUERY = 'sum by (error_type) (rate(vectorizer_connection_errors_total{service="vectorizer"}[5m]))';
const CURRENT_QUERY = 'sum (rate(vectorizer_connection_errors_total{service="vectorizer"}[1m]))';

describe('connection-errors rates from the catalog Prometheus', () => {
  const previousKubeconfig = process.env.KUBECONFIG;
  let vectorizer: FakeVectorizer;
  let prometheus: FakePrometheus;
  let cluster: FakeWorkloadApi;

  beforeAll(async () => {
    vectorizer = await startFakeVectorizer({ statusCode: 200, status: ONLINE, connections: { http: 3000 }, errorsPerSec: { too_many_connections: 0, timeout: 0 } });
    prometheus = await startFakePrometheus();
    cluster = await startVectorizerCluster(readyPods(2));
  });
  afterAll(async () => {
    await Promise.all([vectorizer?.stop(), prometheus?.stop(), cluster?.stop()]);
    if (previousKubeconfig === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = previousKubeconfig;
  });

  it('takes the 5m rate from Prometheus, grouped by the label the endpoint uses, without a second scrape', async () => {
    prometheus.answers.set(RATE_QUERY, [
      { metric: { error_type: 'too_many_connections' }, value: 0.35 },
      { metric: { error_type: 'timeout' }, value: 0.02 },
    ]);
    prometheus.answers.set(CURRENT_QUERY, [{ metric: {}, value: 1.5 }]);
    const before = vectorizer.scrapes;
    const report = await runDiagnosis(vectorizerTarget({ health: vectorizer.healthUrl, metrics: vectorizer.metricsUrl, prometheus: prometheus.url }), {
      onlyChecks: ['connection-errors'],
    });
    const [errors] = report.findings;
    expect(prometheus.queries).toEqual([RATE_QUERY, CURRENT_QUERY]);
    expect(vectorizer.scrapes - before).toBe(1);
    expect(errors!.status).toBe('warn');
    expect(errors!.summary).toBe('0.37 connection errors/s over 5m (Prometheus): too_many_connections 0.35/s, timeout 0.02/s');
    expect(errors!.data).toMatchObject({ source: 'prometheus', typeLabel: 'error_type', totalsByType: { too_many_connections: 1000, timeout: 2000 } });
    // The last minute is judged apart: what a verification after a restart reads.
    expect(errors!.data).toMatchObject({ currentPerSec: 1.5, currentWindow: '1m', currentStatus: 'crit' });
    expect(errors!.details).toContainEqual({ kind: 'text', text: 'Over the last 1m: 1.5 errors/s.' });
    expect(errors!.evidence.map((e) => e.call)).toContain(`PromQL ${RATE_QUERY} (POST ${prometheus.url}/api/v1/query)`);
  });

  it('falls back to two scrapes, and says so, when Prometheus has no series for the service', async () => {
    prometheus.answers.clear();
    const before = vectorizer.scrapes;
    const report = await runDiagnosis(vectorizerTarget({ health: vectorizer.healthUrl, metrics: vectorizer.metricsUrl, prometheus: prometheus.url }), {
      onlyChecks: ['connection-errors'],
    });
    const [errors] = report.findings;
    expect(vectorizer.scrapes - before).toBe(2);
    expect(errors!.status).toBe('ok');
    expect(errors!.summary).toBe(
      "no new connection errors over 0.4s between two scrapes — without Prometheus, one pod's counters, from whichever pod behind the Service answered",
    );
    expect(errors!.details).toContainEqual({
      kind: 'text',
      text: 'Prometheus has no vectorizer_connection_errors_total series for {service="vectorizer"}; rate measured from two scrapes instead.',
    });
  });
});
