import { quoteLabelValue, selectorMatchers, withSelector } from '../../integrations/prometheus/selector.js';
import { cadvisorPodMatchers, type PodScope } from '../shared/k8s-workload/pod-scope.js';

/**
 * The runbook's PromQL with the catalog selector injected. Where the runbook's own form would split one number
 * over many series (p95 per histogram series, CPU per container plus cAdvisor's pod total), the query sums first;
 * the runbook's form is kept for the evidence.
 */
export const METRICS = {
  active: 'websocket_connections_active',
  disconnections: 'websocket_disconnections_total',
  latencyBucket: 'websocket_message_latency_seconds_bucket',
  errors: 'websocket_connection_errors_total',
  cpu: 'container_cpu_usage_seconds_total',
  cpuLimit: 'kube_pod_container_resource_limits',
  cpuQuota: 'container_spec_cpu_quota',
  cpuPeriod: 'container_spec_cpu_period',
} as const;

export function activeConnections(selector: string | undefined): string {
  return `sum(${withSelector(METRICS.active, selector)})`;
}

/** Per instance: max_connections is enforced by each process. */
export function activeByInstance(selector: string | undefined): string {
  return `sum by (instance) (${withSelector(METRICS.active, selector)})`;
}

export function disconnectionsByReason(selector: string | undefined, window: string): string {
  return `sum(rate(${withSelector(METRICS.disconnections, selector)}[${window}])) by (reason)`;
}

/** Step 1.1 "Check current disconnection rate": one number over the short window (`[2m]`). */
export function disconnectionsTotal(selector: string | undefined, window: string): string {
  return `sum(rate(${withSelector(METRICS.disconnections, selector)}[${window}]))`;
}

export function latencyQuantile(selector: string | undefined, window: string, q: number): string {
  return `histogram_quantile(${q}, sum by (le) (rate(${withSelector(METRICS.latencyBucket, selector)}[${window}])))`;
}

export function runbookLatency(selector: string | undefined, window: string, q: number): string {
  return `histogram_quantile(${q}, rate(${withSelector(METRICS.latencyBucket, selector)}[${window}]))`;
}

export function errorsByType(selector: string | undefined, window: string): string {
  return `sum(rate(${withSelector(METRICS.errors, selector)}[${window}])) by (error_type)`;
}

/** Cores used per pod. */
export function cpuCoresByPod(scope: PodScope, window: string): string {
  return `sum by (pod) (rate(${METRICS.cpu}{${cadvisorPodMatchers(scope)}}[${window}]))`;
}

/** The CPU limit per pod in cores, from kube-state-metrics (same namespace/pod/container labels as cAdvisor). */
export function cpuLimitByPod(scope: PodScope): string {
  return `sum by (pod) (${METRICS.cpuLimit}{${cadvisorPodMatchers(scope)},resource="cpu"})`;
}

/** The same limit from cAdvisor (CFS quota / period), where kube-state-metrics is not scraped. */
export function cpuQuotaByPod(scope: PodScope): string {
  const m = cadvisorPodMatchers(scope);
  return `sum by (pod) (${METRICS.cpuQuota}{${m}} / ${METRICS.cpuPeriod}{${m}})`;
}

/** The runbook's monitoring query: `pod=~"websocket.*"` and its environment label, percent of one core. */
export function runbookCpu(selector: string | undefined, podPrefix: string, window: string): string {
  const pod = `${podPrefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*`;
  return `rate(${METRICS.cpu}{${[`pod=~${quoteLabelValue(pod)}`, selectorMatchers(selector)].filter(Boolean).join(',')}}[${window}]) * 100`;
}

/**
 * The runbook's way to run a query (`curl -s "http://prometheus:9090/api/v1/query?query=..."`), but with the query
 * URL-encoded by curl: PromQL's `{`, `"`, `+` and spaces are not valid in a URL as typed. Single quotes keep the
 * shell out of it.
 */
export function runbookCurl(baseUrl: string, promql: string): string {
  return `curl -s -G '${baseUrl}/api/v1/query' --data-urlencode 'query=${promql.replace(/'/g, `'\\''`)}'`;
}
