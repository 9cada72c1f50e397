import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runDiagnosis } from '../../../src/diagnosis/run-diagnosis.js';
import type { DiagnosisReport } from '../../../src/diagnosis/report.js';
import { FakeKubeApi } from './fake-kube-api.js';
import { resolveRedisService, sleep, withScenario } from './scenario.js';

const PARAMS = { idleSeconds: 1, trendSamples: 2, trendIntervalMs: 100 };
const REDIS_K8S = { context: 'prod', namespace: 'redis', statefulset: 'redis-master' };

function finding(report: DiagnosisReport, id: string) {
  const f = report.findings.find((x) => x.checkId === id);
  if (!f) throw new Error(`no finding ${id}`);
  return f;
}

// KUBECONFIG is process-wide, so these tests run one after another.
describe('pool-budget check: Σ replicas × poolSize against maxclients, replicas read from Kubernetes', () => {
  let kube: FakeKubeApi | undefined;
  const savedKubeconfig = process.env.KUBECONFIG;

  beforeEach(async () => {
    kube = await FakeKubeApi.start([
      { namespace: 'bruno', name: 'agent-bruno', replicas: 3, readyReplicas: 2 },
      { namespace: 'homepage', name: 'homepage-api', replicas: 2, matchLabels: { app: 'homepage-api' } },
      { namespace: 'tiny', name: 'cron-runner', replicas: 1 },
    ]);
    process.env.KUBECONFIG = kube.writeKubeconfig('prod');
  });

  afterEach(async () => {
    if (savedKubeconfig === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = savedKubeconfig;
    await kube?.stop();
  });

  it('is critical when the pools of all replicas exceed maxclients, and ranks pool-too-large with the arithmetic', () =>
    withScenario(40, async (s) => {
      await s.idle('agent-bruno', 6);
      await sleep(1100);
      const resolved = resolveRedisService(s.url, PARAMS, {
        ...REDIS_K8S,
        clients: [
          { namespace: 'bruno', deployment: 'agent-bruno', poolSize: 20 },
          { namespace: 'homepage', deployment: 'homepage-api', poolSize: 10 },
        ],
      });
      const report = await runDiagnosis(resolved);
      const f = finding(report, 'pool-budget');

      expect(f.status).toBe('crit');
      expect(f.data).toMatchObject({ budget: 80, maxclients: 40, budgetPct: 200, totalReplicas: 5, suggestedPoolSize: 6, connected: 7 });
      expect(f.summary).toBe(
        'Σ replicas × poolSize = 3×20 + 2×10 = 80 connections vs maxclients 40 (200%, warning at 80%); 7 connected now; ' +
          'to fit, pools of at most 6 per pod across 5 replicas',
      );
      expect(f.details[0]).toMatchObject({
        kind: 'table',
        rows: [
          ['deployment/agent-bruno', 'bruno', '3', '2', '20', '60'],
          ['deployment/homepage-api', 'homepage', '2', '2', '10', '20'],
          ['Σ', '', '5', '', '', '80'],
        ],
      });
      expect(f.evidence).toContainEqual({
        call: 'GET /apis/apps/v1/namespaces/bruno/deployments/agent-bruno',
        cli: "kubectl --context prod get deployment -n bruno agent-bruno -o jsonpath='{.spec.replicas}'",
      });
      expect(kube!.requests.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
        'GET /apis/apps/v1/namespaces/bruno/deployments/agent-bruno',
        'GET /apis/apps/v1/namespaces/homepage/deployments/homepage-api',
      ]);
      expect(kube!.requests.every((r) => r.authorization === `Bearer ${kube!.token}`)).toBe(true);

      // With the Redis StatefulSet in the catalog, evidence is the runbook's own kubectl exec line.
      expect(finding(report, 'utilisation').evidence).toContainEqual({
        call: 'INFO clients',
        cli: 'kubectl --context prod exec -n redis redis-master-0 -- redis-cli info clients',
      });

      const cause = report.causes.find((c) => c.id === 'pool-too-large');
      expect(cause).toMatchObject({ supportedBy: ['pool-budget'], confidence: 0.8 });
      expect(cause!.explanation).toBe(
        'agent-bruno 3×20 + homepage-api 2×10 = 80 pool connections against maxclients 40 (200%, more than Redis accepts); ' +
          'pools of ≤ 6 per pod would fit.',
      );
      // Six idle clients at 17.5% of maxclients are a smell; pools that cannot all fit are what will exhaust it.
      expect(report.causes.map((c) => c.id)).toEqual(['pool-too-large', 'idle-connection-leak']);
      expect(report.causes[1]!.explanation).toContain('only 17.5% of maxclients in use');

      const steps = new Map(report.manualSteps.map((m) => [m.title, m]));
      const pools = steps.get('Fix the application connection pools')!;
      expect(pools.why).toContain('Σ replicas × poolSize is 80 against maxclients 40; pools of at most 6 per pod keep it within 80%');
      expect(pools.commands).toContain(
        'kubectl --context prod logs -n bruno -l app.kubernetes.io/name=agent-bruno,app.kubernetes.io/instance=agent-bruno --tail=100 | grep -i "redis\\|connection\\|pool"',
      );
      expect(pools.commands).toContain('kubectl --context prod logs -n homepage -l app=homepage-api --tail=100 | grep -i "timeout\\|refused"');
      expect(pools.commands).toContain('# agent-bruno: poolSize 20 × 3 replicas = 60 → set max_connections ≤ 6');
      expect(steps.get('Scale down over-provisioned client deployments')!.commands).toContain(
        'kubectl --context prod scale deployment -n bruno agent-bruno --replicas=2',
      );
      expect(steps.get('Restart the applications that leak connections')!.commands).toEqual([
        'kubectl --context prod rollout restart deployment/agent-bruno -n bruno',
        'kubectl --context prod rollout status deployment/agent-bruno -n bruno',
        'kubectl --context prod rollout restart deployment/homepage-api -n homepage',
        'kubectl --context prod rollout status deployment/homepage-api -n homepage',
      ]);
      expect(steps.get('Persist the Redis connection settings in HelmRelease redis')!.commands[0]).toBe(
        'kubectl --context prod edit helmrelease redis -n redis',
      );
    }));

  it('is ok when the pools fit, but unknown when a client workload cannot be read', () =>
    withScenario(40, async (s) => {
      const fits = await runDiagnosis(
        resolveRedisService(s.url, PARAMS, { ...REDIS_K8S, clients: [{ namespace: 'tiny', deployment: 'cron-runner', poolSize: 5 }] }),
      );
      expect(finding(fits, 'pool-budget')).toMatchObject({ status: 'ok', data: { budget: 5, budgetPct: 12.5 } });
      expect(fits.causes.map((c) => c.id)).not.toContain('pool-too-large');

      const missing = await runDiagnosis(
        resolveRedisService(s.url, PARAMS, {
          ...REDIS_K8S,
          clients: [
            { namespace: 'tiny', deployment: 'cron-runner', poolSize: 5 },
            { namespace: 'bruno', deployment: 'agent-bruno-v2', poolSize: 20 },
          ],
        }),
      );
      const f = finding(missing, 'pool-budget');
      expect(f.status).toBe('unknown');
      expect(f.summary).toMatch(/; 1 workload not read$/);
      expect(f.data).toMatchObject({
        budget: 5,
        failed: [{ workload: 'deployment/agent-bruno-v2 -n bruno', error: 'deployment/agent-bruno-v2 in namespace bruno not found (404)' }],
      });
    }));

  it('is skipped, saying why, when the env names no client apps or has no k8s target at all', () =>
    withScenario(40, async (s) => {
      const noClients = await runDiagnosis(resolveRedisService(s.url, PARAMS, REDIS_K8S));
      expect(finding(noClients, 'pool-budget').skipped).toBe(
        'the catalog names no k8s.clients (the apps that connect, with their poolSize) for this env',
      );
      const noK8s = await runDiagnosis(resolveRedisService(s.url, PARAMS));
      expect(finding(noK8s, 'pool-budget')).toMatchObject({
        status: 'unknown',
        skipped: 'no k8s target in the catalog for this env, so the client apps’ replicas (× poolSize) cannot be read',
      });
      expect(kube!.requests).toEqual([]);
    }));
});
