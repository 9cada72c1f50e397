import type { CheckResult, Status } from '../../../domain/finding.js';
import type { Check } from '../../types.js';
import type { DropRateParams } from '../params.js';
import { activeByInstance } from '../queries.js';
import { fmtNumber, promEvidence, runbookEvidence } from '../../shared/evidence.js';

export const ACTIVE_CONNECTIONS = 'active-connections';

/** Step 3 of the runbook; judged per process against MAX_CONNECTIONS, which each process enforces alone. */
export const activeConnectionsCheck: Check<DropRateParams> = {
  id: ACTIVE_CONNECTIONS,
  title: 'Active connections',
  async run(ctx): Promise<CheckResult> {
    const p = ctx.params;
    const prom = ctx.integrations.prometheus();
    const q = activeByInstance(prom.selector);
    const series = await prom.queryVector(q, { signal: ctx.signal, timeoutMs: p.queryTimeoutMs });
    const metricsUrl = ctx.target.http?.metrics;
    const evidence = [
      promEvidence(prom, q),
      ...(metricsUrl ? [runbookEvidence('Check Connection Metrics (step 1)', `curl -s ${metricsUrl} | grep connection_`)] : []),
    ];
    if (series.length === 0) {
      return { status: 'unknown', summary: 'no data: tick_storm_active_connections has no series for this selector', evidence };
    }
    const rows = series
      .map((s) => ({ instance: s.labels.instance ?? '(all)', active: s.sample[1] }))
      .sort((a, b) => b.active - a.active);
    const total = rows.reduce((n, r) => n + r.active, 0);
    const busiest = rows[0]!;
    const busiestPct = (busiest.active / p.maxConnections) * 100;
    const status: Status =
      busiestPct >= p.activeConnectionsCritPct ? 'crit' : busiestPct >= p.activeConnectionsWarnPct ? 'warn' : 'ok';
    return {
      status,
      summary:
        `${fmtNumber(total)} active connections on ${rows.length} instance(s); busiest ${busiest.instance} at ` +
        `${fmtNumber(busiest.active)} (${fmtNumber(busiestPct, 1)}% of MAX_CONNECTIONS ${fmtNumber(p.maxConnections)})`,
      details: [
        {
          kind: 'table',
          columns: ['instance', 'active', `% of ${p.maxConnections}`],
          rows: rows.map((r) => [r.instance, fmtNumber(r.active), fmtNumber((r.active / p.maxConnections) * 100, 1)]),
        },
      ],
      evidence,
      data: { totalActive: total, busiestPct, instances: rows.length },
    };
  },
};
