import type { K8sCluster, WorkloadRef, WorkloadStatus } from '../../../integrations/k8s/k8s-cluster.js';
import { rolloutStatus } from '../../../integrations/k8s/rollout-status.js';

export interface WaitOutcome {
  reached: boolean;
  status: WorkloadStatus;
  waitedMs: number;
}

/**
 * `kubectl rollout status --timeout`: poll the workload until `until` holds or the time is up. Running out of
 * time is an answer, not an error — the change was made and the approver must hear how far it got. A rollout that
 * cannot finish by waiting (progress deadline exceeded, OnDelete strategy) ends the wait at once.
 */
export async function waitForWorkload(
  cluster: K8sCluster,
  ref: WorkloadRef,
  until: (s: WorkloadStatus) => boolean,
  opts: { timeoutMs: number; pollMs: number; signal?: AbortSignal },
): Promise<WaitOutcome> {
  const started = Date.now();
  for (;;) {
    const status = await cluster.readWorkload(ref);
    const waitedMs = Date.now() - started;
    if (until(status)) return { reached: true, status, waitedMs };
    if (waitedMs >= opts.timeoutMs || opts.signal?.aborted || rolloutStatus(status).stuck) return { reached: false, status, waitedMs };
    await new Promise((r) => setTimeout(r, Math.min(opts.pollMs, opts.timeoutMs - waitedMs)));
  }
}

/** `3/3 ready, 3 updated` (and old pods still counted, mid-rollout): how a workload stands, for summaries. */
export function describeReplicas(s: WorkloadStatus): string {
  const old = s.replicas > s.updatedReplicas ? `, ${s.replicas - s.updatedReplicas} old` : '';
  return `${s.readyReplicas}/${s.desiredReplicas} ready, ${s.updatedReplicas} updated${old}`;
}

/** Why a wait ended short: kubectl's own words for what the rollout is still waiting for. */
export function describeUnfinished(s: WorkloadStatus): string {
  return `${describeReplicas(s)}: ${rolloutStatus(s).message.replace(/\.\.\.$/, '')}`;
}
