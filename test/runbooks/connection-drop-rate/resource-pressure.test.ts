import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { validateCatalog } from '../../../src/catalog/load-catalog.js';
import { resolveTarget } from '../../../src/catalog/resolve-target.js';
import { runDiagnosis } from '../../../src/diagnosis/run-diagnosis.js';
import { applyRemediation } from '../../../src/remediation/apply-remediation.js';
import { startTickstormExporter, type TickstormExporter, type TickstormLoad } from '../../support/tickstorm-exporter.js';
import { startPrometheus, type PrivatePrometheus } from '../../support/prometheus.js';
import { FakeWorkloadApi, type FakeWorkload } from '../../support/fake-workload-api.js';

const GiB = 1024 ** 3;
const POD = 'tickstorm-7d9f8b6c5-x2k9p';
/** Long enough that it still holds the drops before a restart when the checks re-run after it. */
const RATE_WINDOW = '30s';

/** A TickStorm at its descriptor limit and near its memory limit (3% of connections dropped), with an OOMKilled pod. */
const PRESSURE: Partial<TickstormLoad> = {
  connectionsPerSec: 100,
  dropsPerSec: 3,
  openFds: 63_500,
  maxFds: 65_536,
  connectionDurationSeconds: 3,
  container: { namespace: 'tickstorm', pod: POD, container: 'tickstorm', workingSetBytes: 1.95 * GiB, limitBytes: 2 * GiB },
};
/** Fresh processes: descriptors and memory handed back. */
const FRESH: Partial<TickstormLoad> = {
  openFds: 900,
  connectionDurationSeconds: 120,
  container: { ...PRESSURE.container!, workingSetBytes: 0.5 * GiB },
};

describe('connection-drop-rate with descriptor and memory pressure', () => {
  let exporter: TickstormExporter;
  let prometheus: PrivatePrometheus;
  let k8s: FakeWorkloadApi | undefined;
  const previousKubeconfig = process.env.KUBECONFIG;

  beforeAll(async () => {
    exporter = await startTickstormExporter(PRESSURE);
    prometheus = await startPrometheus({
      targets: [{ job: 'tickstorm', target: exporter.target, labels: { service: 'tickstorm', env: 'prod' } }],
    });
  });

  afterEach(async () => {
    await k8s?.stop();
    k8s = undefined;
  });

  afterAll(async () => {
    if (previousKubeconfig === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = previousKubeconfig;
    await prometheus?.stop();
    await exporter?.stop();
  });

  /** Back under pressure (a previous test may have "restarted" it), and the 30 s drop rate over 0.5 %. */
  const underPressure = async () => {
    exporter.restart(PRESSURE);
    await prometheus.waitForQuery(
      `sum(rate(tick_storm_connection_errors_total{error_type="connection_dropped"}[${RATE_WINDOW}])) / sum(rate(tick_storm_total_connections_total[${RATE_WINDOW}])) * 100`,
      (v) => v[0]! > 0.8,
      40_000,
    );
  };

  const cluster = async (over: Partial<FakeWorkload> = {}) => {
    k8s = await FakeWorkloadApi.start({
      namespace: 'tickstorm',
      kind: 'deployment',
      name: 'tickstorm',
      matchLabels: { app: 'tickstorm' },
      replicas: 2,
      pods: [
        { name: POD, ready: true, restartCount: 4, lastTerminationReason: 'OOMKilled' },
        { name: 'tickstorm-7d9f8b6c5-m4vqz', ready: true, restartCount: 0 },
      ],
      events: [],
      rollout: 'completes',
      rolloutDelayMs: 1500,
      ...over,
    });
    process.env.KUBECONFIG = k8s.kubeconfigPath;
    return k8s;
  };

  const resolved = (k8sTarget: Record<string, string> = { namespace: 'tickstorm', deployment: 'tickstorm' }) =>
    resolveTarget(
      validateCatalog({
        version: 1,
        services: {
          tickstorm: {
            runbooks: ['connection-drop-rate'],
            envs: {
              prod: {
                prometheus: { url: prometheus.url, selector: '{service="tickstorm"}' },
                http: { health: exporter.healthUrl },
                k8s: k8sTarget,
                params: { rateWindow: RATE_WINDOW, trendWindow: '1m', trendStepSeconds: 5, rolloutWaitSeconds: 4, rolloutPollSeconds: 0.2 },
              },
            },
          },
        },
      }),
      'tickstorm',
      'prod',
    );

  it('blames descriptors and memory, proposes a rolling restart with its rollout wait, and fills in the runbook steps', async () => {
    await underPressure();
    await cluster();
    const report = await runDiagnosis(resolved());
    const byId = new Map(report.findings.map((f) => [f.checkId, f]));

    expect(byId.get('drop-rate')!.status).toBe('crit');
    expect(byId.get('file-descriptors')!.status).toBe('crit');
    expect(byId.get('file-descriptors')!.summary).toMatch(/63,500 of 65,536 file descriptors open \(96\.9%/);
    expect(byId.get('file-descriptors')!.evidence.map((e) => e.cli)).toContain('lsof -p $(pgrep tickstorm) | wc -l; ulimit -n');
    expect(byId.get('memory')!.status).toBe('crit');
    expect(byId.get('memory')!.summary).toContain(`${POD}: 1.9 GiB of its 2 GiB limit (97.5%`);
    expect(byId.get('memory')!.evidence[0]!.call).toContain(
      'sum by (pod) (container_memory_working_set_bytes{namespace="tickstorm",container="tickstorm"})',
    );
    expect(byId.get('pods')!.status).toBe('warn');
    expect(byId.get('pods')!.summary).toContain('1 last terminated OOMKilled');
    expect(byId.get('pods')!.evidence.map((e) => e.cli)).toContain('kubectl get pods -n tickstorm -l app=tickstorm');
    expect(byId.get('workload')!).toMatchObject({ status: 'ok', summary: 'deployment/tickstorm: 2/2 replicas ready' });
    expect(byId.get('connection-duration')!.status).toBe('crit');

    const causeIds = report.causes.map((c) => c.id);
    expect(causeIds.slice(0, 2).sort()).toEqual(['fd-exhaustion', 'memory-pressure']);
    expect(report.causes.find((c) => c.id === 'memory-pressure')!.supportedBy).toEqual(expect.arrayContaining(['memory', 'pods']));

    const [plan] = report.proposals;
    expect(plan!.remediationId).toBe('rollout-restart');
    expect(plan!.steps.join('\n')).toContain('kubectl rollout restart deployment tickstorm -n tickstorm');
    expect(plan!.steps.join('\n')).toContain('kubectl rollout status deployment/tickstorm -n tickstorm --timeout=4s');
    // Offered for the drops and the two resources short; the pods and the workload must be ok afterwards.
    expect(plan!.params.triggeredBy).toEqual(['drop-rate', 'file-descriptors', 'memory']);
    expect(plan!.verifyChecks.sort()).toEqual(['drop-rate', 'file-descriptors', 'memory', 'pods', 'workload']);
    expect(plan!.notes!.join('\n')).toContain('not on the 30s rate');

    const commands = report.manualSteps.flatMap((s) => s.commands);
    expect(commands).toContain('echo "tickstorm soft nofile 65536" >> /etc/security/limits.conf');
    expect(commands).toContain('echo -e "[Service]\\nLimitNOFILE=65536" > /etc/systemd/system/tickstorm.service.d/limits.conf');
    expect(commands).toContain(
      `kubectl patch deployment tickstorm -n tickstorm -p '{"spec":{"template":{"spec":{"containers":[{"name":"tickstorm","resources":{"limits":{"memory":"4Gi"}}}]}}}}'`,
    );
    expect(commands).toContain('kubectl rollout restart deployment/tickstorm -n tickstorm');
    expect(commands).toContain('kubectl exec -n tickstorm deployment/tickstorm -- ss -s');
    // Resources explain the drops, so the kernel TCP tuning of Scenario 3 is not suggested.
    expect(report.manualSteps.map((s) => s.title).join('\n')).not.toMatch(/TCP backlogs|one by one/);
  });

  it('restarts, waits for the rollout, and verifies the drop rate on the time after the rollout, not on the 30 s rate that still holds the drops', async () => {
    await underPressure();
    const api = await cluster();
    const target = resolved();
    const report = await runDiagnosis(target);
    const plan = report.proposals.find((p) => p.remediationId === 'rollout-restart')!;
    // The new pods: fresh processes, counters from zero, no more drops.
    api.state.onRollout = () => exporter.restart({ ...FRESH, dropsPerSec: 0 });

    const outcome = await applyRemediation(target, plan, { settleMs: 5000 });

    const [patch, ...more] = api.patches();
    expect(more).toEqual([]);
    expect(patch!.path).toBe('/apis/apps/v1/namespaces/tickstorm/deployments/tickstorm');
    expect(patch!.headers['content-type']).toBe('application/strategic-merge-patch+json');
    expect(JSON.parse(patch!.body).spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toMatch(/^\d{4}-/);
    // kubectl rollout status: the workload was read until the new pods were ready.
    expect(outcome.execution!.summary).toMatch(/; rollout complete after \d+ s \(2\/2 ready, 2 updated\)$/);
    expect(outcome.execution!.data).toMatchObject({ rolloutComplete: true });

    const after = outcome.after.find((f) => f.checkId === 'drop-rate')!;
    // Over 30 s the drops before the restart are still there; since the rollout finished there are none.
    expect(after.status).toBe('crit');
    expect(after.data).toMatchObject({ currentPct: 0, currentStatus: 'ok', currentSince: outcome.execution!.data!.rolloutEndedAt });
    expect(after.data.currentWindow).toMatch(/^[4-9]s$/);
    expect(after.evidence.map((e) => e.call).join('\n')).toContain(`[${String(after.data.currentWindow)}]`);
    expect(outcome.after.find((f) => f.checkId === 'pods')).toMatchObject({ status: 'ok', summary: '2/2 pods ready' });
    expect(outcome.verification).toMatchObject({ ok: true });
    expect(outcome.verification!.summary).toMatch(/^recovered — /);
    expect(outcome.verification!.summary).toMatch(/Connection drop rate: crit → ok \(0% over the last \ds since the rollout finished\)/);
    expect(outcome.verification!.summary).toContain('Pods (restarts, OOMKilled): warn → ok');
  });

  it('offers no rolling restart for an OnDelete StatefulSet, hands over the pod-by-pod commands, and refuses a plan made before the switch', async () => {
    await underPressure();
    const api = await cluster({
      kind: 'statefulset',
      replicas: 3,
      pods: [
        { name: 'tickstorm-0', ready: true, restartCount: 4, lastTerminationReason: 'OOMKilled' },
        { name: 'tickstorm-1', ready: true, restartCount: 0 },
        { name: 'tickstorm-2', ready: true, restartCount: 0 },
      ],
      updateStrategy: 'OnDelete',
    });
    const target = resolved({ namespace: 'tickstorm', statefulset: 'tickstorm' });
    const report = await runDiagnosis(target);
    expect(report.findings.find((f) => f.checkId === 'drop-rate')!.status).toBe('crit');
    expect(report.findings.find((f) => f.checkId === 'workload')!.data).toMatchObject({ updateStrategy: 'OnDelete', desired: 3 });
    expect(report.proposals.map((p) => p.remediationId)).not.toContain('rollout-restart');
    const step = report.manualSteps.find((s) => s.title === 'Restart the pods of statefulset/tickstorm -n tickstorm one by one (OnDelete StatefulSet)')!;
    expect(step.why).toContain('uses the OnDelete update strategy');
    expect(step.commands).toEqual(
      [2, 1, 0].map(
        (i) =>
          `kubectl delete pod tickstorm-${i} -n tickstorm && until kubectl get pod tickstorm-${i} -n tickstorm >/dev/null 2>&1; do sleep 1; done && ` +
          `kubectl wait --for=condition=Ready pod/tickstorm-${i} -n tickstorm --timeout=4s`,
      ),
    );
    // Scenario 2's pod-spec change takes effect as each pod is deleted: no rollout restart there either.
    const commands = report.manualSteps.flatMap((s) => s.commands);
    expect(commands).not.toContain('kubectl rollout restart statefulset/tickstorm -n tickstorm');

    // A plan shown while the StatefulSet still rolled its updates, approved after it was switched to OnDelete.
    api.state.updateStrategy = 'RollingUpdate';
    const plan = (await runDiagnosis(target)).proposals.find((p) => p.remediationId === 'rollout-restart')!;
    expect(plan).toBeDefined();
    api.state.updateStrategy = 'OnDelete';
    const outcome = await applyRemediation(target, plan, { settleMs: 0 });
    expect(outcome.executed).toBe(false);
    expect(outcome.error).toMatch(/refusing to restart statefulset\/tickstorm -n tickstorm: it uses the OnDelete update strategy/);
    expect(api.patches()).toEqual([]);
  });

  it('does not verify a restart whose new pods crash-loop, though the reconnect burst pulls the drop rate under the threshold', async () => {
    await underPressure();
    const api = await cluster({ rollout: 'stalls' });
    const target = resolved();
    const plan = (await runDiagnosis(target)).proposals.find((p) => p.remediationId === 'rollout-restart')!;
    // Every client of a replaced pod reconnects: 20× the new connections, the same drops — 0.15 %.
    api.state.onRollout = () => exporter.restart({ ...FRESH, connectionsPerSec: 2000, dropsPerSec: 3 });

    const outcome = await applyRemediation(target, plan, { settleMs: 4000 });

    expect(outcome.execution!.summary).toMatch(/rollout NOT complete after [45] s \(0\/2 ready, 2 updated: .*0 of 2 updated replicas are available\)$/);
    expect(outcome.execution!.data).toMatchObject({ rolloutComplete: false });
    const drop = outcome.after.find((f) => f.checkId === 'drop-rate')!;
    expect(drop.data.currentStatus).toBe('ok');
    expect(drop.data.currentPct).toBeCloseTo(0.15, 1);
    expect(outcome.verification!.ok).toBe(false);
    expect(outcome.verification!.summary).toMatch(/^not recovered — /);
    expect(outcome.verification!.summary).toContain('Pods (restarts, OOMKilled): warn → crit (0/2 pods ready, 2 in CrashLoopBackOff');
    expect(outcome.verification!.summary).toMatch(/Workload replicas: ok → crit/);
    expect(outcome.verification!.summary).toMatch(/Connection drop rate: crit → ok \(0\.15% over the last \ds since the rollout finished\)/);
  });
});
