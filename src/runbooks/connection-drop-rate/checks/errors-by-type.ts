import type { CheckResult } from '../../../domain/finding.js';
import type { Check } from '../../types.js';
import type { DropRateParams } from '../params.js';
import { errorsByType } from '../queries.js';
import { fmtNumber, promEvidence, runbookEvidence } from '../../shared/evidence.js';

export const ERRORS_BY_TYPE = 'errors-by-type';

/**
 * "Error types" from the runbook's Connection Patterns. It explains the drop rate rather than judging it, so it
 * is ok whenever it has data; the causes read its numbers.
 */
export const errorsByTypeCheck: Check<DropRateParams> = {
  id: ERRORS_BY_TYPE,
  title: 'Connection errors by type',
  async run(ctx): Promise<CheckResult> {
    const p = ctx.params;
    const prom = ctx.integrations.prometheus();
    const q = errorsByType(prom.selector, p.rateWindow);
    const series = await prom.queryVector(q, { signal: ctx.signal, timeoutMs: p.queryTimeoutMs });
    const evidence = [
      promEvidence(prom, q),
      runbookEvidence('Connection Patterns: error types', `sum by (error_type) (rate(${prom.select('tick_storm_connection_errors_total')}[${p.rateWindow}]))`),
    ];
    if (series.length === 0) {
      return {
        status: 'unknown',
        summary: `no data: tick_storm_connection_errors_total has no series in the last ${p.rateWindow}`,
        evidence,
      };
    }
    const byType: Record<string, number> = {};
    for (const s of series) byType[s.labels.error_type ?? '(none)'] = Number.isFinite(s.sample[1]) ? s.sample[1] : 0;
    const sorted = Object.entries(byType).sort((a, b) => b[1] - a[1]);
    const total = sorted.reduce((n, [, v]) => n + v, 0);
    const top = sorted.filter(([, v]) => v > 0).slice(0, 3);
    return {
      status: 'ok',
      summary:
        total === 0
          ? `no connection errors in the last ${p.rateWindow}`
          : `${fmtNumber(total, 3)} errors/s: ${top.map(([t, v]) => `${t} ${fmtNumber(v, 3)}/s`).join(', ')}`,
      details: [
        {
          kind: 'table',
          columns: ['error_type', 'per second', 'share'],
          rows: sorted.map(([t, v]) => [t, fmtNumber(v, 3), total > 0 ? `${fmtNumber((v / total) * 100, 1)}%` : '-']),
          caption: `rate over ${p.rateWindow}`,
        },
      ],
      evidence,
      data: { byType, totalPerSec: total },
    };
  },
};
