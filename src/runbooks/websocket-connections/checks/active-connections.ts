import type { CheckResult } from '../../../domain/finding.js';
import type { Check } from '../../types.js';
import { fmtNumber, promEvidence, runbookEvidence } from '../../shared/evidence.js';
import type { WebSocketParams } from '../params.js';
import { METRICS, activeByInstance, activeConnections, runbookCurl } from '../queries.js';
import { judge } from '../rates.js';

export const ACTIVE_CONNECTIONS = 'active-connections';

/** "Check active connections", judged per instance against websocket.yaml max_connections. */
export const activeConnectionsCheck: Check<WebSocketParams> = {
  id: ACTIVE_CONNECTIONS,
  title: 'Active WebSocket connections',
  async run(ctx): Promise<CheckResult> {
    const p = ctx.params;
    const prom = ctx.integrations.prometheus();
    const q = activeByInstance(prom.selector);
    const series = await prom.queryVector(q, { signal: ctx.signal, timeoutMs: p.queryTimeoutMs });
    const evidence = [
      promEvidence(prom, q),
      runbookEvidence('Check active connections', runbookCurl(prom.baseUrl, activeConnections(prom.selector))),
    ];
    if (series.length === 0) return { status: 'unknown', summary: `no data: ${METRICS.active} has no series for this selector`, evidence };
    const rows = series.map((s) => ({ instance: s.labels.instance ?? '(all)', active: s.sample[1] })).sort((a, b) => b.active - a.active);
    const total = rows.reduce((n, r) => n + r.active, 0);
    const busiest = rows[0]!;
    const busiestPct = (busiest.active / p.maxConnections) * 100;
    return {
      status: judge(busiestPct, p.connectionsWarnPct, p.connectionsCritPct),
      summary:
        `${fmtNumber(total)} active connections on ${rows.length} instance(s); busiest ${busiest.instance} at ` +
        `${fmtNumber(busiest.active)} (${fmtNumber(busiestPct, 1)}% of max_connections ${fmtNumber(p.maxConnections)})`,
      details: [
        {
          kind: 'table',
          columns: ['instance', 'active', `% of ${p.maxConnections}`],
          rows: rows.map((r) => [r.instance, fmtNumber(r.active), fmtNumber((r.active / p.maxConnections) * 100, 1)]),
        },
      ],
      evidence,
      data: { total, busiestPct, instances: rows.length },
    };
  },
};
