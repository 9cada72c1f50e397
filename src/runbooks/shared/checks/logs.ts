import type { CheckResult, DetailBlock, Evidence, Status } from '../../../domain/finding.js';
import { errorMessage } from '../../../errors.js';
import type { PodSummary } from '../../../integrations/k8s/k8s-cluster.js';
import { redactSecrets } from '../../../domain/redact-secrets.js';
import { truncateText } from '../../../render/slack/mrkdwn.js';
import type { Check } from '../../types.js';
import { podSelector, podTargetMissing } from '../k8s-workload/pod-selector.js';
import { ERROR_LINE, countSignals, emptySignals, type LogSignalCounts } from './log-signals.js';

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

export interface LogsData {
  podsRead: number;
  linesRead: number;
  errorLines: number;
  signals: LogSignalCounts;
}

const EXAMPLE_CHARS = 300;

/**
 * "Check Logs": `kubectl logs <pod> -n <ns> --tail=100 | grep -i error`, for the pods most likely to be failing,
 * with the lines that name a connection symptom (too many connections, open files, OOM, refused, timeouts, DNS)
 * counted apart.
 */
export const podLogsCheck = <P extends PodLogsParams>(title = 'Recent pod logs'): Check<P> => ({
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
    const examples: string[] = [];
    const rows: string[][] = [];
    let linesRead = 0;
    let errorLines = 0;
    let podsRead = 0;
    for (const pod of chosen) {
      evidence.push({
        call: `GET /api/v1/namespaces/${namespace}/pods/${pod.name}/log?tailLines=${p.logTailLines}${container ? `&container=${container}` : ''}`,
        cli: `kubectl logs ${pod.name} -n ${namespace}${container ? ` -c ${container}` : ''} --tail=${p.logTailLines} | grep -i error`,
      });
      let text: string;
      try {
        text = await cluster.podLogs(namespace, pod.name, p.logTailLines, container);
      } catch (err) {
        rows.push([pod.name, '-', '-', `unreadable: ${errorMessage(err)}`]);
        continue;
      }
      podsRead += 1;
      const lines = text.split('\n').filter((l) => l.trim() !== '');
      const errors = lines.filter((l) => ERROR_LINE.test(l));
      for (const line of lines) countSignals(line, signals);
      linesRead += lines.length;
      errorLines += errors.length;
      for (const line of errors.slice(-p.logExampleLines)) examples.push(`${pod.name}: ${truncateText(redactSecrets(line.trim()), EXAMPLE_CHARS, '…')}`);
      rows.push([pod.name, String(lines.length), String(errors.length), pod.ready ? 'ready' : 'not ready']);
    }
    const table: DetailBlock = { kind: 'table', columns: ['pod', 'lines', 'error lines', 'state'], rows };
    if (podsRead === 0) {
      return { status: 'unknown', summary: `could not read the logs of ${chosen.map((x) => x.name).join(', ')}`, details: [table], evidence };
    }
    const status: Status = errorLines >= p.logErrorLinesCrit ? 'crit' : errorLines >= p.logErrorLinesWarn ? 'warn' : 'ok';
    const named = Object.entries(signals)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${SIGNAL_WORDS[k as keyof LogSignalCounts]} ×${n}`);
    const shown = examples.slice(-p.logExampleLines);
    const data: LogsData = { podsRead, linesRead, errorLines, signals };
    return {
      status,
      summary:
        `${errorLines} error line(s) in the last ${p.logTailLines} lines of ${podsRead} pod(s)` + (named.length > 0 ? `; ${named.join(', ')}` : ''),
      details: [table, ...(shown.length > 0 ? [{ kind: 'text' as const, text: shown.join('\n') }] : [])],
      evidence,
      data: { ...data },
    };
  },
});

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
