import type { CheckResult } from '../../../domain/finding.js';
import type { Check } from '../../types.js';
import { fmtNumber, promEvidence, runbookEvidence } from '../../shared/evidence.js';
import type { WebSocketParams } from '../params.js';
import { METRICS, disconnectionsByReason, runbookCurl } from '../queries.js';
import { byLabel, judge, topRates } from '../rates.js';

export const DISCONNECTIONS = 'disconnections';

export interface DisconnectionsData {
  totalPerSec: number;
  byReason: Record<string, number>;
}

/** "Check disconnection rate": by reason, so a mass ping timeout reads differently from clients leaving. */
export const disconnectionsCheck: Check<WebSocketParams> = {
  id: DISCONNECTIONS,
  title: 'Disconnection rate by reason',
  async run(ctx): Promise<CheckResult> {
    const p = ctx.params;
    const prom = ctx.integrations.prometheus();
    const q = disconnectionsByReason(prom.selector, p.rateWindow);
    const series = await prom.queryVector(q, { signal: ctx.signal, timeoutMs: p.queryTimeoutMs });
    const evidence = [promEvidence(prom, q), runbookEvidence('Check disconnection rate', runbookCurl(prom.baseUrl, q))];
    if (series.length === 0) {
      return { status: 'unknown', summary: `no data: ${METRICS.disconnections} has no series in the last ${p.rateWindow}`, evidence };
    }
    const { rows, total } = byLabel(series, 'reason');
    const data: DisconnectionsData = { totalPerSec: total, byReason: Object.fromEntries(rows) };
    return {
      status: judge(total, p.disconnectionsWarnPerSec, p.disconnectionsCritPerSec),
      summary:
        total === 0
          ? `no disconnections in the last ${p.rateWindow}`
          : `${fmtNumber(total, 3)} disconnections/s over ${p.rateWindow}: ${topRates(rows)} (warn ${p.disconnectionsWarnPerSec}/s, crit ${p.disconnectionsCritPerSec}/s)`,
      details: [
        {
          kind: 'table',
          columns: ['reason', 'per second', 'share'],
          rows: rows.map(([r, v]) => [r, fmtNumber(v, 3), total > 0 ? `${fmtNumber((v / total) * 100, 1)}%` : '-']),
          caption: `rate over ${p.rateWindow}`,
        },
      ],
      evidence,
      data: { ...data },
    };
  },
};
