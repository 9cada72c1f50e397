import type { CheckResult } from '../../../domain/finding.js';
import type { Check } from '../../types.js';
import { fmtNumber, promEvidence, runbookEvidence } from '../../shared/evidence.js';
import { workloadRef } from '../../shared/k8s-workload/workload-ref.js';
import type { WebSocketParams } from '../params.js';
import { cpuByPod, runbookCpu, runbookCurl } from '../queries.js';
import { judge } from '../rates.js';

export const CPU = 'cpu';

/** Monitoring query "Resource usage": CPU of the service's pods, percent of one core. */
export const cpuCheck: Check<WebSocketParams> = {
  id: CPU,
  title: 'CPU usage',
  async run(ctx): Promise<CheckResult> {
    const p = ctx.params;
    const prom = ctx.integrations.prometheus();
    const ref = workloadRef(ctx.target.k8s);
    const prefix = ref?.name ?? ctx.service;
    const q = cpuByPod(prom.selector, prefix, p.rateWindow);
    const series = await prom.queryVector(q, { signal: ctx.signal, timeoutMs: p.queryTimeoutMs });
    const evidence = [
      promEvidence(prom, q),
      runbookEvidence('Resource usage', runbookCurl(prom.baseUrl, runbookCpu(prom.selector, prefix, p.rateWindow))),
      ...(ref ? [runbookEvidence('Check WebSocket pod resources', `kubectl top pods -n ${ref.namespace}${ctx.target.k8s?.selector ? ` -l ${ctx.target.k8s.selector}` : ''}`)] : []),
    ];
    if (series.length === 0) {
      return { status: 'unknown', summary: `no data: no container CPU series for pods ${prefix}* with this selector (cAdvisor series may lack the service's labels)`, evidence };
    }
    const rows = series.map((s) => ({ pod: s.labels.pod ?? '?', pct: Number.isFinite(s.sample[1]) ? s.sample[1] : 0 })).sort((a, b) => b.pct - a.pct);
    const worst = rows[0]!;
    return {
      status: judge(worst.pct, p.cpuWarnPct, p.cpuCritPct),
      summary: `busiest pod ${worst.pod} uses ${fmtNumber(worst.pct, 1)}% of a core over ${p.rateWindow} (warn ${p.cpuWarnPct}%, crit ${p.cpuCritPct}%)`,
      details: [{ kind: 'table', columns: ['pod', '% of a core'], rows: rows.map((r) => [r.pod, fmtNumber(r.pct, 1)]) }],
      evidence,
      data: { worstPct: worst.pct, pods: rows.length },
    };
  },
};
