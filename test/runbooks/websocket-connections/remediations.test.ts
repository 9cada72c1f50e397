import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runDiagnosis } from '../../../src/diagnosis/run-diagnosis.js';
import { applyRemediation } from '../../../src/remediation/apply-remediation.js';
import { planWithChoice } from '../../../src/jobs/remediate-job.js';
import type { FakeWorkloadApi } from '../../support/fake-workload-api.js';
import { startFakePrometheus, type FakePrometheus } from '../../support/fake-prometheus.js';
import { HEALTHY, startFakeVitalStream, type FakeVitalStream } from './fake-vitalstream.js';
import { CALM, answersFor, startVitalStreamCluster, vitalstreamTarget, websocketPods } from './vitalstream-scenario.js';

const DEPLOYMENT = '/apis/apps/v1/namespaces/vitalstream/deployments/websocket';

describe('websocket-connections remediations against the Deployment', () => {
  const previousKubeconfig = process.env.KUBECONFIG;
  let service: FakeVitalStream;
  let prometheus: FakePrometheus;
  let cluster: FakeWorkloadApi | undefined;

  beforeAll(async () => {
    service = await startFakeVitalStream();
    prometheus = await startFakePrometheus();
  });
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
    Object.assign(service.behaviour, structuredClone(HEALTHY));
  });
  afterAll(async () => {
    await Promise.all([service?.stop(), prometheus?.stop()]);
    if (previousKubeconfig === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = previousKubeconfig;
  });

  it('restarts the deployment and verifies by re-running the health check and a real handshake', async () => {
    for (const [q, a] of answersFor(CALM)) prometheus.answers.set(q, a);
    cluster = await startVitalStreamCluster(websocketPods(3));
    // A wedged process: /health fails and the socket accepts but never answers, until new pods replace it.
    service.behaviour.health = { code: 503, body: { status: 'unhealthy', error: 'event loop blocked' } };
    service.behaviour.websocket = { kind: 'silent' };
    cluster.state.onRollout = () => Object.assign(service.behaviour, structuredClone(HEALTHY));
    const target = vitalstreamTarget(service, prometheus.url);
    const report = await runDiagnosis(target);
    const plan = report.proposals.find((p) => p.remediationId === 'rollout-restart')!;
    expect(plan.verifyChecks).toEqual(['workload', 'pods', 'health', 'websocket-handshake']);
    expect(plan.steps[0]).toContain('kubectl rollout restart deployment websocket -n vitalstream');

    const outcome = await applyRemediation(target, plan);

    const [patch] = cluster.patches();
    expect(patch!.path).toBe(DEPLOYMENT);
    expect(patch!.headers['content-type']).toBe('application/strategic-merge-patch+json');
    expect(Object.keys(JSON.parse(patch!.body).spec.template.metadata.annotations)).toEqual(['kubectl.kubernetes.io/restartedAt']);
    expect(outcome.before.find((f) => f.checkId === 'websocket-handshake')!.status).toBe('warn');
    expect(outcome.after.find((f) => f.checkId === 'websocket-handshake')!.status).toBe('ok');
    expect(outcome.verification).toMatchObject({ ok: true });
    expect(outcome.verification!.summary).toContain('Service health endpoint: crit → ok');
    expect(outcome.verification!.summary).toContain('WebSocket handshake and ping: warn → ok');
  });

  it('does not call a restart a recovery while the handshake still fails', async () => {
    cluster = await startVitalStreamCluster(websocketPods(2));
    service.behaviour.websocket = { kind: 'refuse', status: 502, reason: 'Bad Gateway' };
    const target = vitalstreamTarget(service, prometheus.url);
    const report = await runDiagnosis(target);
    const outcome = await applyRemediation(target, report.proposals.find((p) => p.remediationId === 'rollout-restart')!);
    expect(outcome.executed).toBe(true);
    expect(outcome.verification!.ok).toBe(false);
    expect(outcome.verification!.summary).toMatch(/WebSocket handshake and ping: crit → crit \(upgrade refused: HTTP 502 Bad Gateway after \d+ ms\)$/);
  });

  it('scales the deployment to the chosen count with a scale patch and waits for the replicas', async () => {
    prometheus.answers.clear();
    for (const [q, a] of answersFor({ ...CALM, cpuByPod: { 'websocket-7b9c5d-a0': 96.5, 'websocket-7b9c5d-b1': 90.1, 'websocket-7b9c5d-c2': 93.3 } })) {
      prometheus.answers.set(q, a);
    }
    cluster = await startVitalStreamCluster(websocketPods(3));
    const target = vitalstreamTarget(service, prometheus.url);
    const report = await runDiagnosis(target);
    const offered = report.proposals.find((p) => p.remediationId === 'scale-out')!;
    expect(offered.summary).toMatch(/^Scale deployment\/websocket from 3 to 4 replicas — busiest pod websocket-7b9c5d-a0 uses 96\.5% of a core/);

    const outcome = await applyRemediation(target, planWithChoice(offered, '7'));

    const [patch] = cluster.patches();
    expect(patch!.path).toBe(`${DEPLOYMENT}/scale`);
    expect(JSON.parse(patch!.body)).toEqual({ spec: { replicas: 7 } });
    expect(cluster.state.pods.filter((p) => p.ready)).toHaveLength(7);
    expect(outcome.execution!.summary).toMatch(/^scaled deployment\/websocket -n vitalstream from 3 to 7 replicas; 7 ready after \d+ s$/);
    expect(outcome.verification).toMatchObject({ ok: true });
    expect(outcome.verification!.summary).toMatch(/^recovered — ready replicas 7\/7 \(asked 7\)/);
  });
});
