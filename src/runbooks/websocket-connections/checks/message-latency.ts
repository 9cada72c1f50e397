import type { CheckResult } from '../../../domain/finding.js';
import { firstValue } from '../../../integrations/prometheus/prometheus-client.js';
import type { Check } from '../../types.js';
import { fmtNumber, promEvidence, runbookEvidence } from '../../shared/evidence.js';
import type { WebSocketParams } from '../params.js';
import { METRICS, latencyQuantile, runbookCurl, runbookLatency } from '../queries.js';
import { judge } from '../rates.js';

export const MESSAGE_LATENCY = 'message-latency';

/** "Check message latency": p95 over every instance's histogram (summed by `le` first, so one number). */
export const messageLatencyCheck: Check<WebSocketParams> = {
  id: MESSAGE_LATENCY,
  title: 'Message latency',
  async run(ctx): Promise<CheckResult> {
    const p = ctx.params;
    const prom = ctx.integrations.prometheus();
    const q = latencyQuantile(prom.selector, p.rateWindow, p.latencyQuantile);
    const series = await prom.queryVector(q, { signal: ctx.signal, timeoutMs: p.queryTimeoutMs });
    const evidence = [
      promEvidence(prom, q),
      runbookEvidence('Check message latency (per series)', runbookCurl(prom.baseUrl, runbookLatency(prom.selector, p.rateWindow, p.latencyQuantile))),
    ];
    const seconds = firstValue(series);
    const pq = `p${Math.round(p.latencyQuantile * 100)}`;
    if (seconds === undefined) return { status: 'unknown', summary: `no data: ${METRICS.latencyBucket} has no series for this selector`, evidence };
    if (!Number.isFinite(seconds)) return { status: 'unknown', summary: `no messages in the last ${p.rateWindow}, so no ${pq} latency`, evidence };
    return {
      status: judge(seconds, p.latencyWarnSeconds, p.latencyCritSeconds),
      summary: `${pq} message latency ${fmtNumber(seconds * 1000)} ms over ${p.rateWindow} (warn ${p.latencyWarnSeconds * 1000} ms, crit ${p.latencyCritSeconds * 1000} ms)`,
      evidence,
      data: { seconds },
    };
  },
};
