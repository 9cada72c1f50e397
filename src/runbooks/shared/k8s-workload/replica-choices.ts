import type { K8sTarget } from '../../../catalog/schema.js';

export interface ReplicaBounds {
  min: number;
  max: number;
}

/** Slack's static select holds 100 options; a menu longer than this is not a choice anyone reads. */
const MAX_CHOICES = 25;

/**
 * The catalog's k8s.minReplicas..maxReplicas. Without maxReplicas there is no agreed ceiling, so connbot does
 * not scale at all (an unbounded scale-out is a capacity decision, not a button).
 */
export function replicaBounds(k8s: K8sTarget | undefined): ReplicaBounds | undefined {
  if (k8s?.maxReplicas === undefined) return undefined;
  return { min: k8s.minReplicas ?? 1, max: k8s.maxReplicas };
}

/** Scale-out menu: every count above today's within the bounds; the default is one more (or the minimum). */
export function scaleOutChoices(current: number, bounds: ReplicaBounds): { replicas: number; choices: number[] } | undefined {
  const lowest = Math.max(bounds.min, current + 1);
  if (lowest > bounds.max) return undefined;
  const choices: number[] = [];
  for (let n = lowest; n <= bounds.max && choices.length < MAX_CHOICES; n++) choices.push(n);
  return { replicas: lowest, choices };
}
