import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { validateCatalog } from '../../../src/catalog/load-catalog.js';
import { resolveTarget } from '../../../src/catalog/resolve-target.js';
import { buildContext } from '../../../src/diagnosis/run-diagnosis.js';
import { Integrations } from '../../../src/integrations/integrations.js';
import { K8sCluster } from '../../../src/integrations/k8s/k8s-cluster.js';
import { silentLogger } from '../../../src/log.js';
import type { DropRateParams } from '../../../src/runbooks/connection-drop-rate/params.js';
import { scaleWorkloadRemediation } from '../../../src/runbooks/shared/k8s-workload/scale-workload.js';
import type { RemediationPlan, RunbookContext } from '../../../src/runbooks/types.js';
import { FakeWorkloadApi } from '../../support/fake-workload-api.js';

const REF = { namespace: 'tickstorm', kind: 'statefulset', name: 'tickstorm' } as const;

/** The shared scale remediation's wait against a StatefulSet at the wire. */
describe('a scale waits on replica counts, not on rollout completion', () => {
  const previousKubeconfig = process.env.KUBECONFIG;
  let api: FakeWorkloadApi | undefined;
  let integrations: Integrations | undefined;

  afterEach(async () => {
    await integrations?.close();
    await api?.stop();
    api = undefined;
    integrations = undefined;
  });
  afterAll(() => {
    if (previousKubeconfig === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = previousKubeconfig;
  });

  const scale = scaleWorkloadRemediation<DropRateParams>({
    applies: () => true,
    reason: () => 'test',
    verifyChecks: [],
    alsoShow: [],
    notes: () => [],
  });
  const plan = (replicas: number): RemediationPlan => ({
    remediationId: 'scale-out',
    title: 'Scale statefulset/tickstorm out',
    risk: 'medium',
    summary: '',
    steps: [],
    params: { ...REF, replicas, currentReplicas: 2, choices: [replicas], choiceParam: 'replicas', minReplicas: 1, maxReplicas: 5 },
    verifyChecks: [],
    targetKey: 'k8s:tickstorm/statefulset/tickstorm',
  });

  it('scales an OnDelete StatefulSet with a template change pending, and says when the replicas are ready', async () => {
    api = await FakeWorkloadApi.start({
      ...REF,
      matchLabels: { app: 'tickstorm' },
      replicas: 2,
      pods: [
        { name: 'tickstorm-0', ready: true, restartCount: 0 },
        { name: 'tickstorm-1', ready: true, restartCount: 0 },
      ],
      events: [],
      rollout: 'completes',
      rolloutDelayMs: 300,
      updateStrategy: 'OnDelete',
    });
    process.env.KUBECONFIG = api.kubeconfigPath;
    // A template change: on OnDelete it replaces nothing, and revisions stay apart until the pods are deleted.
    await new K8sCluster().restartWorkload(REF);
    const resolved = resolveTarget(
      validateCatalog({
        version: 1,
        services: {
          tickstorm: {
            runbooks: ['connection-drop-rate'],
            envs: {
              prod: {
                prometheus: { url: 'http://127.0.0.1:9' },
                k8s: { namespace: 'tickstorm', statefulset: 'tickstorm', minReplicas: 1, maxReplicas: 5 },
                params: { rolloutWaitSeconds: 5, rolloutPollSeconds: 0.1 },
              },
            },
          },
        },
      }),
      'tickstorm',
      'prod',
    );
    integrations = new Integrations(resolved.target, 'services.tickstorm.envs.prod');
    const ctx = buildContext(resolved, integrations, silentLogger, new AbortController().signal) as RunbookContext<DropRateParams>;

    const result = await scale.execute(ctx, plan(3));

    expect(result.summary).toMatch(/^scaled statefulset\/tickstorm -n tickstorm from 2 to 3 replicas; 3 ready after \d+ s$/);
    expect(api.state.pods.map((p) => [p.name, p.updated])).toEqual([
      ['tickstorm-0', false],
      ['tickstorm-1', false],
      ['tickstorm-2', true],
    ]);
    const s = await new K8sCluster().readWorkload(REF);
    expect(s).toMatchObject({ updateStrategy: 'OnDelete', desiredReplicas: 3, readyReplicas: 3 });
    expect(s.currentRevision).not.toBe(s.updateRevision);
  });
});
