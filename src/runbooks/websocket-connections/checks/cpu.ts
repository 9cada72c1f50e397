import type { CheckResult, Evidence } from '../../../domain/finding.js';
import type { InstantSeries } from '../../../integrations/prometheus/query-result.js';
import type { Check } from '../../types.js';
import { fmtNumber, promEvidence, runbookEvidence } from '../../shared/evidence.js';
import { podScope } from '../../shared/k8s-workload/pod-scope.js';
import type { WebSocketParams } from '../params.js';
import { cpuCoresByPod, cpuLimitByPod, cpuQuotaByPod, runbookCpu, runbookCurl } from '../queries.js';
import { judge } from '../rates.js';

export const CPU = 'cpu';

export interface CpuData {
  /** The busiest pod's usage, as a percent of its CPU limit — or of one core where no limit is known. */
  worstPct: number;
  /** What worstPct is a percent of. */
  basis: 'limit' | 'core';
  pods: number;
}

/**
 * Monitoring query "Resource usage" and Step 1.3 `kubectl top pods`: CPU of the service's pods, judged against each
 * pod's CPU limit — a pod at its limit is throttled, whatever a core is. The limit comes from kube-state-metrics,
 * else from cAdvisor's CFS quota; with neither, the runbook's "percent of one core" is judged instead, and said so.
 */
export const cpuCheck: Check<WebSocketParams> = {
  id: CPU,
  title: 'CPU usage against the limit',
  skipUnless: (ctx) => (podScope(ctx) ? undefined : 'the catalog names no k8s namespace and workload: container CPU series are labelled by namespace and pod'),
  async run(ctx): Promise<CheckResult> {
    const p = ctx.params;
    const prom = ctx.integrations.prometheus();
    const opts = { signal: ctx.signal, timeoutMs: p.queryTimeoutMs };
    const scope = podScope(ctx)!;
    const usedQ = cpuCoresByPod(scope, p.rateWindow);
    const limitQ = cpuLimitByPod(scope);
    const evidence: Evidence[] = [promEvidence(prom, usedQ), promEvidence(prom, limitQ)];
    const [used, ksmLimits] = await Promise.all([prom.queryVector(usedQ, opts), prom.queryVector(limitQ, opts)]);
    let limits = positive(ksmLimits);
    let limitSource = 'kube_pod_container_resource_limits';
    if (used.length > 0 && limits.size === 0) {
      const quotaQ = cpuQuotaByPod(scope);
      evidence.push(promEvidence(prom, quotaQ));
      limits = positive(await prom.queryVector(quotaQ, opts));
      limitSource = 'container_spec_cpu_quota / container_spec_cpu_period';
    }
    evidence.push(
      runbookEvidence('Resource usage', runbookCurl(prom.baseUrl, runbookCpu(prom.selector, scope.podPrefix, p.rateWindow))),
      runbookEvidence('Check WebSocket pod resources', `kubectl top pods -n ${scope.namespace}${ctx.target.k8s?.selector ? ` -l ${ctx.target.k8s.selector}` : ''}`),
    );
    if (used.length === 0) {
      return { status: 'unknown', summary: `no data: no container CPU series for pods ${scope.podPrefix}-* in namespace ${scope.namespace}`, evidence };
    }
    const rows = used
      .map((s) => {
        const pod = s.labels.pod ?? '?';
        const cores = Number.isFinite(s.sample[1]) ? s.sample[1] : 0;
        const limit = limits.get(pod);
        return { pod, cores, limit, pct: (cores / (limit ?? 1)) * 100 };
      })
      .sort((a, b) => b.pct - a.pct);
    const worst = rows[0]!;
    const basis = worst.limit === undefined ? 'core' : 'limit';
    const unlimited = rows.filter((r) => r.limit === undefined).length;
    const notes: string[] = [];
    if (limits.size === 0) notes.push('no CPU limit metric (kube_pod_container_resource_limits, container_spec_cpu_quota) for these pods, so judged as percent of one core, as the runbook does');
    else if (unlimited > 0) notes.push(`${unlimited} pod(s) without a CPU limit are judged as percent of one core`);
    const data: CpuData = { worstPct: worst.pct, basis, pods: rows.length };
    const of = basis === 'limit' ? `of its ${fmtNumber(worst.limit!, 2)}-core limit` : 'of one core';
    return {
      status: judge(worst.pct, p.cpuWarnPct, p.cpuCritPct),
      summary:
        `busiest pod ${worst.pod} uses ${fmtNumber(worst.cores, 3)} cores, ${fmtNumber(worst.pct, 1)}% ${of} over ${p.rateWindow} ` +
        `(warn ${p.cpuWarnPct}%, crit ${p.cpuCritPct}%)` +
        (notes.length > 0 ? `; ${notes.join('; ')}` : ''),
      details: [
        {
          kind: 'table',
          columns: ['pod', 'cores used', 'limit (cores)', '% used'],
          rows: rows.map((r) => [r.pod, fmtNumber(r.cores, 3), r.limit === undefined ? 'none' : fmtNumber(r.limit, 2), `${fmtNumber(r.pct, 1)}%${r.limit === undefined ? ' of a core' : ''}`]),
          ...(limits.size > 0 ? { caption: `limit from ${limitSource}` } : {}),
        },
      ],
      evidence,
      data: { ...data },
    };
  },
};

/** Per pod; a limit of 0 or less (cAdvisor's -1 quota) is no limit. */
function positive(series: readonly InstantSeries[]): Map<string, number> {
  return new Map(series.filter((s) => Number.isFinite(s.sample[1]) && s.sample[1] > 0).map((s) => [s.labels.pod ?? '', s.sample[1]]));
}
