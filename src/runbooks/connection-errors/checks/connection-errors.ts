import type { CheckResult, DetailBlock, Evidence, Status } from '../../../domain/finding.js';
import { errorMessage } from '../../../errors.js';
import type { Check, RunbookContext } from '../../types.js';
import { fmtNumber, promEvidence } from '../../shared/evidence.js';
import type { ConnectionErrorsParams } from '../params.js';
import type { HttpTargetClient } from '../../../integrations/http/http-target.js';
import { ERRORS_PREFIX, connectionErrorCounters, processStart, ratesBetween, scrapeServiceMetrics, type ErrorCounters, type Scrape } from '../service-metrics.js';

export const CONNECTION_ERRORS = 'connection-errors';

export interface ConnectionErrorsData {
  metric: string;
  typeLabel: string | undefined;
  /** Since each process started (the counters as exported). */
  totalsByType: Record<string, number>;
  byTypePerSec: Record<string, number>;
  totalPerSec: number;
  source: 'prometheus' | 'endpoint';
  /**
   * The rate right now, over the short window (Prometheus) or the two scrapes: what a verification reads, since
   * the rate window still holds the minutes before a restart.
   */
  currentPerSec: number;
  currentWindow: string;
  currentStatus: Status;
}

/**
 * "Check connection errors": the counters by type from the service's own endpoint, and how fast they grow —
 * from Prometheus over the rate window when the catalog names one (every pod's series), else from a second scrape
 * a few seconds on. Those scrapes go through the Service URL, so they are one pod's counters, and the two may come
 * from different pods: then the rate is unknown, never a number (see ratesBetween).
 */
export const connectionErrorsCheck: Check<ConnectionErrorsParams> = {
  id: CONNECTION_ERRORS,
  title: 'Connection errors by type',
  skipUnless: (ctx) => (ctx.target.http?.metrics ? undefined : 'the catalog names no http.metrics URL for this env'),
  timeoutMs: (p) => 2 * p.metricsTimeoutMs + p.errorSampleSeconds * 1000 + p.queryTimeoutMs + 1000,
  async run(ctx): Promise<CheckResult> {
    const p = ctx.params;
    const http = ctx.integrations.http();
    const url = http.url('metrics');
    const evidence: Evidence[] = [{ call: `GET ${url}`, cli: `curl ${url} | grep ${ERRORS_PREFIX}` }];
    const opts = { timeoutMs: p.metricsTimeoutMs, signal: ctx.signal };
    const first = await scrapeServiceMetrics(http, opts);
    const counters = connectionErrorCounters(first.expo);
    if (!counters) {
      return {
        status: 'unknown',
        summary: `no ${ERRORS_PREFIX}* counter among the ${first.expo.samples.length} samples the endpoint exports`,
        evidence,
      };
    }
    const notes: string[] = [];
    let rates = ctx.target.prometheus ? await prometheusRates(ctx, counters, evidence, notes) : undefined;
    let source: ConnectionErrorsData['source'] = 'prometheus';
    let window = p.rateWindow;
    let current = rates ? await prometheusCurrentRate(ctx, counters.metric, evidence, notes) : undefined;
    if (!rates) {
      source = 'endpoint';
      window = `${fmtNumber(p.errorSampleSeconds, 1)}s`;
      await new Promise((r) => setTimeout(r, p.errorSampleSeconds * 1000));
      const second = await secondReading(http, opts, first, counters);
      if ('unknown' in second) {
        return {
          status: 'unknown',
          summary: `error rate unknown: ${second.unknown}${ONE_POD}`,
          details: [
            {
              kind: 'table',
              columns: [counters.typeLabel ?? 'type', 'total since start (first scrape)'],
              rows: Object.entries(counters.byType).map(([k, v]) => [k, fmtNumber(v)]),
              caption: `${counters.metric}, two scrapes ${window} apart through ${url}`,
            },
            ...notes.map((text): DetailBlock => ({ kind: 'text', text })),
          ],
          evidence,
          data: { metric: counters.metric, typeLabel: counters.typeLabel, totalsByType: counters.byType, source, unknown: second.unknown },
        };
      }
      rates = second.rates;
      counters.byType = second.byType;
    }
    const totalPerSec = Object.values(rates).reduce((n, v) => n + v, 0);
    const status = judgeRate(totalPerSec, p);
    current ??= { perSec: totalPerSec, window };
    const kinds = [...new Set([...Object.keys(counters.byType), ...Object.keys(rates)])].sort(
      (a, b) => (rates[b] ?? 0) - (rates[a] ?? 0) || (counters.byType[b] ?? 0) - (counters.byType[a] ?? 0),
    );
    const top = kinds.filter((k) => (rates[k] ?? 0) > 0).slice(0, 3);
    const how = source === 'prometheus' ? `over ${window} (Prometheus)` : `over ${window} between two scrapes`;
    const whose = source === 'prometheus' ? '' : ONE_POD;
    const details: DetailBlock[] = [
      {
        kind: 'table',
        columns: [counters.typeLabel ?? 'type', 'per second', 'total since start'],
        rows: kinds.map((k) => [k, fmtNumber(rates[k] ?? 0, 3), fmtNumber(counters.byType[k] ?? 0)]),
        caption: `${counters.metric}, rate ${how}`,
      },
      ...notes.map((text): DetailBlock => ({ kind: 'text', text })),
    ];
    const data: ConnectionErrorsData = {
      metric: counters.metric,
      typeLabel: counters.typeLabel,
      totalsByType: counters.byType,
      byTypePerSec: rates,
      totalPerSec,
      source,
      currentPerSec: current.perSec,
      currentWindow: current.window,
      currentStatus: judgeRate(current.perSec, p),
    };
    return {
      status,
      summary:
        (totalPerSec === 0
          ? `no new connection errors ${how}`
          : `${fmtNumber(totalPerSec, 3)} connection errors/s ${how}: ${top.map((k) => `${k} ${fmtNumber(rates![k] ?? 0, 3)}/s`).join(', ')}`) + whose,
      details,
      evidence,
      data: { ...data },
    };
  },
};

/** Without Prometheus the Service URL is all there is: it hands each scrape to one pod of several. */
const ONE_POD = ' — without Prometheus, one pod\'s counters, from whichever pod behind the Service answered';

/**
 * The second scrape, compared with the first: the rates between them, or why there are none — the scrape failed,
 * its counter is missing, or it came from another process than the first (the Service sent it to another pod, or
 * the pod restarted). A missing reading is never "no errors".
 */
async function secondReading(
  http: HttpTargetClient,
  opts: { timeoutMs: number; signal: AbortSignal },
  first: Scrape,
  counters: ErrorCounters,
): Promise<{ rates: Record<string, number>; byType: Record<string, number> } | { unknown: string }> {
  let second: Scrape;
  try {
    second = await scrapeServiceMetrics(http, opts);
  } catch (err) {
    return { unknown: `the second scrape failed (${errorMessage(err)}), so there is nothing to compare the first with` };
  }
  const after = connectionErrorCounters(second.expo);
  if (!after || after.metric !== counters.metric) {
    return { unknown: `the second scrape has no ${counters.metric} (a different pod answered?), so there is nothing to compare the first with` };
  }
  const [was, now] = [processStart(first.expo), processStart(second.expo)];
  if (was !== undefined && now !== undefined && was !== now) {
    return { unknown: `the two scrapes came from different processes (process_start_time_seconds ${was} → ${now}): a different pod answered, or it restarted` };
  }
  const r = ratesBetween(counters.byType, after.byType, (second.at - first.at) / 1000);
  return r.unknown !== undefined ? { unknown: r.unknown } : { rates: r.rates, byType: after.byType };
}

function judgeRate(perSec: number, p: ConnectionErrorsParams): Status {
  return perSec >= p.errorsCritPerSec ? 'crit' : perSec >= p.errorsWarnPerSec && perSec > 0 ? 'warn' : 'ok';
}

/** All kinds over the short window: the errors of the last minute, not of the last five. */
async function prometheusCurrentRate(
  ctx: RunbookContext<ConnectionErrorsParams>,
  metric: string,
  evidence: Evidence[],
  notes: string[],
): Promise<{ perSec: number; window: string } | undefined> {
  const prom = ctx.integrations.prometheus();
  const window = ctx.params.currentRateWindow;
  const q = `sum (rate(${prom.select(metric)}[${window}]))`;
  evidence.push(promEvidence(prom, q));
  try {
    const [series] = await prom.queryVector(q, { signal: ctx.signal, timeoutMs: ctx.params.queryTimeoutMs });
    const v = series?.sample[1];
    if (v === undefined || !Number.isFinite(v)) return undefined;
    notes.push(`Over the last ${window}: ${fmtNumber(v, 3)} errors/s.`);
    return { perSec: v, window };
  } catch (err) {
    notes.push(`Prometheus query for the last ${window} failed (${errorMessage(err)}).`);
    return undefined;
  }
}

/** The rate over the window from Prometheus, or undefined (with a note) when it cannot say. */
async function prometheusRates(
  ctx: RunbookContext<ConnectionErrorsParams>,
  counters: ErrorCounters,
  evidence: Evidence[],
  notes: string[],
): Promise<Record<string, number> | undefined> {
  const prom = ctx.integrations.prometheus();
  const by = counters.typeLabel ? ` by (${counters.typeLabel})` : '';
  const q = `sum${by} (rate(${prom.select(counters.metric)}[${ctx.params.rateWindow}]))`;
  evidence.push(promEvidence(prom, q));
  try {
    const series = await prom.queryVector(q, { signal: ctx.signal, timeoutMs: ctx.params.queryTimeoutMs });
    if (series.length === 0) {
      notes.push(`Prometheus has no ${counters.metric} series for ${prom.selector ?? 'this service'}; rate measured from two scrapes instead.`);
      return undefined;
    }
    const rates: Record<string, number> = {};
    for (const s of series) {
      const kind = (counters.typeLabel && s.labels[counters.typeLabel]) || '(none)';
      rates[kind] = Number.isFinite(s.sample[1]) ? s.sample[1] : 0;
    }
    return rates;
  } catch (err) {
    notes.push(`Prometheus query failed (${errorMessage(err)}); rate measured from two scrapes instead.`);
    return undefined;
  }
}
