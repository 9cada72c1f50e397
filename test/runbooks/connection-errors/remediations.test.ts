import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runDiagnosis } from '../../../src/diagnosis/run-diagnosis.js';
import { applyRemediation } from '../../../src/remediation/apply-remediation.js';
import { planWithChoice } from '../../../src/jobs/remediate-job.js';
import type { FakeWorkloadApi } from '../../support/fake-workload-api.js';
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
    expect(plan.verifyChecks).toEqual(['workload', 'pods', 'health']);
    expect(plan.steps[1]).toContain('kubectl rollout status statefulset/vectorizer -n vectorizer --timeout=3s');

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
    ]);
    expect(outcome.verification).toMatchObject({ ok: true });
    expect(outcome.verification!.summary).toMatch(/^recovered — Workload replicas: warn → ok; Pods \(restarts, OOMKilled\): warn → ok; Health endpoint \(\/api\/status\): ok → ok$/);
  });

  it('says the rollout did not complete when pods never become ready, and does not call it recovered', async () => {
    cluster = await startVectorizerCluster(readyPods(2));
    cluster.state.rollout = 'stalls';
    const report = await runDiagnosis(target());
    const plan = report.proposals.find((p) => p.remediationId === 'rollout-restart')!;
    const outcome = await applyRemediation(vectorizerTarget({ health: vectorizer.healthUrl, metrics: vectorizer.metricsUrl, params: { rolloutWaitSeconds: 0.6 } }), plan);
    expect(outcome.execution!.summary).toMatch(/rollout NOT complete after \d+ s \(0\/2 ready, 2 updated\)$/);
    expect(outcome.verification!.ok).toBe(false);
    expect(outcome.verification!.summary).toMatch(/^not recovered — Workload replicas: ok → crit \(statefulset\/vectorizer: 0\/2 replicas ready\)/);
  });

  it('scales to the replica count the approver picked, within min..max, and waits for them to be ready', async () => {
    cluster = await startVectorizerCluster(readyPods(3));
    const report = await runDiagnosis(target());
    const offered = report.proposals.find((p) => p.remediationId === 'scale-out')!;
    expect(offered.params.choices).toEqual([4, 5, 6]);
    const plan = planWithChoice(offered, '5');
    expect(plan.params.replicas).toBe(5);

    const outcome = await applyRemediation(target(), plan);

    const [patch] = cluster.patches();
    expect(patch!.path).toBe(`${STS}/scale`);
    expect(patch!.headers['content-type']).toBe('application/merge-patch+json');
    expect(JSON.parse(patch!.body)).toEqual({ spec: { replicas: 5 } });
    expect(outcome.execution!.summary).toMatch(/^scaled statefulset\/vectorizer -n vectorizer from 3 to 5 replicas; 5 ready after \d+ s$/);
    expect(plan.verifyChecks).toEqual(['workload', 'health', 'connections']);
    expect(outcome.verification).toMatchObject({ ok: true });
    // Connections are shown but not judged: the gauge still reads 96%.
    expect(outcome.verification!.summary).toMatch(/^recovered — ready replicas 5\/5 \(asked 5\); .*Current connections vs max_connections: crit → crit/);
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
