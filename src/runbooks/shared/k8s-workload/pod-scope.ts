import { quoteLabelValue } from '../../../integrations/prometheus/selector.js';
import type { RunbookContext } from '../../types.js';
import { workloadRef } from './workload-ref.js';

/** The service's pods as cAdvisor and kube-state-metrics label them: namespace, pod, and container when known. */
export interface PodScope {
  namespace: string;
  /** The workload's name: its pods are `<name>-…`. */
  podPrefix: string;
  /** The catalog's k8s.container; without it every real container of the pod counts. */
  container: string | undefined;
}

/** The catalog's workload as a pod scope, or undefined when it names no namespace and workload. */
export function podScope<P>(ctx: RunbookContext<P>): PodScope | undefined {
  const ref = workloadRef(ctx.target.k8s);
  if (!ref) return undefined;
  return { namespace: ref.namespace, podPrefix: ref.name, container: ctx.target.k8s?.container };
}

/**
 * Label matchers for cAdvisor series of the workload's pods. These carry namespace/pod/container, not the
 * service's own labels, so the catalog's Prometheus selector is not used; cAdvisor's pod-level (container="") and
 * pause (POD) series would count twice.
 */
export function cadvisorPodMatchers(scope: PodScope): string {
  const pod = `${scope.podPrefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-.*`;
  const container = scope.container ? [`container=${quoteLabelValue(scope.container)}`] : ['container!=""', 'container!="POD"'];
  return [`namespace=${quoteLabelValue(scope.namespace)}`, `pod=~${quoteLabelValue(pod)}`, ...container].join(',');
}
