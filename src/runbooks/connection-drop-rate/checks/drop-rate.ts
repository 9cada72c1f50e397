import type { CheckResult, DetailBlock } from '../../../domain/finding.js';
import { errorMessage } from '../../../errors.js';
import { parseDuration } from '../../../catalog/duration.js';
import { firstValue, sampleValues } from '../../../integrations/prometheus/prometheus-client.js';
import type { Check } from '../../types.js';
import type { DropRateParams } from '../params.js';
import { connectionsPerSecond, droppedPerSecond, dropRatePct, runbookDroppedRate, METRICS } from '../queries.js';
import { fmtNumber, promEvidence, runbookEvidence } from '../../shared/evidence.js';

export const DROP_RATE = 'drop-rate';

/** The alert's own expression (corrected), judged against its own threshold. */
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
    const [rate, dropped, total, trend] = await Promise.all([
      prom.queryVector(rateQ, opts),
      prom.queryVector(droppedQ, opts),
      prom.queryVector(totalQ, opts),
      prom
        .queryRange(rateQ, { ...opts, start: new Date(end.getTime() - trendMs), end, stepSeconds: p.trendStepSeconds })
        .catch((err: unknown) => err as Error),
    ]);
    const evidence = [
      promEvidence(prom, rateQ),
      runbookEvidence('Check Active Connections (step 3)', runbookDroppedRate(prom.selector, p.rateWindow)),
      runbookEvidence('Verification, corrected to sum both sides', `${rateQ} < ${p.dropRatePct}`),
    ];
    const pct = firstValue(rate);
    const droppedPerSec = firstValue(dropped);
    const connPerSec = firstValue(total);
    const data = { dropRatePct: pct, droppedPerSec, connectionsPerSec: connPerSec, thresholdPct: p.dropRatePct };
    const details: DetailBlock[] = [];
    if (trend instanceof Error) details.push({ kind: 'text', text: `trend unavailable: ${errorMessage(trend)}` });
    else if (trend[0]) details.push({ kind: 'series', label: `drop rate % (${p.trendWindow})`, points: sampleValues(trend[0].samples), limit: p.dropRatePct });

    if (pct === undefined) {
      return { status: 'unknown', summary: noDataReason(connPerSec, p.rateWindow), details, evidence, data };
    }
    if (!Number.isFinite(pct)) {
      const why = Number.isNaN(pct) ? 'no new connections and no drops (0/0)' : 'drops but no new connections counted';
      return {
        status: 'unknown',
        summary: `${why} in the last ${p.rateWindow}, so no drop rate to judge`,
        details,
        evidence,
        data,
      };
    }
    const counts = `${fmtNumber(droppedPerSec ?? 0, 3)} drops/s of ${fmtNumber(connPerSec ?? 0)} new connections/s over ${p.rateWindow}`;
    const over = pct > p.dropRatePct;
    return {
      status: over ? 'crit' : 'ok',
      summary: `${fmtNumber(pct, 3)}% of connections dropped (${counts}) — ${over ? 'above' : 'within'} the ${p.dropRatePct}% alert threshold`,
      details,
      evidence,
      data,
    };
  },
};

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
