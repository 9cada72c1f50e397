import type { CheckResult, Status } from '../../../domain/finding.js';
import { rolloutStatus } from '../../../integrations/k8s/rollout-status.js';
import type { Check } from '../../types.js';
import { workloadPath, workloadRef } from './workload-ref.js';

export const WORKLOAD = 'workload';

/** What the remediations plan from and verify against. */
export interface WorkloadData {
  namespace: string;
  kind: 'deployment' | 'statefulset';
  name: string;
  desired: number;
  ready: number;
  updated: number;
  /** status.replicas: pods of the old and the new template while a rollout runs. */
  replicas: number;
  available: number;
  /** The rollout is complete as `kubectl rollout status` judges it. */
  rolledOut: boolean;
  /** RollingUpdate, Recreate, or OnDelete (a StatefulSet whose pods change only when deleted: no rolling restart). */
  updateStrategy: string | undefined;
  generation: number;
  observedGeneration: number;
  selector: string | undefined;
}

/** "kubectl get statefulset": how many replicas are asked for and how many are ready. */
export function workloadCheck<P>(): Check<P> {
  return {
    id: WORKLOAD,
    title: 'Workload replicas',
    skipUnless: (ctx) => {
      if (!ctx.integrations.hasK8s()) return 'the catalog names no k8s target for this env';
      return workloadRef(ctx.target.k8s) ? undefined : 'the k8s target names no deployment or statefulset';
    },
    async run(ctx): Promise<CheckResult> {
      const ref = workloadRef(ctx.target.k8s)!;
      const s = await ctx.integrations.k8s().readWorkload(ref);
      const data: WorkloadData = {
        namespace: ref.namespace,
        kind: ref.kind,
        name: ref.name,
        desired: s.desiredReplicas,
        ready: s.readyReplicas,
        updated: s.updatedReplicas,
        replicas: s.replicas,
        available: s.availableReplicas,
        rolledOut: rolloutStatus(s).done,
        updateStrategy: s.updateStrategy,
        generation: s.generation,
        observedGeneration: s.observedGeneration,
        selector: s.selector,
      };
      const rollout = rolloutStatus(s);
      // A new template on its way (not merely pods that are not ready): generation, old pods, revisions.
      const rolling =
        s.desiredReplicas > 0 &&
        !rollout.done &&
        (s.observedGeneration < s.generation ||
          s.updatedReplicas < s.desiredReplicas ||
          s.replicas > s.updatedReplicas ||
          (s.ref.kind === 'statefulset' && s.currentRevision !== s.updateRevision));
      let status: Status = 'ok';
      if (s.desiredReplicas === 0 || s.readyReplicas === 0) status = 'crit';
      else if (s.readyReplicas < s.desiredReplicas) status = 'warn';
      const what = `${ref.kind}/${ref.name}`;
      const summary =
        s.desiredReplicas === 0
          ? `${what} is scaled to 0 replicas`
          : `${what}: ${s.readyReplicas}/${s.desiredReplicas} replicas ready${rolling ? `, rollout in progress (${s.updatedReplicas} updated${s.replicas > s.updatedReplicas ? `, ${s.replicas - s.updatedReplicas} old` : ''}: ${rollout.message.replace(/\.\.\.$/, '')})` : ''}`;
      return {
        status,
        summary,
        details: [
          {
            kind: 'table',
            columns: ['desired', 'current', 'ready', 'available', 'updated', 'generation (observed)', 'restartedAt'],
            rows: [
              [
                String(s.desiredReplicas),
                String(s.replicas),
                String(s.readyReplicas),
                String(s.availableReplicas),
                String(s.updatedReplicas),
                `${s.generation} (${s.observedGeneration})`,
                s.restartedAt ?? '-',
              ],
            ],
          },
        ],
        evidence: [{ call: `GET ${workloadPath(ref)}`, cli: `kubectl get ${ref.kind} ${ref.name} -n ${ref.namespace} -o wide` }],
        data: { ...data },
      };
    },
  };
}
