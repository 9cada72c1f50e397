import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateCatalog } from '../../../src/catalog/load-catalog.js';
import { resolveTarget } from '../../../src/catalog/resolve-target.js';
import { runDiagnosis } from '../../../src/diagnosis/run-diagnosis.js';
import { applyRemediation } from '../../../src/remediation/apply-remediation.js';
import { startTickstormExporter, type TickstormExporter } from '../../support/tickstorm-exporter.js';
import { startPrometheus, type PrivatePrometheus } from '../../support/prometheus.js';
import { startFakeK8sApi, type FakeK8sApi } from './fake-k8s-api.js';

const GiB = 1024 ** 3;
const POD = 'tickstorm-7d9f-abcde';

/** A TickStorm at its descriptor limit and near its memory limit, with an OOMKilled pod. */
const PRESSURE = {
  connectionsPerSec: 100,
  dropsPerSec: 3,
  openFds: 63_500,
  maxFds: 65_536,
  connectionDurationSeconds: 3,
  container: { namespace: 'tickstorm', pod: POD, container: 'tickstorm', workingSetBytes: 1.95 * GiB, limitBytes: 2 * GiB },
};

describe('connection-drop-rate with descriptor and memory pressure', () => {
  let exporter: TickstormExporter;
  let prometheus: PrivatePrometheus;
  let k8s: FakeK8sApi;
  const previousKubeconfig = process.env.KUBECONFIG;

  beforeAll(async () => {
    exporter = await startTickstormExporter(PRESSURE);
    prometheus = await startPrometheus({
      targets: [{ job: 'tickstorm', target: exporter.target, labels: { service: 'tickstorm', env: 'prod' } }],
    });
    k8s = await startFakeK8sApi({
      namespace: 'tickstorm',
      deployment: 'tickstorm',
      pods: [
        { name: POD, ready: true, restartCount: 4, lastTerminationReason: 'OOMKilled' },
        { name: 'tickstorm-7d9f-fghij', ready: true, restartCount: 0 },
      ],
    });
    process.env.KUBECONFIG = k8s.kubeconfigPath;
    await prometheus.waitForQuery('sum(rate(tick_storm_total_connections_total[4s]))', (v) => v[0]! > 0);
  });

  afterAll(async () => {
    if (previousKubeconfig === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = previousKubeconfig;
    await prometheus?.stop();
    await exporter?.stop();
    await k8s?.stop();
  });

  const resolved = () =>
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
                k8s: { namespace: 'tickstorm', deployment: 'tickstorm' },
                params: { rateWindow: '4s', trendWindow: '1m', trendStepSeconds: 5 },
              },
            },
          },
        },
      }),
      'tickstorm',
      'prod',
    );

  it('blames descriptors and memory, proposes a rolling restart, and fills in the runbook steps', async () => {
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
    expect(byId.get('connection-duration')!.status).toBe('crit');

    const causeIds = report.causes.map((c) => c.id);
    expect(causeIds.slice(0, 2).sort()).toEqual(['fd-exhaustion', 'memory-pressure']);
    expect(report.causes.find((c) => c.id === 'memory-pressure')!.supportedBy).toEqual(expect.arrayContaining(['memory', 'pods']));

    const [plan] = report.proposals;
    expect(plan!.remediationId).toBe('rollout-restart');
    expect(plan!.steps.join('\n')).toContain('kubectl rollout restart deployment/tickstorm -n tickstorm');
    expect(plan!.verifyChecks).toContain('drop-rate');

    const commands = report.manualSteps.flatMap((s) => s.commands);
    expect(commands).toContain('echo "tickstorm soft nofile 65536" >> /etc/security/limits.conf');
    expect(commands).toContain('echo -e "[Service]\\nLimitNOFILE=65536" > /etc/systemd/system/tickstorm.service.d/limits.conf');
    expect(commands).toContain(
      `kubectl patch deployment tickstorm -n tickstorm -p '{"spec":{"template":{"spec":{"containers":[{"name":"tickstorm","resources":{"limits":{"memory":"4Gi"}}}]}}}}'`,
    );
    expect(commands).toContain('kubectl exec -n tickstorm deployment/tickstorm -- ss -s');
    // Resources explain the drops, so the kernel TCP tuning of Scenario 3 is not suggested.
    expect(report.manualSteps.map((s) => s.title).join('\n')).not.toMatch(/TCP backlogs/);
  });

  it('restarts the deployment with a strategic merge patch and verifies by re-measuring the drop rate', async () => {
    const target = resolved();
    const report = await runDiagnosis(target);
    const plan = report.proposals.find((p) => p.remediationId === 'rollout-restart')!;
    // A real restart: fresh processes, counters from zero, and no more drops.
    k8s.onPatch = () => exporter.restart({ dropsPerSec: 0, openFds: 900, connectionDurationSeconds: 120, container: { ...PRESSURE.container, workingSetBytes: 0.5 * GiB } });

    const outcome = await applyRemediation(target, plan, { settleMs: 6000 });

    const patch = k8s.requests.find((r) => r.method === 'PATCH')!;
    expect(patch.url).toBe('/apis/apps/v1/namespaces/tickstorm/deployments/tickstorm');
    expect(patch.headers['content-type']).toBe('application/strategic-merge-patch+json');
    expect(JSON.parse(patch.body).spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toMatch(/^\d{4}-/);
    expect(outcome.executed).toBe(true);
    expect(outcome.before.find((f) => f.checkId === 'drop-rate')!.status).toBe('crit');
    expect(outcome.after.find((f) => f.checkId === 'drop-rate')!.status).toBe('ok');
    expect(outcome.after.find((f) => f.checkId === 'file-descriptors')!.status).toBe('ok');
    expect(outcome.verification).toMatchObject({ ok: true });
    expect(outcome.verification!.summary).toMatch(/^drop rate back under the threshold/);
  });
});
