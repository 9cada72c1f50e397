import { describeWorkload, type WorkloadRef } from '../../../integrations/k8s/k8s-cluster.js';
import type { K8sTarget } from '../../../catalog/schema.js';

/** The Deployment or StatefulSet the catalog names, if any. */
export function workloadRef(k8s: K8sTarget | undefined): WorkloadRef | undefined {
  if (!k8s?.namespace) return undefined;
  if (k8s.deployment) return { namespace: k8s.namespace, kind: 'deployment', name: k8s.deployment };
  if (k8s.statefulset) return { namespace: k8s.namespace, kind: 'statefulset', name: k8s.statefulset };
  return undefined;
}

export function workloadPath(ref: WorkloadRef): string {
  return `/apis/apps/v1/namespaces/${ref.namespace}/${ref.kind}s/${ref.name}`;
}

export { describeWorkload };
