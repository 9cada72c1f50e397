import type { CheckResult, DetailBlock, Evidence, Status } from '../../../domain/finding.js';
import { errorMessage } from '../../../errors.js';
import type { Check, RunbookContext } from '../../types.js';
import { fmtNumber, promEvidence, runbookEvidence } from '../../shared/evidence.js';
import type { ConnectionErrorsParams } from '../params.js';
import { CONNECTIONS_PREFIX, currentConnections, scrapeServiceMetrics } from '../service-metrics.js';
import { execPrefix, servicePort } from '../service-names.js';

export const CONNECTIONS = 'connections';

export interface ConnectionsData {
  /** The busiest pod's open connections (Prometheus), or the one pod the Service's scrape reached. */
  current: number;
  maxConnections: number;
  pct: number;
  metric: string;
  /** Prometheus: every pod's gauge; endpoint: one scrape through the Service, so one pod's, whichever answered. */
  source: 'prometheus' | 'endpoint';
  /** The busiest pod, when Prometheus named each. */
  pod?: string;
  /** Pods Prometheus has the gauge for. */
  pods?: number;
  /** Open connections over all those pods. */
  total?: number;
}

/**
 * "Check Connection Limits": the service's own connection gauge against config.yml max_connections, which each
 * process enforces on its own. With a Prometheus in the catalog, every pod's gauge (`sum by (pod)`) and the
 * busiest pod is judged; without one, the endpoint behind the Service URL answers for one pod, whichever the
 * Service picked, and the summary says so.
 */
export const connectionsCheck: Check<ConnectionErrorsParams> = {
  id: CONNECTIONS,
  title: 'Current connections vs max_connections',
  skipUnless: (ctx) => (ctx.target.http?.metrics ? undefined : 'the catalog names no http.metrics URL for this env'),
  timeoutMs: (p) => p.metricsTimeoutMs + p.queryTimeoutMs + 1000,
  async run(ctx): Promise<CheckResult> {
    const p = ctx.params;
    const http = ctx.integrations.http();
    const url = http.url('metrics');
    const port = servicePort(ctx.target) ?? '15002';
    const evidence: Evidence[] = [
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
    const judge = (n: number): { pct: number; status: Status } => {
      const pct = (n / p.maxConnections) * 100;
      return { pct, status: pct >= p.connectionsCritPct ? 'crit' : pct >= p.connectionsWarnPct ? 'warn' : 'ok' };
    };
    const lines = `(warn ${p.connectionsWarnPct}%, crit ${p.connectionsCritPct}%)`;
    const notes: string[] = [];
    const perPod = ctx.target.prometheus ? await prometheusPerPod(ctx, reading.metric, evidence, notes) : undefined;
    if (perPod) {
      const [busiest] = perPod;
      const { pct, status } = judge(busiest!.value);
      const total = perPod.reduce((n, x) => n + x.value, 0);
      const data: ConnectionsData = {
        current: busiest!.value,
        maxConnections: p.maxConnections,
        pct,
        metric: reading.metric,
        source: 'prometheus',
        pod: busiest!.pod,
        pods: perPod.length,
        total,
      };
      return {
        status,
        summary:
          `busiest pod ${busiest!.pod}: ${fmtNumber(busiest!.value)} open connections (${reading.metric}) — ${fmtNumber(pct, 1)}% of its ` +
          `max_connections ${fmtNumber(p.maxConnections)} ${lines}; ${fmtNumber(total)} over ${perPod.length} pod(s) (Prometheus)`,
        details: [
          {
            kind: 'table',
            columns: ['pod', 'connections', 'of max_connections'],
            rows: perPod.map((x) => [x.pod, fmtNumber(x.value), `${fmtNumber(judge(x.value).pct, 1)}%`]),
          },
        ],
        evidence,
        data: { ...data },
      };
    }
    const { pct, status } = judge(reading.total);
    const data: ConnectionsData = { current: reading.total, maxConnections: p.maxConnections, pct, metric: reading.metric, source: 'endpoint' };
    return {
      status,
      summary:
        `${fmtNumber(reading.total)} open connections (${reading.metric}) — ${fmtNumber(pct, 1)}% of max_connections ` +
        `${fmtNumber(p.maxConnections)} ${lines} — one pod's count, from whichever pod behind the Service answered` +
        (ctx.target.prometheus ? '' : ' (no Prometheus to see each pod)'),
      details: [
        {
          kind: 'table',
          columns: ['series', 'connections'],
          rows: reading.series.map((s) => [labelText(reading.metric, s.labels), fmtNumber(s.value)]),
          caption: `one scrape of ${url}`,
        },
        ...notes.map((text): DetailBlock => ({ kind: 'text', text })),
      ],
      evidence,
      data: { ...data },
    };
  },
};

/**
 * Each pod's open connections from Prometheus, busiest first; undefined (with a note) when it cannot say per pod:
 * no series, series without a pod label (their sum would be judged against one process's limit), or a failure.
 */
async function prometheusPerPod(
  ctx: RunbookContext<ConnectionErrorsParams>,
  metric: string,
  evidence: Evidence[],
  notes: string[],
): Promise<Array<{ pod: string; value: number }> | undefined> {
  const prom = ctx.integrations.prometheus();
  const q = `sum by (pod) (${prom.select(metric)})`;
  evidence.push(promEvidence(prom, q));
  const fallback = 'counted from one scrape through the Service instead';
  try {
    const series = await prom.queryVector(q, { signal: ctx.signal, timeoutMs: ctx.params.queryTimeoutMs });
    const rows = series.filter((s) => Number.isFinite(s.sample[1])).map((s) => ({ pod: s.labels.pod, value: s.sample[1] }));
    if (rows.length === 0) {
      notes.push(`Prometheus has no ${metric} series for ${prom.selector ?? 'this service'}; ${fallback}.`);
      return undefined;
    }
    if (rows.some((r) => r.pod === undefined || r.pod === '')) {
      notes.push(`Prometheus's ${metric} series carry no pod label, so no pod's own count can be told from their sum; ${fallback}.`);
      return undefined;
    }
    return (rows as Array<{ pod: string; value: number }>).sort((a, b) => b.value - a.value || a.pod.localeCompare(b.pod));
  } catch (err) {
    notes.push(`Prometheus query failed (${errorMessage(err)}); ${fallback}.`);
    return undefined;
  }
}

export function labelText(metric: string, labels: Record<string, string>): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return pairs.length > 0 ? `${metric}{${pairs.join(',')}}` : metric;
}
