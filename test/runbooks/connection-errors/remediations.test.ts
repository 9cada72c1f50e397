import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runDiagnosis } from '../../../src/diagnosis/run-diagnosis.js';
import { applyRemediation } from '../../../src/remediation/apply-remediation.js';
import { planWithChoice } from '../../../src/jobs/remediate-job.js';
import { FakeWorkloadApi } from '../../support/fake-workload-api.js';
import { startFakePrometheus } from '../../support/fake-prometheus.js';
import { startFakeVectorizer, type FakeVectorizer } from './fake-vectorizer.js';
import { ONLINE, readyPods, startVectorizerCluster, vectorizerTarget } from './vectorizer-scenario.js';

const STS = '/apis/apps/v1/namespaces/vectorizer/statefulsets/vectorizer';

describe('connection-errors remediations against the StatefulSet', () => {
  const previousKubeconfig = process.env.KUBECONFIG;
  let vectorizer: FakeVectorizer;
  let cluster: FakeWorkloadApi | undefined;

  beforeAll(async () => {
    vectorizer = await startFakeVectorizer({ statusCode: 200, status: ONLINE, connections: { http: 9200, grpc: 400 }, errorsPerSec: { too_many_connections: 30 } });
  });
  beforeEach(() => {
    vectorizer.behaviour.connections = { http: 9200, grpc: 400 };
    vectorizer.setErrorRates({ too_many_connections: 30 });
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

  const target = () => vectorizerTarget({ health: vectorizer.healthUrl, metrics: vectorizer.metricsUrl });

  it('restarts with a strategic merge patch, waits for the rollout and verifies pods and /api/status', async () => {
    cluster = await startVectorizerCluster([
      { name: 'vectorizer-0', ready: true, restartCount: 0 },
      { name: 'vectorizer-1', ready: false, restartCount: 6, lastTerminationReason: 'OOMKilled', waitingReason: 'CrashLoopBackOff' },
      { name: 'vectorizer-2', ready: true, restartCount: 0 },
    ]);
    const report = await runDiagnosis(target());
    const plan = report.proposals.find((p) => p.remediationId === 'rollout-restart')!;
    expect(plan.verifyChecks).toEqual(['workload', 'pods', 'health', 'connection-errors']);
    expect(plan.params.triggeredBy).toEqual(['workload', 'pods', 'connection-errors']);
    expect(plan.steps[1]).toContain('kubectl rollout status statefulset/vectorizer -n vectorizer --timeout=3s');

    // The new pods stop refusing clients.
    cluster.state.onRollout = () => vectorizer.setErrorRates({ too_many_connections: 0 });
    const outcome = await applyRemediation(target(), plan);

    const [patch, ...more] = cluster.patches();
    expect(more).toEqual([]);
    expect(patch!.path).toBe(STS);
    expect(patch!.headers['content-type']).toBe('application/strategic-merge-patch+json');
    const stamp = JSON.parse(patch!.body).spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt'] as string;
    expect(new Date(stamp).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(outcome.executed).toBe(true);
    expect(outcome.execution!.summary).toMatch(
      new RegExp(`^restart of statefulset/vectorizer -n vectorizer requested at ${stamp.replace(/[.]/g, '\\.')}; rollout complete after \\d+ s \\(3/3 ready, 3 updated\\)$`),
    );
    // The wait polled until the controller had replaced the pods, not just once.
    expect(cluster.requests.filter((r) => r.method === 'GET' && r.path === STS).length).toBeGreaterThan(2);
    expect(outcome.before.find((f) => f.checkId === 'pods')!.status).toBe('warn');
    expect(outcome.after.map((f) => [f.checkId, f.status])).toEqual([
      ['workload', 'ok'],
      ['pods', 'ok'],
      ['health', 'ok'],
      ['connection-errors', 'ok'],
    ]);
    expect(outcome.verification).toMatchObject({ ok: true });
    expect(outcome.verification!.summary).toBe(
      'recovered — Workload replicas: warn → ok; Pods (restarts, OOMKilled): warn → ok; Health endpoint (/api/status): ok → ok; ' +
        'Connection errors by type: crit → ok (0 errors/s over 0.4s)',
    );
  });

  it('waits out a flaky API server during the rollout instead of calling the restart partly done', async () => {
    cluster = await startVectorizerCluster(readyPods(3));
    const plan = (await runDiagnosis(target())).proposals.find((p) => p.remediationId === 'rollout-restart')!;
    cluster.state.onRollout = () => vectorizer.setErrorRates({ too_many_connections: 0 });
    cluster.failReadsAfterChange = 2;

    const outcome = await applyRemediation(target(), plan);

    expect(outcome.partial).toBeUndefined();
    expect(outcome.execution!.summary).toMatch(/rollout complete after \d+ s \(3\/3 ready, 3 updated\)$/);
    expect(outcome.verification).toMatchObject({ ok: true });
  });

  it('re-measures the connection errors it restarted for, and does not call pods that came back a recovery while clients are still refused', async () => {
    cluster = await startVectorizerCluster(readyPods(3));
    const report = await runDiagnosis(target());
    const plan = report.proposals.find((p) => p.remediationId === 'rollout-restart')!;
    // Pods, workload and /api/status are fine: only the error rate made the restart worth offering.
    expect(plan.params.triggeredBy).toEqual(['connection-errors']);

    const outcome = await applyRemediation(target(), plan);

    expect(outcome.execution!.summary).toMatch(/rollout complete after \d+ s \(3\/3 ready, 3 updated\)$/);
    expect(outcome.after.find((f) => f.checkId === 'connection-errors')!.status).toBe('crit');
    expect(outcome.verification!.ok).toBe(false);
    expect(outcome.verification!.summary).toMatch(
      /^not recovered — Workload replicas: ok → ok; Pods \(restarts, OOMKilled\): ok → ok; Health endpoint \(\/api\/status\): ok → ok; Connection errors by type: crit → crit \([\d.]+ errors\/s over 0\.4s\)$/,
    );
  });

  it('judges a Prometheus-measured error rate on the last minute, not the 5 minutes that still hold the errors before the restart', async () => {
    const prometheus = await startFakePrometheus();
    try {
      const fiveMin = 'sum by (error_type) (rate(vectorizer_connection_errors_total{service="vectorizer"}[5m]))';
      const oneMin = 'sum (rate(vectorizer_connection_errors_total{service="vectorizer"}[1m]))';
      prometheus.answers.set(fiveMin, [{ metric: { error_type: 'too_many_connections' }, value: 30 }]);
      prometheus.answers.set(oneMin, [{ metric: {}, value: 30 }]);
      cluster = await startVectorizerCluster(readyPods(3));
      const withProm = vectorizerTarget({ health: vectorizer.healthUrl, metrics: vectorizer.metricsUrl, prometheus: prometheus.url });
      const plan = (await runDiagnosis(withProm)).proposals.find((p) => p.remediationId === 'rollout-restart')!;
      expect(plan.notes).toContain('Verified 0 s after the rollout, on the error rate of the last 1m.');
      // After the restart: the 5m window still averages in the old errors, the last minute has none.
      cluster.state.onRollout = () => {
        prometheus.answers.set(fiveMin, [{ metric: { error_type: 'too_many_connections' }, value: 18 }]);
        prometheus.answers.set(oneMin, [{ metric: {}, value: 0 }]);
      };

      const outcome = await applyRemediation(withProm, plan);

      const errors = outcome.after.find((f) => f.checkId === 'connection-errors')!;
      expect(errors.status).toBe('crit');
      expect(errors.data).toMatchObject({ totalPerSec: 18, currentPerSec: 0, currentWindow: '1m', currentStatus: 'ok' });
      expect(outcome.verification!.summary).toMatch(/Connection errors by type: crit → ok \(0 errors\/s over 1m\)$/);
      expect(outcome.verification!.ok).toBe(true);
    } finally {
      await prometheus.stop();
    }
  });

  it('waits for a Deployment\'s old pods to go, as kubectl rollout status does, and leaves Terminating pods out of the verification', async () => {
    cluster = await FakeWorkloadApi.start({
      namespace: 'vectorizer',
      kind: 'deployment',
      name: 'vectorizer',
      matchLabels: { app: 'vectorizer' },
      replicas: 3,
      pods: [
        { name: 'vectorizer-5b8c4d-ax0', ready: true, restartCount: 0 },
        { name: 'vectorizer-5b8c4d-bx1', ready: false, restartCount: 5, waitingReason: 'CrashLoopBackOff' },
        { name: 'vectorizer-5b8c4d-cx2', ready: true, restartCount: 0 },
      ],
      events: [],
      rollout: 'completes',
      rolloutDelayMs: 150,
      // The old ReplicaSet's pods stay counted 700 ms after the new ones are ready, then Terminate for 5 s.
      oldPodsLingerMs: 700,
      oldPodsTerminatingMs: 5000,
      service: { name: 'vectorizer', selector: { app: 'vectorizer' } },
    });
    process.env.KUBECONFIG = cluster.kubeconfigPath;
    const deployment = vectorizerTarget({ health: vectorizer.healthUrl, metrics: vectorizer.metricsUrl, kind: 'deployment' });
    vectorizer.setErrorRates({ too_many_connections: 0 });
    const plan = (await runDiagnosis(deployment)).proposals.find((p) => p.remediationId === 'rollout-restart')!;
    expect(plan.params.triggeredBy).toEqual(['workload', 'pods']);

    const started = Date.now();
    const outcome = await applyRemediation(deployment, plan);

    // Ready replicas reached 3 at ~150 ms (old and new counted together); the rollout was complete only once the
    // old ReplicaSet's pods stopped being counted.
    expect(Date.now() - started).toBeGreaterThanOrEqual(850);
    expect(outcome.execution!.summary).toMatch(/rollout complete after \d+ s \(3\/3 ready, 3 updated\)$/);
    // The old pods are still Terminating while the checks re-run: listed by the API, not part of the workload.
    expect(cluster.state.pods.filter((p) => p.terminating)).toHaveLength(3);
    const pods = outcome.after.find((f) => f.checkId === 'pods')!;
    expect(pods).toMatchObject({ status: 'ok', summary: '3/3 pods ready', data: { pods: 3, notReady: 0 } });
    expect(outcome.verification).toMatchObject({ ok: true });
    expect(outcome.verification!.summary).toMatch(/^recovered — Workload replicas: warn → ok; Pods \(restarts, OOMKilled\): warn → ok/);
  });

  it('says the rollout did not complete when pods never become ready, and does not call it recovered', async () => {
    cluster = await startVectorizerCluster(readyPods(2));
    cluster.state.rollout = 'stalls';
    const report = await runDiagnosis(target());
    const plan = report.proposals.find((p) => p.remediationId === 'rollout-restart')!;
    const outcome = await applyRemediation(vectorizerTarget({ health: vectorizer.healthUrl, metrics: vectorizer.metricsUrl, params: { rolloutWaitSeconds: 0.6 } }), plan);
    expect(outcome.execution!.summary).toMatch(/rollout NOT complete after \d+ s \(0\/2 ready, 2 updated: Waiting for 2 pods to be ready\)$/);
    expect(outcome.verification!.ok).toBe(false);
    expect(outcome.verification!.summary).toMatch(/^not recovered — Workload replicas: ok → crit \(statefulset\/vectorizer: 0\/2 replicas ready, rollout in progress/);
  });

  it('scales to the replica count the approver picked, within min..max, and waits for them to be ready', async () => {
    cluster = await startVectorizerCluster(readyPods(3));
    const report = await runDiagnosis(target());
    const offered = report.proposals.find((p) => p.remediationId === 'scale-out')!;
    expect(offered.params.choices).toEqual([4, 5, 6]);
    const plan = planWithChoice(offered, '5');
    expect(plan.params.replicas).toBe(5);

    // Five replicas share the clients: each holds fewer connections once they reconnect.
    cluster.state.onRollout = () => (vectorizer.behaviour.connections = { http: 5200, grpc: 300 });
    const outcome = await applyRemediation(target(), plan);

    const [patch] = cluster.patches();
    expect(patch!.path).toBe(`${STS}/scale`);
    expect(patch!.headers['content-type']).toBe('application/merge-patch+json');
    expect(JSON.parse(patch!.body)).toEqual({ spec: { replicas: 5 } });
    expect(outcome.execution!.summary).toMatch(/^scaled statefulset\/vectorizer -n vectorizer from 3 to 5 replicas; 5 ready after \d+ s$/);
    expect(plan.verifyChecks).toEqual(['workload', 'health', 'connections']);
    expect(plan.params.triggeredBy).toEqual(['connections']);
    expect(outcome.verification).toMatchObject({ ok: true });
    expect(outcome.verification!.summary).toBe(
      'recovered — ready replicas 5/5 (asked 5); Workload replicas: ok → ok; Health endpoint (/api/status): ok → ok; Current connections vs max_connections: crit → ok',
    );
  });

  it('does not call a scale-out a recovery while the connections it was offered for are still at the limit', async () => {
    cluster = await startVectorizerCluster(readyPods(3));
    const offered = (await runDiagnosis(target())).proposals.find((p) => p.remediationId === 'scale-out')!;

    const outcome = await applyRemediation(target(), planWithChoice(offered, '4'));

    expect(outcome.execution!.summary).toMatch(/from 3 to 4 replicas; 4 ready after \d+ s$/);
    expect(outcome.verification!.ok).toBe(false);
    expect(outcome.verification!.summary).toMatch(
      /^not recovered — ready replicas 4\/4 \(asked 4\); .*Current connections vs max_connections: crit → crit \(9,600 open connections/,
    );
  });

  describe('a scale-out offered for "too many connections" in the logs alone', () => {
    // A WARN line: no "error" in it, so the logs check's own status (error lines) is ok before and after.
    const tooMany = ['2026-01-16T09:14:03.112Z  WARN vectorizer::server: Too many connections, refusing 10.0.4.22:51234'];
    const offer = async () => {
      vectorizer.behaviour.connections = { http: 1500, grpc: 500 };
      vectorizer.setErrorRates({ too_many_connections: 0 });
      cluster = await startVectorizerCluster(readyPods(3, tooMany));
      const report = await runDiagnosis(target());
      expect(report.findings.find((f) => f.checkId === 'logs')).toMatchObject({ status: 'ok', data: { signals: { tooManyConnections: 3 } } });
      const offered = report.proposals.find((p) => p.remediationId === 'scale-out')!;
      expect(offered.params.triggeredBy).toEqual(['logs']);
      expect(offered.verifyChecks).toEqual(['workload', 'health', 'logs']);
      return planWithChoice(offered, '4');
    };

    it('is re-measured on those lines, and not verified while the tails still hold them', async () => {
      const plan = await offer();
      // The pods the scale-out left running keep their logs: the tail read afterwards still holds the old lines.
      cluster!.state.onRollout = () => cluster!.state.pods.forEach((p) => (p.log = tooMany));

      const outcome = await applyRemediation(target(), plan);

      const logs = outcome.after.find((f) => f.checkId === 'logs')!;
      expect(logs.data).toMatchObject({ mayPredateChange: true, signals: { tooManyConnections: 3 } });
      expect(logs.summary).toContain('read after the change, but a tail may still hold lines from before it');
      expect(outcome.verification!.ok).toBe(false);
      expect(outcome.verification!.summary).toMatch(
        /^not recovered — .*Recent pod logs: not re-measured \(3 "too many connections" line\(s\) in the last 3 log lines of 3 pod\(s\), which may be from before the change: the log read cannot start at it\), so not verified$/,
      );
    });

    it('is recovered once no such line is left in what is read', async () => {
      const plan = await offer();
      // The controller's new pods log only their start.
      const outcome = await applyRemediation(target(), plan);

      expect(outcome.verification!.ok).toBe(true);
      expect(outcome.verification!.summary).toMatch(
        /^recovered — .*Recent pod logs: ok → ok \(no "too many connections" line in the last 3 log lines of 3 pod\(s\)\)$/,
      );
    });
  });

  it('refuses a replica count outside the catalog bounds and sends nothing', async () => {
    cluster = await startVectorizerCluster(readyPods(3));
    const report = await runDiagnosis(target());
    const offered = report.proposals.find((p) => p.remediationId === 'scale-out')!;
    const tampered = { ...offered, params: { ...offered.params, replicas: 9 } };

    const outcome = await applyRemediation(target(), tampered);

    expect(outcome.executed).toBe(false);
    expect(outcome.error).toBe('refusing to scale statefulset/vectorizer -n vectorizer to 9 replicas: allowed 2..6 (catalog k8s.minReplicas..maxReplicas)');
    expect(cluster.patches()).toEqual([]);
    expect(() => planWithChoice(offered, '9')).toThrow('"9" is not one of the plan\'s choices');
  });

  it('refuses a plan made for another workload', async () => {
    cluster = await startVectorizerCluster(readyPods(3));
    const report = await runDiagnosis(target());
    const offered = report.proposals.find((p) => p.remediationId === 'rollout-restart')!;
    const outcome = await applyRemediation(target(), { ...offered, params: { ...offered.params, name: 'qdrant' } });
    expect(outcome.error).toBe(
      'plan is for statefulset/qdrant -n vectorizer, the catalog now names statefulset/vectorizer -n vectorizer; re-run the check',
    );
    expect(cluster.patches()).toEqual([]);
  });
});
