import type { WorkloadKind } from '../../../integrations/k8s/k8s-cluster.js';
import { quoteLabelValue } from '../../../integrations/prometheus/selector.js';
import type { RunbookContext } from '../../types.js';
import { workloadRef } from './workload-ref.js';

/** The service's pods as cAdvisor and kube-state-metrics label them: namespace, pod, and container when known. */
export interface PodScope {
  namespace: string;
  /** The workload's name: its pods are `<name>-<hash>-<suffix>` (Deployment) or `<name>-<ordinal>` (StatefulSet). */
  podPrefix: string;
  kind: WorkloadKind;
  /** The catalog's k8s.container; without it every real container of the pod counts. */
  container: string | undefined;
}

/** The catalog's workload as a pod scope, or undefined when it names no namespace and workload. */
export function podScope<P>(ctx: RunbookContext<P>): PodScope | undefined {
  const ref = workloadRef(ctx.target.k8s);
  if (!ref) return undefined;
  return { namespace: ref.namespace, podPrefix: ref.name, kind: ref.kind, container: ctx.target.k8s?.container };
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The exact shape of the workload's pod names, as a regular expression without anchors (PromQL's `=~` anchors it;
 * JavaScript callers add `^…$`): a Deployment's pods are `<name>-<pod-template-hash>-<5 random>`, a StatefulSet's
 * `<name>-<ordinal>`. A prefix match would take in sibling workloads: `websocket-gateway-7d9f8b6c5-x2k9p` starts
 * with `websocket-`, but has one segment too many to be a pod of `websocket`.
 */
export function podNamePattern(kind: WorkloadKind, name: string): string {
  return kind === 'statefulset' ? `${escapeRegex(name)}-[0-9]+` : `${escapeRegex(name)}-[a-z0-9]{5,10}-[a-z0-9]{5}`;
}

/** A Deployment's ReplicaSets: `<name>-<pod-template-hash>`. */
export function replicaSetNamePattern(name: string): string {
  return `${escapeRegex(name)}-[a-z0-9]{5,10}`;
}

/**
 * Label matchers for cAdvisor series of the workload's pods. These carry namespace/pod/container, not the
 * service's own labels, so the catalog's Prometheus selector is not used; cAdvisor's pod-level (container="") and
 * pause (POD) series would count twice.
 */
export function cadvisorPodMatchers(scope: PodScope): string {
  const pod = podNamePattern(scope.kind, scope.podPrefix);
  const container = scope.container ? [`container=${quoteLabelValue(scope.container)}`] : ['container!=""', 'container!="POD"'];
  return [`namespace=${quoteLabelValue(scope.namespace)}`, `pod=~${quoteLabelValue(pod)}`, ...container].join(',');
}
