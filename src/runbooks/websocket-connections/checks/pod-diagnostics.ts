import type { CheckResult } from '../../../domain/finding.js';
import type { Check, RunbookContext } from '../../types.js';
import { runbookEvidence } from '../../shared/evidence.js';
import { podLogsCheck } from '../../shared/checks/logs.js';
import { k8sEventsCheck } from '../../shared/checks/k8s-events.js';
import { memoryCheck as sharedMemoryCheck } from '../../shared/checks/memory.js';
import { workloadRef } from '../../shared/k8s-workload/workload-ref.js';
import type { WebSocketParams } from '../params.js';

export { LOGS, type LogsData } from '../../shared/checks/logs.js';
export { EVENTS, type EventsData } from '../../shared/checks/k8s-events.js';
export { MEMORY, type MemoryData } from '../../shared/checks/memory.js';

/** `-l app=websocket` as the runbook writes it, else the workload itself (kubectl picks one of its pods). */
function podsArg(ctx: RunbookContext<WebSocketParams>): { arg: string; namespace: string } | undefined {
  const k = ctx.target.k8s;
  const ref = workloadRef(k);
  const namespace = k?.namespace ?? 'default';
  if (k?.selector) return { arg: `-l ${k.selector}`, namespace };
  return ref ? { arg: `${ref.kind}/${ref.name}`, namespace } : undefined;
}

/** The shared check, with the runbook's own command for the same look added to its evidence. */
function withRunbookCommand(check: Check<WebSocketParams>, what: string, cli: (ctx: RunbookContext<WebSocketParams>) => string | undefined): Check<WebSocketParams> {
  return {
    ...check,
    async run(ctx): Promise<CheckResult> {
      const result = await check.run(ctx);
      const command = cli(ctx);
      return command ? { ...result, evidence: [...(result.evidence ?? []), runbookEvidence(what, command)] } : result;
    },
  };
}

/** The runbook's `grep -E "(connect|disconnect|error)"`, case-insensitive (`ERROR`, `Client connected`). */
export const CONNECTION_EVENT_LINE = /(connect|disconnect|error)/i;

/**
 * Connection events among those lines, counted apart: `client connected`, `reconnecting` (not `connection refused`,
 * which is a failure rather than an event, nor `disconnected`); and `disconnect…` of any form.
 */
export const CONNECTION_EVENT_KINDS = {
  connect: /(?<!dis)connect(ed|ing|s)?\b/i,
  disconnect: /disconnect/i,
} as const;

/**
 * Diagnosis 4 "Check Connection Logs": the recent log tail of the pods most likely to be failing, filtered as the
 * runbook's grep does, with connects, disconnects, error lines and connection symptoms (refused, timeouts, OOM,
 * too many connections) counted; the status is judged on the error lines. Lines are redacted and cut short by the
 * shared check; the renderers escape them.
 */
const connectionLogs = podLogsCheck<WebSocketParams>('Connection logs', {
  // Shown as `grep -iE "(connect|disconnect|error)"` in each pod's evidence.
  lineFilter: CONNECTION_EVENT_LINE,
  lineKinds: CONNECTION_EVENT_KINDS,
});

export const connectionLogsCheck = withRunbookCommand(connectionLogs, 'Check connection events', (ctx) => {
  const pods = podsArg(ctx);
  // -i: the lines are kept case-insensitively (`ERROR`, `Client connected`), and the command must keep the same ones.
  return pods && `kubectl logs ${pods.arg} -n ${pods.namespace} --tail=${ctx.params.logTailLines} | grep -iE "(connect|disconnect|error)"`;
});

/** Step 1.2 `kubectl describe pod -l app=websocket`: its Events section — probe failures, back-offs, OOM kills. */
export const podEventsCheck = withRunbookCommand(k8sEventsCheck<WebSocketParams>('Pod events'), 'Check pod status', (ctx) => {
  const pods = podsArg(ctx);
  // Without a label selector, every pod of the namespace (kubectl describe takes no workload name for pods).
  return pods && `kubectl describe pod ${pods.arg.startsWith('-l') ? `${pods.arg} ` : ''}-n ${pods.namespace}`;
});

/** Step 1.3 "Check Resource Usage": the working set against the container's memory limit (the OOM line). */
export const memoryCheck = sharedMemoryCheck<WebSocketParams>('Memory against its limit');
