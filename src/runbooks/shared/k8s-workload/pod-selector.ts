import type { Evidence } from '../../../domain/finding.js';
import type { RunbookContext } from '../../types.js';
import { workloadPath, workloadRef } from './workload-ref.js';

/** Why a pod-level check cannot run on this target, or undefined. */
export function podTargetMissing<P>(ctx: RunbookContext<P>): string | undefined {
  if (!ctx.integrations.hasK8s()) return 'the catalog names no k8s target for this env';
  if (!workloadRef(ctx.target.k8s) && !ctx.target.k8s?.selector) return 'the k8s target names no workload or pod selector';
  return undefined;
}

/** The catalog's k8s.selector, else the workload's own matchLabels (one GET, named in the evidence). */
export async function podSelector<P>(ctx: RunbookContext<P>, evidence: Evidence[]): Promise<{ namespace: string; selector: string | undefined }> {
  const k = ctx.target.k8s!;
  const namespace = k.namespace ?? 'default';
  const ref = workloadRef(k);
  if (k.selector || !ref) return { namespace, selector: k.selector };
  const w = await ctx.integrations.k8s().readWorkload(ref);
  evidence.push({ call: `GET ${workloadPath(ref)}`, cli: `kubectl get ${ref.kind} ${ref.name} -n ${ref.namespace} -o jsonpath='{.spec.selector.matchLabels}'` });
  return { namespace, selector: w.selector };
}
