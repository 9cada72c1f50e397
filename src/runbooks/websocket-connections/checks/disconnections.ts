import type { CheckResult, Status } from '../../../domain/finding.js';
import { firstValue } from '../../../integrations/prometheus/prometheus-client.js';
import type { Check } from '../../types.js';
import { fmtNumber, promEvidence, runbookEvidence } from '../../shared/evidence.js';
import type { WebSocketParams } from '../params.js';
import { METRICS, disconnectionsByReason, disconnectionsTotal, runbookCurl } from '../queries.js';
import { byLabel, judge, topRates } from '../rates.js';

export const DISCONNECTIONS = 'disconnections';

export interface DisconnectionsData {
  /** Over `rateWindow` (5m), summed over the reasons: what the status is judged on. */
  totalPerSec: number;
  byReason: Record<string, number>;
  /** Step 1.1's current rate over `currentRateWindow` (2m), judged on the same lines: what a remediation's verification reads. */
  currentPerSec: number | undefined;
  currentStatus: Status | undefined;
  currentWindow: string;
}

/**
 * "Check disconnection rate" by reason over the runbook's 5m, so a mass ping timeout reads differently from
 * clients leaving; and Step 1.1 "Check current disconnection rate" over 2m, which moves sooner after a change.
 */
export const disconnectionsCheck: Check<WebSocketParams> = {
  id: DISCONNECTIONS,
  title: 'Disconnection rate by reason',
  async run(ctx): Promise<CheckResult> {
    const p = ctx.params;
    const prom = ctx.integrations.prometheus();
    const opts = { signal: ctx.signal, timeoutMs: p.queryTimeoutMs };
    const q = disconnectionsByReason(prom.selector, p.rateWindow);
    const currentQ = disconnectionsTotal(prom.selector, p.currentRateWindow);
    const [series, current] = await Promise.all([prom.queryVector(q, opts), prom.queryVector(currentQ, opts)]);
    const evidence = [
      promEvidence(prom, q),
      promEvidence(prom, currentQ),
      runbookEvidence('Check disconnection rate', runbookCurl(prom.baseUrl, q)),
      runbookEvidence('Verify Alert Accuracy: check current disconnection rate', runbookCurl(prom.baseUrl, currentQ)),
    ];
    if (series.length === 0) {
      return { status: 'unknown', summary: `no data: ${METRICS.disconnections} has no series in the last ${p.rateWindow}`, evidence };
    }
    const { rows, total } = byLabel(series, 'reason');
    const now = firstValue(current);
    const currentPerSec = now !== undefined && Number.isFinite(now) ? now : undefined;
    const data: DisconnectionsData = {
      totalPerSec: total,
      byReason: Object.fromEntries(rows),
      currentPerSec,
      currentStatus: currentPerSec === undefined ? undefined : judge(currentPerSec, p.disconnectionsWarnPerSec, p.disconnectionsCritPerSec),
      currentWindow: p.currentRateWindow,
    };
    const currentText = currentPerSec === undefined ? '' : `; ${fmtNumber(currentPerSec, 3)}/s over the last ${p.currentRateWindow}`;
    return {
      status: judge(total, p.disconnectionsWarnPerSec, p.disconnectionsCritPerSec),
      summary:
        (total === 0
          ? `no disconnections in the last ${p.rateWindow}`
          : `${fmtNumber(total, 3)} disconnections/s over ${p.rateWindow}: ${topRates(rows)} (warn ${p.disconnectionsWarnPerSec}/s, crit ${p.disconnectionsCritPerSec}/s)`) +
        currentText,
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
