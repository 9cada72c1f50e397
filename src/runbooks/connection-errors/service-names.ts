import type { EnvTarget } from '../../catalog/schema.js';
import { workloadRef } from '../shared/k8s-workload/workload-ref.js';

/** The service's port, from the catalog's health or metrics URL (the runbook's 15002). */
export function servicePort(target: EnvTarget): string | undefined {
  const url = target.http?.health ?? target.http?.metrics;
  if (!url) return undefined;
  const u = new URL(url);
  return u.port || (u.protocol === 'https:' ? '443' : '80');
}

/** The Kubernetes Service the URLs point at (`vectorizer.vectorizer.svc` → vectorizer), else the workload's name. */
export function serviceName(target: EnvTarget, fallback: string): string {
  const url = target.http?.health ?? target.http?.metrics;
  const host = url ? new URL(url).hostname : undefined;
  if (host && !/^[\d.]+$/.test(host) && host !== 'localhost') return host.split('.')[0]!;
  return workloadRef(target.k8s)?.name ?? fallback;
}

/** `kubectl exec -n ns statefulset/name -- ` (kubectl picks the first pod), or '' without a workload. */
export function execPrefix(target: EnvTarget): string {
  const ref = workloadRef(target.k8s);
  return ref ? `kubectl exec -n ${ref.namespace} ${ref.kind}/${ref.name} -- ` : '';
}
