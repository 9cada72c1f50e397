import { beforeEach, describe, expect, it } from 'vitest';
import { runDiagnosis } from '../../../src/diagnosis/run-diagnosis.js';
import { applyRemediation } from '../../../src/remediation/apply-remediation.js';
import { planWithChoice } from '../../../src/jobs/remediate-job.js';
import { HEALTHY } from './fake-vitalstream.js';
import { CALM, Q, answersFor, startVitalStreamCluster, vitalstreamTarget, websocketPods, type MetricsPicture, useVitalStreamFakes } from './vitalstream-scenario.js';

const DEPLOYMENT = '/apis/apps/v1/namespaces/vitalstream/deployments/websocket';

/** The mass ping timeout of the alert: 13.5/s over 5m, 14.2/s over the last 2m. */
const MASS_DISCONNECT: MetricsPicture = { ...CALM, disconnectionsByReason: { ping_timeout: 12.4, client_close: 0.8, server_error: 0.3 }, disconnectionsNow: 14.2 };
const HOT_CPU: MetricsPicture = { ...CALM, cpuCoresByPod: { 'websocket-7b9c5d-a0': 1.93, 'websocket-7b9c5d-b1': 1.802, 'websocket-7b9c5d-c2': 1.866 } };

describe('websocket-connections remediations against the Deployment', () => {
  const fakes = useVitalStreamFakes();

  const metrics = (m: MetricsPicture) => {
    fakes.prometheus.answers.clear();
    for (const [q, a] of answersFor(m)) fakes.prometheus.answers.set(q, a);
  };

  beforeEach(() => metrics(CALM));

  it('restarts the deployment and verifies by re-running the health check and a real handshake', async () => {
    fakes.cluster = await startVitalStreamCluster(websocketPods(3));
    // A wedged process: /health fails and the socket accepts but never answers, until new pods replace it.
    fakes.service.behaviour.health = { code: 503, body: { status: 'unhealthy', error: 'event loop blocked' } };
    fakes.service.behaviour.websocket = { kind: 'silent' };
    fakes.cluster.state.onRollout = () => Object.assign(fakes.service.behaviour, structuredClone(HEALTHY));
    const target = vitalstreamTarget(fakes.service, fakes.prometheus.url);
    const report = await runDiagnosis(target);
    const plan = report.proposals.find((p) => p.remediationId === 'rollout-restart')!;
    expect(plan.verifyChecks).toEqual(['workload', 'pods', 'health', 'websocket-handshake', 'public-websocket-handshake', 'disconnections']);
    expect(plan.params.triggeredBy).toEqual(['health', 'websocket-handshake']);
    expect(plan.steps[0]).toContain('kubectl rollout restart deployment websocket -n vitalstream');

    const outcome = await applyRemediation(target, plan);

    const [patch] = fakes.cluster.patches();
    expect(patch!.path).toBe(DEPLOYMENT);
    expect(patch!.headers['content-type']).toBe('application/strategic-merge-patch+json');
    expect(Object.keys(JSON.parse(patch!.body).spec.template.metadata.annotations)).toEqual(['kubectl.kubernetes.io/restartedAt']);
    expect(outcome.before.find((f) => f.checkId === 'websocket-handshake')!.status).toBe('warn');
    expect(outcome.after.find((f) => f.checkId === 'websocket-handshake')!.status).toBe('ok');
    expect(outcome.verification).toMatchObject({ ok: true });
    expect(outcome.verification!.summary).toContain('Service health endpoint: crit → ok');
    expect(outcome.verification!.summary).toContain('WebSocket handshake and ping (in-cluster): warn → ok');
    // Re-run though it did not trigger this restart: judged on the last 2m as "not worse".
    expect(outcome.verification!.summary).toContain('Disconnection rate by reason: ok → ok (0.19/s over the last 2m)');
  });

  it('does not call a restart a recovery while the handshake still fails', async () => {
    fakes.cluster = await startVitalStreamCluster(websocketPods(2));
    fakes.service.behaviour.websocket = { kind: 'refuse', status: 502, reason: 'Bad Gateway' };
    const target = vitalstreamTarget(fakes.service, fakes.prometheus.url);
    const report = await runDiagnosis(target);
    const outcome = await applyRemediation(target, report.proposals.find((p) => p.remediationId === 'rollout-restart')!);
    expect(outcome.executed).toBe(true);
    expect(outcome.verification!.ok).toBe(false);
    expect(outcome.verification!.summary).toMatch(/WebSocket handshake and ping \(in-cluster\): crit → crit \(upgrade refused: HTTP 502 Bad Gateway after \d+ ms\)/);
  });

  describe('a restart offered for a mass disconnection', () => {
    const offer = async () => {
      metrics(MASS_DISCONNECT);
      fakes.cluster = await startVitalStreamCluster(websocketPods(3));
      const target = vitalstreamTarget(fakes.service, fakes.prometheus.url);
      const report = await runDiagnosis(target);
      // Every endpoint answers: the disconnection rate alone is why the restart is offered.
      expect(report.findings.filter((f) => !f.skipped && f.status !== 'ok').map((f) => f.checkId)).toEqual(['disconnections']);
      const plan = report.proposals.find((p) => p.remediationId === 'rollout-restart')!;
      expect(plan.verifyChecks).toContain('disconnections');
      expect(plan.params.triggeredBy).toEqual(['disconnections']);
      return { target, plan };
    };

    it('is verified only once the current disconnection rate is back under the line it crossed', async () => {
      const { target, plan } = await offer();
      fakes.cluster!.state.onRollout = () => metrics({ ...MASS_DISCONNECT, disconnectionsNow: 0.4 });

      const outcome = await applyRemediation(target, plan);

      expect(fakes.prometheus.queries.filter((q) => q === Q.disconnectionsNow).length).toBeGreaterThanOrEqual(3);
      expect(outcome.verification).toMatchObject({ ok: true });
      // The 5m rate would still read crit; the current 2m rate is what the restart is judged on.
      expect(outcome.after.find((f) => f.checkId === 'disconnections')!.status).toBe('crit');
      expect(outcome.verification!.summary).toMatch(/^recovered — .*Disconnection rate by reason: crit → ok \(0\.4\/s over the last 2m\)/);
    });

    it('counts crit → warn as improved, not recovered', async () => {
      const { target, plan } = await offer();
      fakes.cluster!.state.onRollout = () => metrics({ ...MASS_DISCONNECT, disconnectionsNow: 3.1 });

      const outcome = await applyRemediation(target, plan);

      expect(outcome.verification).toMatchObject({ ok: true });
      expect(outcome.verification!.summary).toMatch(/^improved — .*Disconnection rate by reason: crit → warn \(3\.1\/s over the last 2m\)/);
    });

    it('is not verified while the pods are healthy but clients keep being disconnected', async () => {
      const { target, plan } = await offer();

      const outcome = await applyRemediation(target, plan);

      expect(outcome.after.find((f) => f.checkId === 'health')!.status).toBe('ok');
      expect(outcome.after.find((f) => f.checkId === 'websocket-handshake')!.status).toBe('ok');
      expect(outcome.verification).toMatchObject({ ok: false });
      expect(outcome.verification!.summary).toMatch(/^not recovered — .*Disconnection rate by reason: crit → crit \(14\.2\/s over the last 2m\)/);
    });

    it('is not verified when the disconnection rate could not be re-measured', async () => {
      const { target, plan } = await offer();
      // Prometheus loses the series during the rollout: nobody saw the rate improve.
      fakes.cluster!.state.onRollout = () => fakes.prometheus.answers.clear();

      const outcome = await applyRemediation(target, plan);

      expect(outcome.verification).toMatchObject({ ok: false });
      expect(outcome.verification!.summary).toContain(
        'Disconnection rate by reason: not re-measured (no data: websocket_disconnections_total has no series in the last 5m), so not verified',
      );
    });
  });

  it('scales the deployment to the chosen count and verifies the CPU pressure that triggered it', async () => {
    metrics(HOT_CPU);
    fakes.cluster = await startVitalStreamCluster(websocketPods(3));
    fakes.cluster.state.onRollout = () => metrics({ ...CALM, cpuCoresByPod: { 'websocket-6c9d7f-ax0': 0.8, 'websocket-6c9d7f-bx1': 0.84 } });
    const target = vitalstreamTarget(fakes.service, fakes.prometheus.url);
    const report = await runDiagnosis(target);
    const offered = report.proposals.find((p) => p.remediationId === 'scale-out')!;
    expect(offered.summary).toMatch(/^Scale deployment\/websocket from 3 to 4 replicas — busiest pod websocket-7b9c5d-a0 uses 1\.93 cores, 96\.5% of its 2-core limit/);
    expect(offered.verifyChecks).toEqual(['workload', 'health', 'websocket-handshake', 'cpu', 'public-websocket-handshake', 'active-connections']);
    expect(offered.params.triggeredBy).toEqual(['cpu']);

    const outcome = await applyRemediation(target, planWithChoice(offered, '7'));

    const [patch] = fakes.cluster.patches();
    expect(patch!.path).toBe(`${DEPLOYMENT}/scale`);
    expect(JSON.parse(patch!.body)).toEqual({ spec: { replicas: 7 } });
    expect(fakes.cluster.state.pods.filter((p) => p.ready)).toHaveLength(7);
    expect(outcome.execution!.summary).toMatch(/^scaled deployment\/websocket -n vitalstream from 3 to 7 replicas; 7 ready after \d+ s$/);
    expect(outcome.verification).toMatchObject({ ok: true });
    expect(outcome.verification!.summary).toMatch(/^recovered — ready replicas 7\/7 \(asked 7\); .*CPU usage against the limit: crit → ok/);
  });

  it('does not verify a scale-out whose replicas are ready while the CPU stays at the limit', async () => {
    metrics(HOT_CPU);
    fakes.cluster = await startVitalStreamCluster(websocketPods(3));
    const target = vitalstreamTarget(fakes.service, fakes.prometheus.url);
    const report = await runDiagnosis(target);

    const outcome = await applyRemediation(target, report.proposals.find((p) => p.remediationId === 'scale-out')!);

    expect(fakes.cluster.state.pods.filter((p) => p.ready)).toHaveLength(4);
    expect(outcome.verification).toMatchObject({ ok: false });
    expect(outcome.verification!.summary).toMatch(/^not recovered — ready replicas 4\/4 \(asked 4\); .*CPU usage against the limit: crit → crit \(busiest pod websocket-7b9c5d-a0 uses 1\.93 cores, 96\.5% of its 2-core limit/);
  });
});
