import { ConnbotError } from '../../../errors.js';
import type { WorkloadRef } from '../../../integrations/k8s/k8s-cluster.js';
import type { RemediationPlan, RunbookContext } from '../../types.js';
import { workloadRef } from './workload-ref.js';

/** Params every workload remediation's wait reads. */
export interface RolloutWaitParams {
  rolloutWaitSeconds: number;
  rolloutPollSeconds: number;
}

export function requireWorkload<P>(ctx: RunbookContext<P>): WorkloadRef {
  const ref = workloadRef(ctx.target.k8s);
  if (!ref) throw new ConnbotError('TARGET_NOT_CONFIGURED', 'the k8s target names no deployment or statefulset');
  return ref;
}

/**
 * Cool-downs, the one-run-per-target lock and the audit trail key on this. The kubeconfig context is part of it:
 * staging and prod often run the same chart (same namespace and names) in different clusters, and a staging run
 * must not lock out prod.
 */
export function workloadTargetKey(ref: WorkloadRef, context: string | undefined): string {
  return `k8s:${context ? `${context}/` : ''}${ref.namespace}/${ref.kind}/${ref.name}`;
}

/** A plan runs only against the workload it was made for: the catalog may have changed since it was shown. */
export function assertPlanWorkload<P>(ctx: RunbookContext<P>, plan: RemediationPlan): WorkloadRef {
  const ref = requireWorkload(ctx);
  const { namespace, kind, name } = plan.params;
  if (namespace !== ref.namespace || kind !== ref.kind || name !== ref.name) {
    throw new ConnbotError(
      'REMEDIATION_FAILED',
      `plan is for ${String(kind)}/${String(name)} -n ${String(namespace)}, the catalog now names ${ref.kind}/${ref.name} -n ${ref.namespace}; re-run the check`,
    );
  }
  return ref;
}
