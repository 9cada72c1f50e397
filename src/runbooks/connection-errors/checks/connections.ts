import type { CheckResult, Status } from '../../../domain/finding.js';
import type { Check } from '../../types.js';
import { fmtNumber, runbookEvidence } from '../../shared/evidence.js';
import type { ConnectionErrorsParams } from '../params.js';
import { CONNECTIONS_PREFIX, currentConnections, scrapeServiceMetrics } from '../service-metrics.js';
import { execPrefix, servicePort } from '../service-names.js';

export const CONNECTIONS = 'connections';

export interface ConnectionsData {
  current: number;
  maxConnections: number;
  pct: number;
  metric: string;
}

/** "Check Connection Limits": the service's own connection gauge against config.yml max_connections. */
export const connectionsCheck: Check<ConnectionErrorsParams> = {
  id: CONNECTIONS,
  title: 'Current connections vs max_connections',
  skipUnless: (ctx) => (ctx.target.http?.metrics ? undefined : 'the catalog names no http.metrics URL for this env'),
  timeoutMs: (p) => p.metricsTimeoutMs + 1000,
  async run(ctx): Promise<CheckResult> {
    const p = ctx.params;
    const http = ctx.integrations.http();
    const url = http.url('metrics');
    const port = servicePort(ctx.target) ?? '15002';
    const evidence = [
      { call: `GET ${url}`, cli: `curl ${url} | grep ${CONNECTIONS_PREFIX}` },
      runbookEvidence('system connections on the port', `${execPrefix(ctx.target)}sh -c 'ss -an | grep ${port} | wc -l'`),
    ];
    const scrape = await scrapeServiceMetrics(http, { timeoutMs: p.metricsTimeoutMs, signal: ctx.signal });
    const reading = currentConnections(scrape.expo);
    if (!reading) {
      return {
        status: 'unknown',
        summary: `no ${CONNECTIONS_PREFIX}* gauge among the ${scrape.expo.samples.length} samples the endpoint exports`,
        evidence,
      };
    }
    const pct = (reading.total / p.maxConnections) * 100;
    const status: Status = pct >= p.connectionsCritPct ? 'crit' : pct >= p.connectionsWarnPct ? 'warn' : 'ok';
    const data: ConnectionsData = { current: reading.total, maxConnections: p.maxConnections, pct, metric: reading.metric };
    return {
      status,
      summary:
        `${fmtNumber(reading.total)} open connections (${reading.metric}) — ${fmtNumber(pct, 1)}% of max_connections ` +
        `${fmtNumber(p.maxConnections)} (warn ${p.connectionsWarnPct}%, crit ${p.connectionsCritPct}%)`,
      details: [
        {
          kind: 'table',
          columns: ['series', 'connections'],
          rows: reading.series.map((s) => [labelText(reading.metric, s.labels), fmtNumber(s.value)]),
        },
      ],
      evidence,
      data: { ...data },
    };
  },
};

export function labelText(metric: string, labels: Record<string, string>): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return pairs.length > 0 ? `${metric}{${pairs.join(',')}}` : metric;
}
