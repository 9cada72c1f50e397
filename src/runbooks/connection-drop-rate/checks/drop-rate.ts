import type { CheckResult, DetailBlock, Status } from '../../../domain/finding.js';
import { errorMessage } from '../../../errors.js';
import { parseDuration } from '../../../catalog/duration.js';
import { firstValue, sampleValues } from '../../../integrations/prometheus/prometheus-client.js';
import type { Check, RunbookContext } from '../../types.js';
import { restartExecutionData } from '../../shared/k8s-workload/restart-workload.js';
import type { DropRateParams } from '../params.js';
import { connectionsPerSecond, droppedPerSecond, dropRatePct, runbookDroppedRate, METRICS } from '../queries.js';
import { fmtNumber, promEvidence, runbookEvidence } from '../../shared/evidence.js';

export const DROP_RATE = 'drop-rate';

export interface DropRateData {
  /** Over rateWindow: what the status is judged on. */
  dropRatePct: number | undefined;
  droppedPerSec: number | undefined;
  connectionsPerSec: number | undefined;
  thresholdPct: number;
  /**
   * The drop rate over `currentWindow`: currentRateWindow, or after a restart the time since its rollout finished
   * (if shorter). What a restart is verified on. Undefined when it could not be measured (no connections, no data).
   */
  currentPct: number | undefined;
  currentConnectionsPerSec: number | undefined;
  currentStatus: Status | undefined;
  currentWindow: string;
  /** Set when the window was cut to start at the end of a restart's rollout: that moment. */
  currentSince: string | undefined;
}

/**
 * The window of the "current" drop rate. Re-measuring after a restart, it starts no earlier than the end of the
 * rollout (what the restart's execute() reported): the drops before the restart and the reconnect burst of the
 * rollout itself — which inflates new connections and so makes the ratio read low — are outside it.
 */
function currentWindow(ctx: RunbookContext<DropRateParams>, now: number): { window: string; since: string | undefined } {
  const longest = Math.max(1, Math.floor((parseDuration(ctx.params.currentRateWindow) ?? 60_000) / 1000));
  const restart = restartExecutionData(ctx.afterRemediation?.execution);
  if (!restart) return { window: ctx.params.currentRateWindow, since: undefined };
  const since = Math.max(1, Math.floor((now - Date.parse(restart.rolloutEndedAt)) / 1000));
  if (since >= longest) return { window: ctx.params.currentRateWindow, since: restart.rolloutEndedAt };
  return { window: `${since}s`, since: restart.rolloutEndedAt };
}

/** The alert's own expression (corrected), judged against its own threshold; and the same over the last minute. */
export const dropRateCheck: Check<DropRateParams> = {
  id: DROP_RATE,
  title: 'Connection drop rate',
  async run(ctx): Promise<CheckResult> {
    const p = ctx.params;
    const prom = ctx.integrations.prometheus();
    const opts = { signal: ctx.signal, timeoutMs: p.queryTimeoutMs };
    const rateQ = dropRatePct(prom.selector, p.rateWindow);
    const droppedQ = droppedPerSecond(prom.selector, p.rateWindow);
    const totalQ = connectionsPerSecond(prom.selector, p.rateWindow);
    const end = new Date();
    const trendMs = parseDuration(p.trendWindow) ?? 30 * 60_000;
    const current = currentWindow(ctx, end.getTime());
    const currentQ = dropRatePct(prom.selector, current.window);
    const currentTotalQ = connectionsPerSecond(prom.selector, current.window);
    const failed = (err: unknown) => err as Error;
    const [rate, dropped, total, trend, now, nowTotal] = await Promise.all([
      prom.queryVector(rateQ, opts),
      prom.queryVector(droppedQ, opts),
      prom.queryVector(totalQ, opts),
      prom.queryRange(rateQ, { ...opts, start: new Date(end.getTime() - trendMs), end, stepSeconds: p.trendStepSeconds }).catch(failed),
      // The current rate is extra: its failure leaves it unmeasured, it does not fail the check.
      prom.queryVector(currentQ, opts).catch(failed),
      prom.queryVector(currentTotalQ, opts).catch(failed),
    ]);
    const evidence = [
      promEvidence(prom, rateQ),
      promEvidence(prom, currentQ),
      runbookEvidence('Check Active Connections (step 3)', runbookDroppedRate(prom.selector, p.rateWindow)),
      runbookEvidence('Verification, corrected to sum both sides', `${rateQ} < ${p.dropRatePct}`),
    ];
    const pct = firstValue(rate);
    const droppedPerSec = firstValue(dropped);
    const connPerSec = firstValue(total);
    const currentPct = now instanceof Error ? undefined : firstValue(now);
    const measuredNow = currentPct !== undefined && !Number.isNaN(currentPct) ? currentPct : undefined;
    const data: DropRateData = {
      dropRatePct: pct,
      droppedPerSec,
      connectionsPerSec: connPerSec,
      thresholdPct: p.dropRatePct,
      currentPct: measuredNow,
      currentConnectionsPerSec: nowTotal instanceof Error ? undefined : firstValue(nowTotal),
      // Drops with no new connection at all (+Inf) are over any threshold.
      currentStatus: measuredNow === undefined ? undefined : measuredNow > p.dropRatePct ? 'crit' : 'ok',
      currentWindow: current.window,
      currentSince: current.since,
    };
    const details: DetailBlock[] = [];
    if (trend instanceof Error) details.push({ kind: 'text', text: `trend unavailable: ${errorMessage(trend)}` });
    else if (trend[0]) details.push({ kind: 'series', label: `drop rate % (${p.trendWindow})`, points: sampleValues(trend[0].samples), limit: p.dropRatePct });
    if (now instanceof Error) details.push({ kind: 'text', text: `drop rate over the last ${current.window} unavailable: ${errorMessage(now)}` });
    const nowText = describeCurrent(data);

    if (pct === undefined) {
      return { status: 'unknown', summary: noDataReason(connPerSec, p.rateWindow), details, evidence, data: { ...data } };
    }
    if (!Number.isFinite(pct)) {
      const why = Number.isNaN(pct) ? 'no new connections and no drops (0/0)' : 'drops but no new connections counted';
      return {
        status: 'unknown',
        summary: `${why} in the last ${p.rateWindow}, so no drop rate to judge`,
        details,
        evidence,
        data: { ...data },
      };
    }
    const counts = `${fmtNumber(droppedPerSec ?? 0, 3)} drops/s of ${fmtNumber(connPerSec ?? 0)} new connections/s over ${p.rateWindow}`;
    const over = pct > p.dropRatePct;
    return {
      status: over ? 'crit' : 'ok',
      summary: `${fmtNumber(pct, 3)}% of connections dropped (${counts}) — ${over ? 'above' : 'within'} the ${p.dropRatePct}% alert threshold${nowText ? `; ${nowText}` : ''}`,
      details,
      evidence,
      data: { ...data },
    };
  },
};

/** `0.12% over the last 1m` (`… since the rollout finished`), or undefined when there is no current rate. */
export function describeCurrent(d: Pick<DropRateData, 'currentPct' | 'currentWindow' | 'currentSince'>): string | undefined {
  if (d.currentPct === undefined) return undefined;
  const shown = Number.isFinite(d.currentPct) ? `${fmtNumber(d.currentPct, 3)}%` : 'drops with no new connections';
  return `${shown} over the last ${d.currentWindow}${d.currentSince ? ' since the rollout finished' : ''}`;
}

/** No series means the metrics are missing, not that nothing dropped: say which side is missing. */
function noDataReason(connPerSec: number | undefined, window: string): string {
  if (connPerSec === undefined) {
    return `no data: ${METRICS.total} has no series for this selector — is Prometheus scraping the service?`;
  }
  return (
    `no data: ${METRICS.errors}{error_type="connection_dropped"} has no series in the last ${window} ` +
    `while ${fmtNumber(connPerSec)} connections/s arrive — the counter may not be exported until the first drop`
  );
}
