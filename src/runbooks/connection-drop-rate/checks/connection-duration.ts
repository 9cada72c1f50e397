import type { CheckResult, Status } from '../../../domain/finding.js';
import { firstValue } from '../../../integrations/prometheus/prometheus-client.js';
import type { Check } from '../../types.js';
import type { DropRateParams } from '../params.js';
import { durationQuantile } from '../queries.js';
import { fmtNumber, promEvidence, runbookEvidence } from '../../shared/evidence.js';

export const CONNECTION_DURATION = 'connection-duration';

/**
 * "Connection duration before drops". The runbook's `histogram_quantile(0.50, rate(..._bucket[5m]))` computes a
 * quantile per series; aggregating `by (le)` first gives one answer for the whole service.
 */
export const connectionDurationCheck: Check<DropRateParams> = {
  id: CONNECTION_DURATION,
  title: 'Connection duration (median)',
  async run(ctx): Promise<CheckResult> {
    const p = ctx.params;
    const prom = ctx.integrations.prometheus();
    const q = durationQuantile(prom.selector, p.rateWindow, p.durationQuantile);
    const series = await prom.queryVector(q, { signal: ctx.signal, timeoutMs: p.queryTimeoutMs });
    const pLabel = `p${Math.round(p.durationQuantile * 100)}`;
    const evidence = [
      promEvidence(prom, q),
      runbookEvidence(
        'Connection Patterns: duration before drops',
        `histogram_quantile(${p.durationQuantile}, rate(${prom.select('tick_storm_connection_duration_seconds_bucket')}[${p.rateWindow}]))`,
      ),
    ];
    const seconds = firstValue(series);
    if (seconds === undefined) {
      return { status: 'unknown', summary: 'no data: tick_storm_connection_duration_seconds_bucket has no series', evidence };
    }
    if (Number.isNaN(seconds)) {
      return { status: 'unknown', summary: `no connection ended in the last ${p.rateWindow}, so no ${pLabel} duration`, evidence };
    }
    const shown = Number.isFinite(seconds) ? `${fmtNumber(seconds)}s` : 'above the largest histogram bucket';
    const status: Status = seconds < p.durationCritSeconds ? 'crit' : seconds < p.durationWarnSeconds ? 'warn' : 'ok';
    const verdict =
      status === 'ok'
        ? `at least ${p.durationWarnSeconds}s`
        : `below ${status === 'crit' ? p.durationCritSeconds : p.durationWarnSeconds}s: connections end before the keep-alive interval`;
    return {
      status,
      summary: `${pLabel} connection duration ${shown} (${verdict})`,
      evidence,
      data: { durationSeconds: seconds, quantile: p.durationQuantile },
    };
  },
};
