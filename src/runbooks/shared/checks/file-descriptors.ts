import type { CheckResult, Status } from '../../../domain/finding.js';
import type { InstantSeries } from '../../../integrations/prometheus/query-result.js';
import { selectorMatchers, withSelector } from '../../../integrations/prometheus/selector.js';
import type { Check, RunbookContext } from '../../types.js';
import { fmtNumber, promEvidence, runbookEvidence } from '../evidence.js';

export const FILE_DESCRIPTORS = 'file-descriptors';

/** The thresholds a runbook gives this check, from its own params. */
export interface FileDescriptorsParams {
  fdWarnPct: number;
  fdCritPct: number;
  queryTimeoutMs: number;
}

/** What the check measured, for causes and remediations. */
export interface FileDescriptorsData {
  worstPct: number;
  worstOpen: number;
  worstMax: number;
}

/** The process collector's gauges every Prometheus client library exports. */
export function openFds(selector: string | undefined): string {
  return withSelector('process_open_fds', selector);
}

export function maxFds(selector: string | undefined): string {
  return withSelector('process_max_fds', selector);
}

/**
 * Every connection holds a descriptor, so a process at its nofile limit refuses or drops them ("too many open
 * files"). `runbookCli` is how the runbook itself looks (lsof on a host, /proc in a container).
 */
export const fileDescriptorsCheck = <P extends FileDescriptorsParams>(
  opts: { title?: string; runbookCli?: (ctx: RunbookContext<P>) => string } = {},
): Check<P> => ({
  id: FILE_DESCRIPTORS,
  title: opts.title ?? 'File descriptors',
  skipUnless: (ctx) => (ctx.target.prometheus ? undefined : 'the catalog names no Prometheus for this env'),
  async run(ctx): Promise<CheckResult> {
    const p = ctx.params;
    const prom = ctx.integrations.prometheus();
    const runbookCli = opts.runbookCli?.(ctx) ?? `lsof -p $(pgrep ${ctx.service}) | wc -l; ulimit -n`;
    if (selectorMatchers(prom.selector) === '') return withoutSelector(ctx, runbookCli);
    const openQ = openFds(prom.selector);
    const maxQ = maxFds(prom.selector);
    const q = { signal: ctx.signal, timeoutMs: p.queryTimeoutMs };
    const [open, max] = await Promise.all([prom.queryVector(openQ, q), prom.queryVector(maxQ, q)]);
    const evidence = [
      promEvidence(prom, openQ),
      promEvidence(prom, maxQ),
      runbookEvidence('file descriptor usage', runbookCli),
    ];
    const rows = joinBySeries(open, max);
    if (rows.length === 0) {
      return {
        status: 'unknown',
        summary: `no data: ${open.length === 0 ? 'process_open_fds' : 'process_max_fds'} has no series for this selector`,
        evidence,
      };
    }
    rows.sort((a, b) => b.pct - a.pct);
    const worst = rows[0]!;
    const status: Status = worst.pct >= p.fdCritPct ? 'crit' : worst.pct >= p.fdWarnPct ? 'warn' : 'ok';
    const data: FileDescriptorsData = { worstPct: worst.pct, worstOpen: worst.open, worstMax: worst.max };
    return {
      status,
      summary:
        `${worst.instance}: ${fmtNumber(worst.open)} of ${fmtNumber(worst.max)} file descriptors open ` +
        `(${fmtNumber(worst.pct, 1)}%; warn ${p.fdWarnPct}%, crit ${p.fdCritPct}%)`,
      details: [
        {
          kind: 'table',
          columns: ['instance', 'open', 'limit', 'used'],
          rows: rows.map((r) => [r.instance, fmtNumber(r.open), fmtNumber(r.max), `${fmtNumber(r.pct, 1)}%`]),
        },
      ],
      evidence,
      data: { ...data },
    };
  },
});

/**
 * No catalog selector: bare `process_open_fds` is every process Prometheus scrapes — other services, Prometheus
 * itself — so no series can be taken for this service's, and none is judged. The query still goes out (an
 * unreachable Prometheus is an error, as for any check), and the summary names the jobs that export it, so the
 * selector to add is one look away.
 */
async function withoutSelector<P extends FileDescriptorsParams>(ctx: RunbookContext<P>, runbookCli: string): Promise<CheckResult> {
  const prom = ctx.integrations.prometheus();
  const q = openFds(undefined);
  const series = await prom.queryVector(q, { signal: ctx.signal, timeoutMs: ctx.params.queryTimeoutMs });
  const jobs = [...new Set(series.map((s) => s.labels.job ?? '?'))].sort();
  const seen =
    series.length === 0
      ? 'no process exports it'
      : `${series.length} process(es) export it${jobs.length > 0 ? ` (job ${jobs.slice(0, 5).join(', ')}${jobs.length > 5 ? ', …' : ''})` : ''}, none judged`;
  return {
    status: 'unknown',
    summary: `no selector for this service's series: the catalog's prometheus.selector is not set, and process_open_fds without one is every scraped process's (${seen})`,
    evidence: [
      promEvidence(prom, q),
      runbookEvidence('file descriptor usage', runbookCli),
    ],
  };
}

interface FdRow {
  instance: string;
  open: number;
  max: number;
  pct: number;
}

/** Pair each process's open count with its own limit (same labels but the metric name). */
function joinBySeries(open: InstantSeries[], max: InstantSeries[]): FdRow[] {
  const key = (l: Record<string, string>) => JSON.stringify(Object.entries(l).filter(([k]) => k !== '__name__').sort());
  const limits = new Map(max.map((s) => [key(s.labels), s.sample[1]]));
  const rows: FdRow[] = [];
  for (const s of open) {
    const limit = limits.get(key(s.labels));
    if (limit === undefined || !(limit > 0)) continue;
    rows.push({ instance: s.labels.instance ?? s.labels.pod ?? '?', open: s.sample[1], max: limit, pct: (s.sample[1] / limit) * 100 });
  }
  return rows;
}
