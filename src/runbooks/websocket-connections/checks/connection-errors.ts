import type { CheckResult } from '../../../domain/finding.js';
import type { Check } from '../../types.js';
import { fmtNumber, promEvidence, runbookEvidence } from '../../shared/evidence.js';
import type { WebSocketParams } from '../params.js';
import { METRICS, errorsByType, runbookCurl } from '../queries.js';
import { byLabel, judge, topRates } from '../rates.js';

export const WS_CONNECTION_ERRORS = 'connection-errors';

/** Monitoring query "Connection errors by type". */
export const connectionErrorsCheck: Check<WebSocketParams> = {
  id: WS_CONNECTION_ERRORS,
  title: 'Connection errors by type',
  async run(ctx): Promise<CheckResult> {
    const p = ctx.params;
    const prom = ctx.integrations.prometheus();
    const q = errorsByType(prom.selector, p.rateWindow);
    const series = await prom.queryVector(q, { signal: ctx.signal, timeoutMs: p.queryTimeoutMs });
    const evidence = [promEvidence(prom, q), runbookEvidence('Connection errors by type', runbookCurl(prom.baseUrl, q))];
    if (series.length === 0) {
      return { status: 'unknown', summary: `no data: ${METRICS.errors} has no series in the last ${p.rateWindow}`, evidence };
    }
    const { rows, total } = byLabel(series, 'error_type');
    return {
      status: judge(total, p.errorsWarnPerSec, p.errorsCritPerSec),
      summary: total === 0 ? `no connection errors in the last ${p.rateWindow}` : `${fmtNumber(total, 3)} connection errors/s: ${topRates(rows)}`,
      details: [{ kind: 'table', columns: ['error_type', 'per second'], rows: rows.map(([t, v]) => [t, fmtNumber(v, 3)]), caption: `rate over ${p.rateWindow}` }],
      evidence,
      data: { totalPerSec: total, byType: Object.fromEntries(rows) },
    };
  },
};
