import type { WorkloadStatus } from './k8s-cluster.js';

export interface RolloutStatus {
  /** Every replica runs the current template, is available/ready, and no old pod is still counted. */
  done: boolean;
  /** kubectl's wording: what the rollout is waiting for, or that it finished. */
  message: string;
  /** It will not finish by waiting (progress deadline exceeded; a template change on an OnDelete StatefulSet). */
  stuck: boolean;
}

/**
 * `kubectl rollout status`, as kubectl's DeploymentStatusViewer and StatefulSetStatusViewer decide it. Ready
 * replicas alone do not say a Deployment is done: they count the old ReplicaSet's pods too, so a rollout is only
 * complete once the old replicas are gone (replicas === updated) and the new ones are available.
 */
export function rolloutStatus(s: WorkloadStatus): RolloutStatus {
  const what = `${s.ref.kind} "${s.ref.name}"`;
  const waiting = (message: string, stuck = false): RolloutStatus => ({ done: false, message, stuck });
  if (s.observedGeneration === 0 || s.observedGeneration < s.generation) {
    return waiting(`Waiting for ${s.ref.kind} spec update to be observed...`);
  }
  if (s.ref.kind === 'deployment') {
    if (s.progressDeadlineExceeded) return waiting(`${what} exceeded its progress deadline`, true);
    if (s.updatedReplicas < s.desiredReplicas) {
      return waiting(`Waiting for ${what} rollout to finish: ${s.updatedReplicas} out of ${s.desiredReplicas} new replicas have been updated...`);
    }
    if (s.replicas > s.updatedReplicas) {
      return waiting(`Waiting for ${what} rollout to finish: ${s.replicas - s.updatedReplicas} old replicas are pending termination...`);
    }
    if (s.availableReplicas < s.updatedReplicas) {
      return waiting(`Waiting for ${what} rollout to finish: ${s.availableReplicas} of ${s.updatedReplicas} updated replicas are available...`);
    }
    return { done: true, message: `${what} successfully rolled out`, stuck: false };
  }
  if (s.updateStrategy === 'OnDelete') {
    return waiting(`${what} uses the OnDelete update strategy: its pods change only when they are deleted`, true);
  }
  if (s.readyReplicas < s.desiredReplicas) {
    return waiting(`Waiting for ${s.desiredReplicas - s.readyReplicas} pods to be ready...`);
  }
  const partition = s.partition ?? 0;
  const expected = Math.max(0, s.desiredReplicas - partition);
  if (s.updatedReplicas < expected) {
    const rollout = partition > 0 ? 'partitioned roll out' : `${what} rollout`;
    return waiting(`Waiting for ${rollout} to finish: ${s.updatedReplicas} out of ${expected} new pods have been updated...`);
  }
  // Ordinals below the partition keep the old revision on purpose: the revisions never meet.
  if (partition > 0) return { done: true, message: `partitioned roll out complete: ${s.updatedReplicas} new pods have been updated...`, stuck: false };
  if (s.updateRevision !== s.currentRevision) {
    return waiting(`waiting for statefulset rolling update to complete ${s.updatedReplicas} pods at revision ${s.updateRevision ?? '?'}...`);
  }
  return { done: true, message: `statefulset rolling update complete ${s.readyReplicas} pods at revision ${s.currentRevision ?? '?'}...`, stuck: false };
}

/**
 * A scale to `replicas`, judged on counts rather than rollout completion: the new spec observed, exactly that many
 * pods counted and at least that many ready and available. A template rollout still under way (or an OnDelete
 * StatefulSet, whose pods keep their old revision until deleted) does not keep a scale from being done.
 */
export function scaleStatus(s: WorkloadStatus, replicas: number): RolloutStatus {
  const what = `${s.ref.kind} "${s.ref.name}"`;
  const waiting = (message: string): RolloutStatus => ({ done: false, message, stuck: false });
  if (s.desiredReplicas !== replicas) return waiting(`Waiting for ${what} to be set to ${replicas} replicas (spec.replicas is ${s.desiredReplicas})...`);
  if (s.observedGeneration === 0 || s.observedGeneration < s.generation) {
    return waiting(`Waiting for ${s.ref.kind} spec update to be observed...`);
  }
  if (s.replicas < replicas) return waiting(`Waiting for ${what} to scale: ${s.replicas} of ${replicas} replicas created...`);
  if (s.readyReplicas < replicas) return waiting(`Waiting for ${what} to scale: ${s.readyReplicas} of ${replicas} replicas are ready...`);
  if (s.availableReplicas < replicas) return waiting(`Waiting for ${what} to scale: ${s.availableReplicas} of ${replicas} replicas are available...`);
  if (s.replicas > replicas) return waiting(`Waiting for ${what} to scale: ${s.replicas - replicas} surplus replicas pending termination...`);
  return { done: true, message: `${what} scaled to ${replicas} replicas, all ready`, stuck: false };
}
