import type { Evidence } from '../../domain/finding.js';
import type { PrometheusClient } from '../../integrations/prometheus/prometheus-client.js';

/** The query as sent, and a curl that repeats it against the same server. */
export function promEvidence(prom: PrometheusClient, promql: string): Evidence {
  return { call: `PromQL ${promql} (POST ${prom.baseUrl}/api/v1/query)`, cli: prom.curlCommand(promql) };
}

/** A step of the runbook that the query stands in for, filled in with this service's names. */
export function runbookEvidence(what: string, cli: string): Evidence {
  return { call: `runbook: ${what}`, cli };
}

export function fmtNumber(n: number, digits = 2): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString('en-US');
  return Number(n.toFixed(digits)).toString();
}

export function fmtBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${fmtNumber(v, 1)} ${units[i]}`;
}
