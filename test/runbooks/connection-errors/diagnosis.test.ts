import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runDiagnosis } from '../../../src/diagnosis/run-diagnosis.js';
import type { DiagnosisReport } from '../../../src/diagnosis/report.js';
import { freePort } from '../../support/redis-server.js';
import type { FakeWorkloadApi } from '../../support/fake-workload-api.js';
import { startFakeVectorizer, type FakeVectorizer } from './fake-vectorizer.js';
import { ONLINE, readyPods, startVectorizerCluster, vectorizerTarget } from './vectorizer-scenario.js';

const finding = (r: DiagnosisReport, id: string) => r.findings.find((f) => f.checkId === id)!;
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');

describe('connection-errors diagnosis of Vectorizer', () => {
  const previousKubeconfig = process.env.KUBECONFIG;
  let vectorizer: FakeVectorizer;
  let cluster: FakeWorkloadApi | undefined;

  beforeAll(async () => {
    vectorizer = await startFakeVectorizer({ statusCode: 200, status: ONLINE, connections: { http: 1500, grpc: 500 }, errorsPerSec: { timeout: 0 } });
  });
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });
  afterAll(async () => {
    await vectorizer?.stop();
    if (previousKubeconfig === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = previousKubeconfig;
  });

  const reset = (b: Partial<FakeVectorizer['behaviour']>) => {
    Object.assign(vectorizer.behaviour, { statusCode: 200, status: ONLINE, connections: { http: 1500, grpc: 500 } }, b);
    vectorizer.setErrorRates(b.errorsPerSec ?? { timeout: 0 });
  };

  it('finds a healthy service healthy, and says exactly what it looked at', async () => {
    reset({});
    cluster = await startVectorizerCluster(readyPods(3), [
      { type: 'Normal', reason: 'SuccessfulCreate', message: 'create Pod vectorizer-2 in StatefulSet vectorizer successful', object: 'StatefulSet/vectorizer', count: 1 },
    ]);
    const report = await runDiagnosis(vectorizerTarget({ health: vectorizer.healthUrl, metrics: vectorizer.metricsUrl }));

    expect(report.findings.map((f) => [f.checkId, f.status])).toEqual([
      ['workload', 'ok'],
      ['pods', 'ok'],
      ['health', 'ok'],
      ['service-endpoints', 'ok'],
      ['connections', 'ok'],
      ['connection-errors', 'ok'],
      ['logs', 'ok'],
      ['events', 'ok'],
      // Resource metrics come from a Prometheus server, and this env names none.
      ['file-descriptors', 'unknown'],
      ['memory', 'unknown'],
      ['cpu-throttling', 'unknown'],
    ]);
    expect(finding(report, 'cpu-throttling').skipped).toBe('the catalog names no Prometheus for this env');
    expect(report.status).toBe('ok');
    expect(finding(report, 'workload').summary).toBe('statefulset/vectorizer: 3/3 replicas ready');
    expect(finding(report, 'health').summary).toMatch(/^healthy \("online"\): HTTP 200 in \d+ ms$/);
    // Without Prometheus the endpoint behind the Service URL answers for one pod, and the summaries say so.
    expect(finding(report, 'connections').summary).toBe(
      "2,000 open connections (vectorizer_connections_active) — 20% of max_connections 10,000 (warn 80%, crit 95%) — one pod's count, from whichever pod behind the Service answered (no Prometheus to see each pod)",
    );
    expect(finding(report, 'connection-errors').summary).toBe(
      "no new connection errors over 0.4s between two scrapes — without Prometheus, one pod's counters, from whichever pod behind the Service answered",
    );
    expect(finding(report, 'logs').summary).toBe('0 error line(s) in the last 100 lines of 3 pod(s)');
    expect(finding(report, 'events').summary).toBe('no warning events for vectorizer and its pods in the last 60 min');
    expect(finding(report, 'service-endpoints').summary).toBe('Service vectorizer (ClusterIP, selector app=vectorizer): 3 ready endpoint(s)');
    expect(report.causes).toEqual([]);
    expect(report.proposals).toEqual([]);
    expect(report.manualSteps).toEqual([]);

    const clis = report.findings.flatMap((f) => f.evidence.map((e) => e.cli));
    expect(clis).toEqual(
      expect.arrayContaining([
        'kubectl get statefulset vectorizer -n vectorizer -o wide',
        'kubectl get pods -n vectorizer -l app=vectorizer',
        `curl ${vectorizer.healthUrl}`,
        `curl ${vectorizer.metricsUrl} | grep vectorizer_connections`,
        `curl ${vectorizer.metricsUrl} | grep vectorizer_connection_errors`,
        'kubectl logs vectorizer-0 -n vectorizer --tail=100 | grep -i error',
        'kubectl get events -n vectorizer --field-selector type=Warning --sort-by=.lastTimestamp',
        'kubectl get endpointslices -n vectorizer -l kubernetes.io/service-name=vectorizer -o wide',
      ]),
    );
    const logCalls = cluster.requests.filter((r) => r.path.endsWith('/log'));
    expect(logCalls.map((r) => [r.path, r.query.get('tailLines')])).toEqual([
      ['/api/v1/namespaces/vectorizer/pods/vectorizer-0/log', '100'],
      ['/api/v1/namespaces/vectorizer/pods/vectorizer-1/log', '100'],
      ['/api/v1/namespaces/vectorizer/pods/vectorizer-2/log', '100'],
    ]);
  });

  it('ranks "connection limit reached" first near max_connections, offers a bounded scale-out and fills in config.yml', async () => {
    // Counters are integers: over a 0.4 s sample only rates of several per second show up reliably.
    reset({ connections: { http: 9000, grpc: 700 }, errorsPerSec: { too_many_connections: 50, timeout: 5 } });
    const log = [
      '2026-01-16T09:14:03.112Z ERROR vectorizer::server: accept failed: Too many connections (max_connections=10000) peer=10.0.4.22:51234',
      '2026-01-16T09:14:03.380Z ERROR vectorizer::auth: rejected request api_key=sk-live-5f2a9c0e7d from 10.0.4.9',
      '2026-01-16T09:14:04.001Z  WARN vectorizer::server: connection limit reached, refusing new clients',
    ];
    cluster = await startVectorizerCluster(readyPods(3, log));
    const report = await runDiagnosis(vectorizerTarget({ health: vectorizer.healthUrl, metrics: vectorizer.metricsUrl }));

    expect(finding(report, 'connections').status).toBe('crit');
    expect(finding(report, 'connections').summary).toContain('9,700 open connections');
    expect(finding(report, 'connections').summary).toContain('97% of max_connections 10,000');
    const errors = finding(report, 'connection-errors');
    expect(errors.status).toBe('crit');
    expect(errors.summary).toMatch(/^[\d.]+ connection errors\/s over 0\.4s between two scrapes: too_many_connections [\d.]+\/s, timeout [\d.]+\/s — without Prometheus, one pod's counters/);
    expect(errors.data.byTypePerSec).toEqual({ too_many_connections: expect.closeTo(50, -1.2), timeout: expect.closeTo(5, -0.8) });
    expect(finding(report, 'logs').status).toBe('warn');
    expect(finding(report, 'logs').summary).toContain('"too many connections" ×6');
    // Log lines are the application's text: a table (an escaped code block in Slack), never a mrkdwn text detail.
    expect(finding(report, 'logs').details.some((d) => d.kind === 'text')).toBe(false);
    const examples = finding(report, 'logs').details.find((d) => d.kind === 'table' && d.columns.includes('line'));
    expect(examples).toMatchObject({ caption: 'Latest error lines (5 of 6)' });
    expect(JSON.stringify(examples)).toContain('api_key=[redacted]');
    expect(JSON.stringify(report)).not.toContain('sk-live-5f2a9c0e7d');

    expect(report.causes[0]!.id).toBe('connection-limit-reached');
    expect(report.causes[0]!.confidence).toBeGreaterThanOrEqual(0.9);
    expect(report.causes[0]!.supportedBy).toEqual(['connections', 'logs', 'connection-errors']);

    const scale = report.proposals.find((p) => p.remediationId === 'scale-out')!;
    expect(scale.params).toMatchObject({
      namespace: 'vectorizer',
      kind: 'statefulset',
      name: 'vectorizer',
      replicas: 4,
      choices: [4, 5, 6],
      choiceParam: 'replicas',
      currentReplicas: 3,
      minReplicas: 2,
      maxReplicas: 6,
    });
    expect(scale.steps.join('\n')).toContain('kubectl scale statefulset vectorizer --replicas=4 -n vectorizer');
    // The kubeconfig context is part of it: staging's run on the same names in another cluster must not lock prod.
    expect(scale.targetKey).toBe('k8s:prod/vectorizer/statefulset/vectorizer');
    expect(report.proposals.map((p) => p.remediationId)).toEqual(['rollout-restart', 'scale-out']);

    const [config, nofile] = report.manualSteps;
    expect(config!.title).toBe('Raise max_connections to 20,000 in config.yml (Resolution step 2)');
    expect(config!.commands[0]).toBe('# config.yml\nserver:\n  max_connections: 20000\n  connection_timeout: 60\n  keepalive_timeout: 65');
    expect(config!.commands).toContain('kubectl rollout restart statefulset vectorizer -n vectorizer');
    // Each command says where it runs: in a pod, on the nodes (the runtime sets a container's limit), in the image.
    expect(nofile!.commands).toEqual([
      "# In a pod: the limit the service runs with, and the descriptors it holds\nkubectl exec -n vectorizer statefulset/vectorizer -- sh -c 'ulimit -n; ls /proc/1/fd | wc -l'",
      '# The nodes that run the pods\nkubectl get pods -n vectorizer -l app=vectorizer -o custom-columns=POD:.metadata.name,NODE:.spec.nodeName',
      [
        '# On each of those nodes (ssh or a node shell): the container runtime gives containers their limit (containerd shown; CRI-O: default_ulimits in crio.conf)',
        'sudo mkdir -p /etc/systemd/system/containerd.service.d',
        "printf '[Service]\\nLimitNOFILE=65536\\n' | sudo tee /etc/systemd/system/containerd.service.d/nofile.conf",
        'sudo systemctl daemon-reload && sudo systemctl restart containerd',
      ].join('\n'),
      "# Or in the container image's entrypoint, before the service starts (up to the hard limit the runtime allows)\nulimit -n 65536",
      '# Then replace the pods, so they start under the new limit\nkubectl rollout restart statefulset vectorizer -n vectorizer',
    ]);
    expect(nofile!.commands.join('\n')).not.toMatch(/^echo .*limits\.conf/m);
  });

  it('sees a crash-looping, OOM-killed StatefulSet as "service down" and offers only the restart', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const crashLog = ['2026-01-16T09:20:11.500Z ERROR vectorizer::index: memory allocation of 4294967296 bytes failed', 'thread main panicked: out of memory'];
    cluster = await startVectorizerCluster(
      [0, 1, 2].map((i) => ({ name: `vectorizer-${i}`, ready: false, restartCount: 7, lastTerminationReason: 'OOMKilled', waitingReason: 'CrashLoopBackOff', log: crashLog })),
      [
        { type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container vectorizer in pod vectorizer-0_vectorizer(5d1c)', object: 'Pod/vectorizer-0', count: 42, lastTimestamp: minutesAgo(1) },
        { type: 'Warning', reason: 'Unhealthy', message: 'Readiness probe failed: Get "http://10.0.3.5:15002/api/status": dial tcp 10.0.3.5:15002: connect: connection refused', object: 'Pod/vectorizer-1', count: 12, lastTimestamp: minutesAgo(2) },
        { type: 'Warning', reason: 'FailedScheduling', message: '0/5 nodes are available', object: 'Pod/vectorizer-2', count: 3, lastTimestamp: minutesAgo(180) },
        { type: 'Warning', reason: 'BackOff', message: 'Back-off pulling image', object: 'Pod/other-app-0', count: 9, lastTimestamp: minutesAgo(1) },
      ],
    );
    const report = await runDiagnosis(vectorizerTarget({ health: `${closed}/api/status`, metrics: `${closed}/prometheus/metrics` }));

    expect(finding(report, 'workload')).toMatchObject({ status: 'crit', summary: 'statefulset/vectorizer: 0/3 replicas ready' });
    expect(finding(report, 'pods').status).toBe('crit');
    expect(finding(report, 'pods').summary).toBe('0/3 pods ready, 3 in CrashLoopBackOff, 3 last terminated OOMKilled, 3 with ≥3 restarts');
    expect(finding(report, 'pods').data.crashLooping).toBe(3);
    expect(finding(report, 'health').status).toBe('crit');
    expect(finding(report, 'health').summary).toMatch(/^unreachable: connection refused \(ECONNREFUSED\)/);
    expect(finding(report, 'connections').status).toBe('error');
    expect(finding(report, 'connections').summary).toContain('connection refused');
    expect(finding(report, 'events').summary).toBe('54 warning event(s) for vectorizer and its pods in the last 60 min: BackOff ×42, Unhealthy ×12');
    expect(finding(report, 'logs').data).toMatchObject({ podsRead: 3, errorLines: 3, signals: { outOfMemory: 6 } });

    expect(report.status).toBe('crit');
    const [first, ...rest] = report.causes;
    expect(first!.id).toBe('service-down');
    expect(first!.explanation).toContain('no pod ready (0/3)');
    expect(first!.explanation).toContain('crash-looping (42 BackOff events, up to 7 restarts)');
    expect(first!.explanation).toContain('3 pod(s) last terminated OOMKilled');
    expect(first!.supportedBy).toEqual(['pods', 'workload', 'events', 'health']);
    expect(rest.map((c) => c.id)).toEqual(['resource-exhaustion']);
    expect(report.proposals.map((p) => p.remediationId)).toEqual(['rollout-restart']);
    expect(report.proposals[0]!.steps[0]).toContain('kubectl rollout restart statefulset vectorizer -n vectorizer');
    expect(report.manualSteps.map((s) => s.title)).toEqual(['Check resource limits (Immediate action 2)']);
    expect(report.manualSteps[0]!.commands[0]).toBe('kubectl top pod -n vectorizer -l app=vectorizer');
  });

  it('offers to scale a StatefulSet that was scaled to zero back up to the catalog minimum, not a restart', async () => {
    reset({});
    const closed = `http://127.0.0.1:${await freePort()}`;
    cluster = await startVectorizerCluster([], [], 0);
    const report = await runDiagnosis(vectorizerTarget({ health: `${closed}/api/status`, metrics: `${closed}/prometheus/metrics` }));

    expect(finding(report, 'workload')).toMatchObject({ status: 'crit', summary: 'statefulset/vectorizer is scaled to 0 replicas' });
    expect(finding(report, 'pods')).toMatchObject({ status: 'crit', summary: 'no pods match app=vectorizer in namespace vectorizer' });
    expect(report.causes[0]).toMatchObject({ id: 'service-down', explanation: 'statefulset/vectorizer is scaled to 0; health endpoint refused.' });
    expect(report.proposals.map((p) => p.remediationId)).toEqual(['scale-out']);
    expect(report.proposals[0]!.params).toMatchObject({ replicas: 2, choices: [2, 3, 4, 5, 6], currentReplicas: 0 });
    expect(report.proposals[0]!.summary).toMatch(/^Scale statefulset\/vectorizer from 0 to 2 replicas — statefulset\/vectorizer is scaled to 0 replicas\./);
  });

  it('blames the network when every pod is ready but the health endpoint gets no answer', async () => {
    reset({});
    const closed = `http://127.0.0.1:${await freePort()}`;
    cluster = await startVectorizerCluster(readyPods(3));
    const report = await runDiagnosis(vectorizerTarget({ health: `${closed}/api/status`, metrics: vectorizer.metricsUrl }));

    expect(report.causes[0]!.id).toBe('network-issues');
    expect(report.causes[0]!.explanation).toMatch(/^the health endpoint unreachable: connection refused \(ECONNREFUSED\) after \d+ ms; while all 3 pods are ready\.$/);
    expect(report.causes.map((c) => c.id)).not.toContain('service-down');
    const network = report.manualSteps.find((s) => s.title.startsWith('Check the network path'))!;
    expect(network.commands).toContain('kubectl get endpoints vectorizer -n vectorizer');
    expect(network.commands).toContain(`curl -v ${closed}/api/status`);
  });

  it('points at the load balancer when pods and health are fine but errors persist', async () => {
    reset({ connections: { http: 2400, grpc: 600 }, errorsPerSec: { timeout: 10 } });
    cluster = await startVectorizerCluster(readyPods(3), [
      { type: 'Warning', reason: 'Unhealthy', message: 'Liveness probe failed: context deadline exceeded', object: 'Pod/vectorizer-2', count: 4 },
    ]);
    const report = await runDiagnosis(vectorizerTarget({ health: vectorizer.healthUrl, metrics: vectorizer.metricsUrl }));

    expect(finding(report, 'connection-errors').status).toBe('crit');
    expect(report.causes[0]!.id).toBe('load-balancer-issues');
    expect(report.causes[0]!.explanation).toMatch(/^all 3 pods ready and the health endpoint answers, yet [\d.]+ connection errors\/s; 4 probe failure event/);
    const lb = report.manualSteps.find((s) => s.title === 'Fix the load balancer (Resolution step 5)')!;
    expect(lb.commands).toEqual([
      'kubectl get service vectorizer -n vectorizer -o yaml',
      'kubectl get endpoints vectorizer -n vectorizer',
      [
        '# Kubernetes Service',
        'apiVersion: v1',
        'kind: Service',
        'metadata:',
        '  name: vectorizer',
        '  namespace: vectorizer',
        'spec:',
        '  type: LoadBalancer',
        '  sessionAffinity: ClientIP',
        '  sessionAffinityConfig:',
        '    clientIP:',
        '      timeoutSeconds: 10800',
      ].join('\n'),
      `kubectl patch service vectorizer -n vectorizer -p '{"spec":{"sessionAffinity":"ClientIP","sessionAffinityConfig":{"clientIP":{"timeoutSeconds":10800}}}}'`,
    ]);
  });
});
