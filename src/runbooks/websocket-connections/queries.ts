import { selectorMatchers, quoteLabelValue, withSelector } from '../../integrations/prometheus/selector.js';

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

export function latencyQuantile(selector: string | undefined, window: string, q: number): string {
  return `histogram_quantile(${q}, sum by (le) (rate(${withSelector(METRICS.latencyBucket, selector)}[${window}])))`;
}

export function runbookLatency(selector: string | undefined, window: string, q: number): string {
  return `histogram_quantile(${q}, rate(${withSelector(METRICS.latencyBucket, selector)}[${window}]))`;
}

export function errorsByType(selector: string | undefined, window: string): string {
  return `sum(rate(${withSelector(METRICS.errors, selector)}[${window}])) by (error_type)`;
}

/** `pod=~"websocket.*"` as in the runbook; the pod name is the workload's, regex characters escaped. */
function cpuMatchers(selector: string | undefined, podPrefix: string): string {
  const pod = `${podPrefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*`;
  return [selectorMatchers(selector), `pod=~${quoteLabelValue(pod)}`].filter(Boolean).join(',');
}

/** Percent of one core per pod; cAdvisor's pod-level (container="") and pause (POD) series would count twice. */
export function cpuByPod(selector: string | undefined, podPrefix: string, window: string): string {
  return `sum by (pod) (rate(${METRICS.cpu}{${cpuMatchers(selector, podPrefix)},container!="",container!="POD"}[${window}])) * 100`;
}

export function runbookCpu(selector: string | undefined, podPrefix: string, window: string): string {
  return `rate(${METRICS.cpu}{${cpuMatchers(selector, podPrefix)}}[${window}]) * 100`;
}

/** The runbook's way to run a query: `curl -s "http://prometheus:9090/api/v1/query?query=..."`. */
export function runbookCurl(baseUrl: string, promql: string): string {
  return `curl -s "${baseUrl}/api/v1/query?query=${promql.replace(/"/g, '\\"')}"`;
}
