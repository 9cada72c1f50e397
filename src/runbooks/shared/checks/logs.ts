import type { CheckResult, DetailBlock, Evidence, Status } from '../../../domain/finding.js';
import { errorMessage } from '../../../errors.js';
import type { PodSummary } from '../../../integrations/k8s/k8s-cluster.js';
import { redactSecrets } from '../../../domain/redact-secrets.js';
import { truncateText } from '../../../render/slack/mrkdwn.js';
import type { Check } from '../../types.js';
import { podSelector, podTargetMissing } from '../k8s-workload/pod-selector.js';
import { ERROR_LINE, countSignals, emptySignals, type LogSignalCounts } from './log-signals.js';
import { wrapCells } from '../outside-text.js';

export const LOGS = 'logs';

/** The thresholds a runbook gives this check, from its own params. */
export interface PodLogsParams {
  /** `kubectl logs <pod> --tail=N`. */
  logTailLines: number;
  /** Pods whose logs are read (each is one API call), failing ones first. */
  logPodsMax: number;
  /** `grep -i error` lines in the tails: warn and crit counts. */
  logErrorLinesWarn: number;
  logErrorLinesCrit: number;
  /** Example lines shown in the report (all are counted). */
  logExampleLines: number;
}

/** Which log lines the check keeps, as the runbook's grep would. */
export interface PodLogsOptions {
  /** The lines kept and shown as examples; default /error/i (`grep -i error`). Error lines are counted either way. */
  lineFilter?: RegExp;
  /** The grep that filter is, for the `kubectl logs … |` evidence; default `grep -iE "<lineFilter's source>"`, or `grep -i error`. */
  grep?: string;
  /**
   * Kinds of kept line counted apart, in the summary and the table: `{ connect: /…/, disconnect: /…/ }`. A line
   * may be of several kinds; error lines are always counted, so need no kind.
   */
  lineKinds?: Readonly<Record<string, RegExp>>;
}

export interface LogsData {
  podsRead: number;
  linesRead: number;
  /** Lines matching /error/i, whatever the filter. */
  errorLines: number;
  /** Lines the filter kept (the runbook's grep output); equal to errorLines with the default filter. */
  matchedLines: number;
  /** Kept lines of each of the options' lineKinds. */
  kinds: Record<string, number>;
  signals: LogSignalCounts;
  /**
   * Set when the check re-ran to verify a remediation (ctx.afterRemediation): the lines read may be from before
   * the change. The K8s adapter reads a pod's log as its last N lines (no sinceTime or sinceSeconds), so a pod the
   * change left running still shows its old lines; a count above zero then does not say the change failed.
   */
  mayPredateChange?: boolean;
}

const EXAMPLE_CHARS = 300;

/**
 * "Check Logs": `kubectl logs <pod> -n <ns> --tail=100 | grep -i error`, for the pods most likely to be failing,
 * with the lines that name a connection symptom (too many connections, open files, OOM, refused, timeouts, DNS)
 * counted apart. `options.lineFilter` replaces the runbook's grep (the status is judged on error lines either way).
 */
export const podLogsCheck = <P extends PodLogsParams>(title = 'Recent pod logs', options: PodLogsOptions = {}): Check<P> => {
  const filter = options.lineFilter ? stateless(options.lineFilter) : ERROR_LINE;
  const grep = options.grep ?? (options.lineFilter ? grepFor(options.lineFilter) : 'grep -i error');
  const lineKinds = Object.entries(options.lineKinds ?? {}).map(([name, re]) => ({ name, re: stateless(re) }));
  const kindNames = lineKinds.map((k) => k.name);
  return {
    id: LOGS,
    title,
    skipUnless: podTargetMissing,
    async run(ctx): Promise<CheckResult> {
      const p = ctx.params;
      const cluster = ctx.integrations.k8s();
      const evidence: Evidence[] = [];
      const { namespace, selector } = await podSelector(ctx, evidence);
      const pods = await cluster.listPods(namespace, selector);
      evidence.push({
        call: `GET /api/v1/namespaces/${namespace}/pods${selector ? `?labelSelector=${encodeURIComponent(selector)}` : ''}`,
        cli: `kubectl get pods -n ${namespace}${selector ? ` -l ${selector}` : ''}`,
      });
      if (pods.length === 0) return { status: 'unknown', summary: `no pods match ${selector ?? 'the workload'} in ${namespace}: no logs to read`, evidence };

      const container = ctx.target.k8s?.container;
      const chosen = [...pods].sort(failingFirst).slice(0, p.logPodsMax);
      const signals = emptySignals();
      const kinds: Record<string, number> = Object.fromEntries(kindNames.map((k) => [k, 0]));
      const examples: Array<{ pod: string; line: string }> = [];
      const rows: string[][] = [];
      let linesRead = 0;
      let errorLines = 0;
      let matchedLines = 0;
      let podsRead = 0;
      for (const pod of chosen) {
        evidence.push({
          call: `GET /api/v1/namespaces/${namespace}/pods/${pod.name}/log?tailLines=${p.logTailLines}${container ? `&container=${container}` : ''}`,
          cli: `kubectl logs ${pod.name} -n ${namespace}${container ? ` -c ${container}` : ''} --tail=${p.logTailLines} | ${grep}`,
        });
        let text: string;
        try {
          text = await cluster.podLogs(namespace, pod.name, p.logTailLines, container);
        } catch (err) {
          rows.push([pod.name, '-', '-', ...kindNames.map(() => '-'), `unreadable: ${errorMessage(err)}`]);
          continue;
        }
        podsRead += 1;
        const lines = text.split('\n').filter((l) => l.trim() !== '');
        const errors = lines.filter((l) => ERROR_LINE.test(l));
        const matched = filter === ERROR_LINE ? errors : lines.filter((l) => filter.test(l));
        const podKinds = lineKinds.map(({ re }) => matched.filter((l) => re.test(l)).length);
        for (const line of lines) countSignals(line, signals);
        lineKinds.forEach(({ name }, i) => (kinds[name] = (kinds[name] ?? 0) + podKinds[i]!));
        linesRead += lines.length;
        errorLines += errors.length;
        matchedLines += matched.length;
        for (const line of matched.slice(-p.logExampleLines)) examples.push({ pod: pod.name, line: truncateText(redactSecrets(line.trim()), EXAMPLE_CHARS, '…') });
        rows.push([pod.name, String(lines.length), String(errors.length), ...podKinds.map(String), pod.ready ? 'ready' : 'not ready']);
      }
      const table: DetailBlock = { kind: 'table', columns: ['pod', 'lines', 'error lines', ...kindNames.map((k) => `${k} lines`), 'state'], rows };
      if (podsRead === 0) {
        return { status: 'unknown', summary: `could not read the logs of ${chosen.map((x) => x.name).join(', ')}`, details: [table], evidence };
      }
      const status: Status = errorLines >= p.logErrorLinesCrit ? 'crit' : errorLines >= p.logErrorLinesWarn ? 'warn' : 'ok';
      const named = Object.entries(signals)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${SIGNAL_WORDS[k as keyof LogSignalCounts]} ×${n}`);
      // `2 error line(s)`, or with kinds `2 error, 1 connect, 2 disconnect line(s)`.
      const counted = [`${errorLines} error`, ...kindNames.map((k) => `${kinds[k]} ${k}`)].join(', ');
      const shown = examples.slice(-p.logExampleLines);
      // The log read takes no sinceTime: after a change, the tails may still hold lines from before it.
      const afterChange = ctx.afterRemediation !== undefined;
      const data: LogsData = { podsRead, linesRead, errorLines, matchedLines, kinds, signals, ...(afterChange ? { mayPredateChange: true } : {}) };
      // Log text is the application's: a table is rendered as an escaped code block, never as mrkdwn.
      const exampleTable: DetailBlock = {
        kind: 'table',
        caption: `Latest ${filter === ERROR_LINE ? 'error' : 'matching'} lines (${shown.length} of ${matchedLines})`,
        columns: ['pod', 'line'],
        rows: shown.flatMap((x) => wrapCells(x.line).map((cell, i) => [i === 0 ? x.pod : '', cell])),
      };
      return {
        status,
        summary:
          `${counted} line(s) in the last ${p.logTailLines} lines of ${podsRead} pod(s)` +
          (named.length > 0 ? `; ${named.join(', ')}` : '') +
          (afterChange ? '; read after the change, but a tail may still hold lines from before it' : ''),
        details: [table, ...(shown.length > 0 ? [exampleTable] : [])],
        evidence,
        data: { ...data },
      };
    },
  };
};

/** Without g or y, `test` keeps no lastIndex between lines. */
function stateless(re: RegExp): RegExp {
  return re.global || re.sticky ? new RegExp(re.source, re.flags.replace(/[gy]/g, '')) : re;
}

/**
 * `grep -iE "(a|b)"` for a RegExp's source: the same filter on a terminal, for sources that are also POSIX
 * extended regular expressions (pass `grep` for any other).
 */
function grepFor(re: RegExp): string {
  return `grep ${re.flags.includes('i') ? '-iE' : '-E'} "${re.source.replace(/["\\$`]/g, '\\$&')}"`;
}

const SIGNAL_WORDS: Record<keyof LogSignalCounts, string> = {
  tooManyConnections: '"too many connections"',
  tooManyOpenFiles: '"too many open files"',
  outOfMemory: 'out of memory',
  refused: 'connection refused',
  timeout: 'timeouts',
  dns: 'DNS failures',
};

/** Not-ready and restarting pods first: their logs hold the failure. */
function failingFirst(a: PodSummary, b: PodSummary): number {
  return Number(a.ready) - Number(b.ready) || b.restarts - a.restarts || a.name.localeCompare(b.name);
}
