import type { CheckResult, Status } from '../../../domain/finding.js';
import type { Check, RunbookContext } from '../../types.js';
import { fmtNumber, promEvidence, runbookEvidence } from '../evidence.js';
import { cadvisorPodMatchers, podScope, type PodScope } from '../k8s-workload/pod-scope.js';

export const CPU_THROTTLING = 'cpu-throttling';

/** The thresholds a runbook gives this check, from its own params. */
export interface CpuThrottlingParams {
  cpuThrottleWarnPct: number;
  cpuThrottleCritPct: number;
  rateWindow: string;
  queryTimeoutMs: number;
}

export interface CpuThrottlingData {
  /** Percent of CFS periods in which the busiest pod was throttled. */
  worstPct: number;
  worstPod: string;
  pods: number;
}

/** Share of CFS scheduling periods in which each pod's containers hit their CPU limit (0..1). */
export function cpuThrottledRatio(scope: PodScope, window: string): string {
  const m = cadvisorPodMatchers(scope);
  return (
    `sum by (pod) (rate(container_cpu_cfs_throttled_periods_total{${m}}[${window}])) / ` +
    `sum by (pod) (rate(container_cpu_cfs_periods_total{${m}}[${window}]))`
  );
}

/**
 * CPU throttling: a container at its CPU limit is paused for the rest of each 100 ms period, so accepts and
 * handshakes stall and clients time out while the node has CPU to spare. Only containers with a CPU limit have
 * CFS periods at all.
 */
export const cpuThrottlingCheck = <P extends CpuThrottlingParams>(
  opts: { title?: string; runbookCli?: (ctx: RunbookContext<P>) => string } = {},
): Check<P> => ({
  id: CPU_THROTTLING,
  title: opts.title ?? 'CPU throttling',
  skipUnless: (ctx) => {
    if (!ctx.target.prometheus) return 'the catalog names no Prometheus for this env';
    return podScope(ctx) ? undefined : 'the k8s target names no namespace and workload: cAdvisor series are labelled by namespace and pod';
  },
  async run(ctx): Promise<CheckResult> {
    const p = ctx.params;
    const prom = ctx.integrations.prometheus();
    const scope = podScope(ctx)!;
    const q = cpuThrottledRatio(scope, p.rateWindow);
    const evidence = [promEvidence(prom, q), ...(opts.runbookCli ? [runbookEvidence('CPU throttling in the container (cgroup cpu.stat)', opts.runbookCli(ctx))] : [])];
    const series = await prom.queryVector(q, { signal: ctx.signal, timeoutMs: p.queryTimeoutMs });
    const rows = series
      .filter((s) => Number.isFinite(s.sample[1]))
      .map((s) => ({ pod: s.labels.pod ?? '?', pct: s.sample[1] * 100 }))
      .sort((a, b) => b.pct - a.pct);
    const worst = rows[0];
    if (!worst) {
      return {
        status: 'unknown',
        summary: `no CFS period series for pods ${scope.podPrefix}-* in namespace ${scope.namespace}: the containers have no CPU limit (nothing throttles them) or cAdvisor is not scraped`,
        evidence,
      };
    }
    const status: Status = worst.pct >= p.cpuThrottleCritPct ? 'crit' : worst.pct >= p.cpuThrottleWarnPct ? 'warn' : 'ok';
    const data: CpuThrottlingData = { worstPct: worst.pct, worstPod: worst.pod, pods: rows.length };
    return {
      status,
      summary:
        `${worst.pod} throttled in ${fmtNumber(worst.pct, 1)}% of CPU periods over ${p.rateWindow} ` +
        `(warn ${p.cpuThrottleWarnPct}%, crit ${p.cpuThrottleCritPct}%)`,
      details: [{ kind: 'table', columns: ['pod', 'throttled periods'], rows: rows.map((r) => [r.pod, `${fmtNumber(r.pct, 1)}%`]) }],
      evidence,
      data: { ...data },
    };
  },
});
