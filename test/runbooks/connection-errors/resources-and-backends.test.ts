import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runDiagnosis } from '../../../src/diagnosis/run-diagnosis.js';
import type { DiagnosisReport } from '../../../src/diagnosis/report.js';
import type { FakeWorkloadApi } from '../../support/fake-workload-api.js';
import { startFakePrometheus, type FakePrometheus } from '../../support/fake-prometheus.js';
import { startFakeVectorizer, type FakeVectorizer } from './fake-vectorizer.js';
import { ONLINE, readyPods, startVectorizerCluster, vectorizerTarget } from './vectorizer-scenario.js';

const finding = (r: DiagnosisReport, id: string) => r.findings.find((f) => f.checkId === id)!;

const OPEN_FDS = 'process_open_fds{service="vectorizer"}';
const MAX_FDS = 'process_max_fds{service="vectorizer"}';
const WORKING_SET = 'sum by (pod) (container_memory_working_set_bytes{namespace="vectorizer",container="vectorizer"})';
const MEMORY_LIMIT = 'sum by (pod) (container_spec_memory_limit_bytes{namespace="vectorizer",container="vectorizer"})';
const PODS_MATCH = 'namespace="vectorizer",pod=~"vectorizer-[0-9]+",container!="",container!="POD"';
const THROTTLED =
  `sum by (pod) (rate(container_cpu_cfs_throttled_periods_total{${PODS_MATCH}}[5m])) / ` +
  `sum by (pod) (rate(container_cpu_cfs_periods_total{${PODS_MATCH}}[5m]))`;

const perPod = (values: number[]) => values.map((value, i) => ({ metric: { pod: `vectorizer-${i}` }, value }));
const fds = (open: number[], max: number) => {
  const labels = (i: number) => ({ service: 'vectorizer', instance: `10.0.3.${10 + i}:15002`, pod: `vectorizer-${i}` });
  return {
    open: open.map((value, i) => ({ metric: { __name__: 'process_open_fds', ...labels(i) }, value })),
    max: open.map((_, i) => ({ metric: { __name__: 'process_max_fds', ...labels(i) }, value: max })),
  };
};

describe('connection-errors: resource limits, the backend pool, and when a restart is worth offering', () => {
  const previousKubeconfig = process.env.KUBECONFIG;
  let vectorizer: FakeVectorizer;
  let prometheus: FakePrometheus;
  let cluster: FakeWorkloadApi | undefined;

  beforeAll(async () => {
    vectorizer = await startFakeVectorizer({ statusCode: 200, status: ONLINE, connections: { http: 1500, grpc: 500 }, errorsPerSec: { timeout: 0 } });
    prometheus = await startFakePrometheus();
  });
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
    prometheus.answers.clear();
    prometheus.queries.length = 0;
  });
  afterAll(async () => {
    await Promise.all([vectorizer?.stop(), prometheus?.stop()]);
    if (previousKubeconfig === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = previousKubeconfig;
  });

  const reset = (b: Partial<FakeVectorizer['behaviour']>) => {
    Object.assign(vectorizer.behaviour, { statusCode: 200, status: ONLINE, connections: { http: 1500, grpc: 500 } }, b);
    vectorizer.setErrorRates(b.errorsPerSec ?? { timeout: 0 });
  };
  const target = (params: Record<string, number | string> = {}, withPrometheus = true) =>
    vectorizerTarget({ health: vectorizer.healthUrl, metrics: vectorizer.metricsUrl, ...(withPrometheus ? { prometheus: prometheus.url } : {}), params });

  it('offers no restart for an error line in each pod log and a trickle of connection errors', async () => {
    // 10 errors/s, judged against a warn line of 1/s and a crit line of 100/s: a warning, not an outage.
    reset({ errorsPerSec: { timeout: 10 } });
    const log = ['2026-01-16T09:14:03.112Z ERROR vectorizer::grpc: client 10.0.4.22 went away mid-request', '2026-01-16T09:14:04.001Z  INFO vectorizer::api: POST /collections/docs/search 200 3.9ms'];
    cluster = await startVectorizerCluster(readyPods(3, log));
    const report = await runDiagnosis(target({ errorsWarnPerSec: 1, errorsCritPerSec: 100 }, false));

    expect(finding(report, 'logs')).toMatchObject({ status: 'warn', summary: '3 error line(s) in the last 100 lines of 3 pod(s)' });
    expect(finding(report, 'connection-errors').status).toBe('warn');
    expect(['workload', 'pods', 'health'].map((id) => finding(report, id).status)).toEqual(['ok', 'ok', 'ok']);
    expect(report.proposals.map((p) => p.remediationId)).not.toContain('rollout-restart');
  });

  it('reads descriptors, memory and CPU throttling from Prometheus into "resource exhaustion" and its manual step', async () => {
    reset({ errorsPerSec: { timeout: 10 } });
    const f = fds([63_900, 31_000, 12_000], 65_536);
    prometheus.answers.set(OPEN_FDS, f.open);
    prometheus.answers.set(MAX_FDS, f.max);
    prometheus.answers.set(WORKING_SET, perPod([1.2e9, 1.1e9, 1.0e9]));
    prometheus.answers.set(MEMORY_LIMIT, perPod([4 * 2 ** 30, 4 * 2 ** 30, 4 * 2 ** 30]));
    prometheus.answers.set(THROTTLED, perPod([0.62, 0.31, 0.05]));
    cluster = await startVectorizerCluster(readyPods(3));
    const report = await runDiagnosis(target({ errorsWarnPerSec: 1, errorsCritPerSec: 100 }));

    expect(prometheus.queries).toEqual(expect.arrayContaining([OPEN_FDS, MAX_FDS, WORKING_SET, MEMORY_LIMIT, THROTTLED]));
    expect(finding(report, 'file-descriptors')).toMatchObject({
      status: 'crit',
      summary: '10.0.3.10:15002: 63,900 of 65,536 file descriptors open (97.5%; warn 80%, crit 95%)',
    });
    expect(finding(report, 'file-descriptors').evidence.map((e) => e.cli)).toContain(
      "kubectl exec -n vectorizer statefulset/vectorizer -- sh -c 'ulimit -n; ls /proc/1/fd | wc -l'",
    );
    expect(finding(report, 'memory').status).toBe('ok');
    expect(finding(report, 'cpu-throttling')).toMatchObject({
      status: 'crit',
      summary: 'vectorizer-0 throttled in 62% of CPU periods over 5m (warn 25%, crit 50%)',
    });

    const cause = report.causes.find((c) => c.id === 'resource-exhaustion')!;
    expect(cause.explanation).toBe(
      '63,900 of 65,536 file descriptors open (97.5%): at the nofile limit; vectorizer-0 CPU-throttled in 62% of periods.',
    );
    expect(cause.supportedBy).toEqual(['file-descriptors', 'cpu-throttling']);
    // Pods ready and /api/status fine while errors persist would point past the pods, but the pods explain it.
    expect(report.causes.map((c) => [c.id, c.confidence])).toEqual([
      ['resource-exhaustion', 0.85],
      ['load-balancer-issues', 0.3],
    ]);

    const titles = report.manualSteps.map((s) => s.title);
    expect(titles.slice(0, 2)).toEqual(['Raise the file descriptor limit to 65536 (Resolution step 3)', 'Check resource limits (Immediate action 2)']);
    const limits = report.manualSteps[1]!;
    expect(limits.why).toContain('at the nofile limit');
    expect(limits.commands).toEqual([
      'kubectl top pod -n vectorizer -l app=vectorizer',
      'kubectl describe statefulset/vectorizer -n vectorizer | grep -A4 -i limits',
      'kubectl exec -n vectorizer statefulset/vectorizer -- free -h',
      'kubectl exec -n vectorizer statefulset/vectorizer -- top -b -n 1',
      "kubectl exec -n vectorizer statefulset/vectorizer -- sh -c 'ulimit -n; ls /proc/1/fd | wc -l'",
      "kubectl exec -n vectorizer statefulset/vectorizer -- sh -c 'cat /sys/fs/cgroup/cpu.stat 2>/dev/null || cat /sys/fs/cgroup/cpu/cpu.stat'",
    ]);

    // Leaked descriptors are what a restart hands back; throttling is what more replicas share.
    const restart = report.proposals.find((p) => p.remediationId === 'rollout-restart')!;
    expect(restart.params.triggeredBy).toEqual(['file-descriptors', 'connection-errors']);
    expect(restart.verifyChecks).toEqual(['workload', 'pods', 'health', 'file-descriptors', 'connection-errors']);
    const scale = report.proposals.find((p) => p.remediationId === 'scale-out')!;
    expect(scale.params.triggeredBy).toEqual(['cpu-throttling']);
    expect(scale.verifyChecks).toEqual(['workload', 'health', 'cpu-throttling']);
    expect(scale.summary).toContain('vectorizer-0 is CPU-throttled in 62% of periods');
  });

  it('sees an empty backend pool: pods ready, the Service selecting none of them', async () => {
    reset({});
    cluster = await startVectorizerCluster(readyPods(3), [], 3, { name: 'vectorizer', selector: { app: 'vectorizer-api' }, type: 'LoadBalancer', loadBalancerIngress: ['a1b2.elb.amazonaws.com'] });
    const report = await runDiagnosis(target({}, false));

    expect(finding(report, 'service-endpoints')).toMatchObject({
      status: 'crit',
      summary: 'Service vectorizer has no ready endpoints — the backend pool is empty (none listed; selector app=vectorizer-api); load balancer a1b2.elb.amazonaws.com',
      data: { service: 'vectorizer', type: 'LoadBalancer', selector: 'app=vectorizer-api', ready: 0, notReady: 0 },
    });
    expect(report.causes[0]).toMatchObject({
      id: 'load-balancer-issues',
      confidence: 0.9,
      explanation: 'Service vectorizer has no ready endpoints while 3 pod(s) are ready: the backend pool is empty (the Service selects app=vectorizer-api).',
      supportedBy: ['service-endpoints', 'pods'],
    });
    expect(report.proposals.map((p) => p.remediationId)).toEqual([]);
    const lb = report.manualSteps.find((s) => s.title === 'Fix the load balancer (Resolution step 5)')!;
    expect(lb.commands).toEqual(
      expect.arrayContaining(["kubectl get service vectorizer -n vectorizer -o jsonpath='{.spec.selector}'", 'kubectl get pods -n vectorizer -l app=vectorizer --show-labels']),
    );
    const calls = cluster.requests.map((r) => `${r.path}${r.query.size ? `?${r.query.toString()}` : ''}`);
    expect(calls).toContain('/api/v1/namespaces/vectorizer/services/vectorizer');
    expect(calls).toContain('/apis/discovery.k8s.io/v1/namespaces/vectorizer/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dvectorizer');
  });

  it('does not blame the backend pool when the pods themselves are down', async () => {
    reset({});
    cluster = await startVectorizerCluster([0, 1].map((i) => ({ name: `vectorizer-${i}`, ready: false, restartCount: 4, waitingReason: 'CrashLoopBackOff' })));
    const report = await runDiagnosis(target({}, false));
    expect(finding(report, 'service-endpoints')).toMatchObject({ status: 'crit', data: { ready: 0, notReady: 2 } });
    expect(report.causes.map((c) => c.id)).not.toContain('load-balancer-issues');
    expect(report.causes[0]!.id).toBe('service-down');
  });
});
