import type { CheckResult, Evidence, Status } from '../../../domain/finding.js';
import type { PrometheusClient } from '../../../integrations/prometheus/prometheus-client.js';
import { withSelector } from '../../../integrations/prometheus/selector.js';
import type { Check, RunbookContext } from '../../types.js';
import { fmtBytes, fmtNumber, promEvidence, runbookEvidence } from '../evidence.js';

export const MEMORY = 'memory';

/** The thresholds a runbook gives this check, from its own params. */
export interface MemoryParams {
  memoryWarnPct: number;
  memoryCritPct: number;
  queryTimeoutMs: number;
}

/** What the check measured against a limit (only when one is known). */
export interface MemoryData {
  worstPct: number;
  worstUsedBytes: number;
  worstLimitBytes: number;
}

export function residentMemory(selector: string | undefined): string {
  return withSelector('process_resident_memory_bytes', selector);
}

/** cAdvisor series carry namespace/pod/container, not the service's own labels. */
export function containerWorkingSet(namespace: string, container: string): string {
  return `sum by (pod) (${withSelector('container_memory_working_set_bytes', undefined, { namespace, container })})`;
}

export function containerMemoryLimit(namespace: string, container: string): string {
  return `sum by (pod) (${withSelector('container_spec_memory_limit_bytes', undefined, { namespace, container })})`;
}

/**
 * Memory pressure (out of memory, OOM kills): usage against the container's limit. The limit is only known from
 * cAdvisor (container_spec_memory_limit_bytes, per namespace/container), so without a Kubernetes target or those
 * series the process RSS is shown but not judged.
 */
export const memoryCheck = <P extends MemoryParams>(title = 'Memory against its limit'): Check<P> => ({
  id: MEMORY,
  title,
  skipUnless: (ctx) => (ctx.target.prometheus ? undefined : 'the catalog names no Prometheus for this env'),
  async run(ctx): Promise<CheckResult> {
    const p = ctx.params;
    const prom = ctx.integrations.prometheus();
    const opts = { signal: ctx.signal, timeoutMs: p.queryTimeoutMs };
    const evidence: Evidence[] = [];
    const container = containerName(ctx);
    const namespace = ctx.target.k8s?.namespace;
    if (namespace && container) {
      const judged = await containerMemory(prom, namespace, container, opts, p, evidence);
      if (judged) return judged;
    }
    const rssQ = residentMemory(prom.selector);
    evidence.push(promEvidence(prom, rssQ), runbookEvidence('memory pressure', 'free -h; cat /proc/meminfo | grep -i available'));
    const rss = await prom.queryVector(rssQ, opts);
    if (rss.length === 0) {
      return { status: 'unknown', summary: 'no data: neither container memory series nor process_resident_memory_bytes for this target', evidence };
    }
    const worst = [...rss].sort((a, b) => b.sample[1] - a.sample[1])[0]!;
    return {
      status: 'unknown',
      summary:
        `largest resident memory ${fmtBytes(worst.sample[1])} (${worst.labels.instance ?? '?'}), but no memory limit ` +
        `metric (container_spec_memory_limit_bytes) to judge it against`,
      details: [
        {
          kind: 'table',
          columns: ['instance', 'resident'],
          rows: rss.map((s) => [s.labels.instance ?? '?', fmtBytes(s.sample[1])]),
        },
      ],
      evidence,
      data: { worstRssBytes: worst.sample[1] },
    };
  },
});

/** The container the runbook's memory patch names: the catalog's container, else the workload's name. */
export function containerName<P>(ctx: RunbookContext<P>): string | undefined {
  const k = ctx.target.k8s;
  return k?.container ?? k?.deployment ?? k?.statefulset;
}

async function containerMemory(
  prom: PrometheusClient,
  namespace: string,
  container: string,
  opts: { signal: AbortSignal; timeoutMs: number },
  p: MemoryParams,
  evidence: Evidence[],
): Promise<CheckResult | undefined> {
  const usedQ = containerWorkingSet(namespace, container);
  const limitQ = containerMemoryLimit(namespace, container);
  evidence.push(
    promEvidence(prom, usedQ),
    promEvidence(prom, limitQ),
    runbookEvidence('memory pressure', `kubectl top pod -n ${namespace} --containers | grep ${container}`),
  );
  const [used, limits] = await Promise.all([prom.queryVector(usedQ, opts), prom.queryVector(limitQ, opts)]);
  // A limit of 0 is cAdvisor's "unlimited": nothing to be near.
  const limitByPod = new Map(limits.filter((s) => s.sample[1] > 0).map((s) => [s.labels.pod ?? '', s.sample[1]]));
  const rows = used
    .map((s) => {
      const limit = limitByPod.get(s.labels.pod ?? '');
      return limit ? { pod: s.labels.pod ?? '?', used: s.sample[1], limit, pct: (s.sample[1] / limit) * 100 } : undefined;
    })
    .filter((r) => r !== undefined)
    .sort((a, b) => b.pct - a.pct);
  const worst = rows[0];
  if (!worst) return undefined;
  const status: Status = worst.pct >= p.memoryCritPct ? 'crit' : worst.pct >= p.memoryWarnPct ? 'warn' : 'ok';
  const data: MemoryData = { worstPct: worst.pct, worstUsedBytes: worst.used, worstLimitBytes: worst.limit };
  return {
    status,
    summary:
      `${worst.pod}: ${fmtBytes(worst.used)} of its ${fmtBytes(worst.limit)} limit (${fmtNumber(worst.pct, 1)}%; ` +
      `warn ${p.memoryWarnPct}%, crit ${p.memoryCritPct}%)`,
    details: [
      {
        kind: 'table',
        columns: ['pod', 'working set', 'limit', 'used'],
        rows: rows.map((r) => [r.pod, fmtBytes(r.used), fmtBytes(r.limit), `${fmtNumber(r.pct, 1)}%`]),
      },
    ],
    evidence,
    data: { ...data },
  };
}
