import type { FindingsById } from '../../types.js';
import type { FindingJudge } from '../../shared/k8s-workload/verify-after.js';
import { fmtNumber } from '../../shared/evidence.js';
import { WORKLOAD } from '../../shared/k8s-workload/workload-check.js';
import type { Status } from '../../../domain/finding.js';
import { HEALTH } from '../checks/health.js';
import { PODS } from '../checks/pods.js';
import { CONNECTIONS } from '../checks/connections.js';
import { CONNECTION_ERRORS } from '../checks/connection-errors.js';
import { LOGS, type LogsData } from '../checks/logs.js';
import { CPU_THROTTLING, FILE_DESCRIPTORS, MEMORY } from '../checks/resources.js';
import { isBad } from '../../shared/finding-data.js';
import { leakedResources, readSignals } from '../signals.js';
import type { ConnectionErrorsParams } from '../params.js';

const statusOf = (byId: FindingsById, id: string): Status | undefined => {
  const f = byId.get(id);
  return f && !f.skipped ? f.status : undefined;
};

/**
 * The findings a rolling restart is offered for (Immediate action 1), as check ids — re-run and judged after it.
 * A restart replaces processes: it helps pods that are down or crash-looping, an endpoint that stopped answering,
 * and descriptors or memory that leaked. One error line in a log, or a trickle of connection errors on their own,
 * are no reason to replace every pod.
 */
export function restartTriggers(byId: FindingsById, _p?: ConnectionErrorsParams): string[] {
  const s = readSignals(byId);
  // Nothing to restart in a workload scaled to zero: scaling it up is the fix.
  if ((!s.pods && !s.workload) || s.workload?.desired === 0) return [];
  const triggers: string[] = [];
  if (isBad(byId.get(WORKLOAD))) triggers.push(WORKLOAD);
  if (isBad(byId.get(PODS))) triggers.push(PODS);
  if (isBad(byId.get(HEALTH)) || s.healthUnreachable) triggers.push(HEALTH);
  if (statusOf(byId, FILE_DESCRIPTORS) === 'crit') triggers.push(FILE_DESCRIPTORS);
  if (statusOf(byId, MEMORY) === 'crit') triggers.push(MEMORY);
  const errors = statusOf(byId, CONNECTION_ERRORS);
  // A high error rate is the runbook's own reason to restart; a low one only with a leak that a restart hands back.
  if (errors === 'crit' || (errors === 'warn' && leakedResources(s))) {
    triggers.push(CONNECTION_ERRORS);
    if (s.fdsBad && !triggers.includes(FILE_DESCRIPTORS)) triggers.push(FILE_DESCRIPTORS);
    if (s.memoryBad && !triggers.includes(MEMORY)) triggers.push(MEMORY);
  }
  // The Service routes to no pod: replacing the pods does not change its selector.
  if (s.poolEmpty) return triggers.filter((id) => id !== HEALTH && id !== CONNECTION_ERRORS);
  return triggers;
}

/**
 * The findings a scale-out is offered for (Resolution step 4): connections near max_connections, CPU throttled at
 * the limit, "too many connections" in the logs — load that more replicas share.
 */
export function scaleTriggers(byId: FindingsById): string[] {
  const s = readSignals(byId);
  if (s.workload?.desired === 0) return [WORKLOAD];
  if (s.down) return [];
  const triggers: string[] = [];
  if (s.connectionsBad) triggers.push(CONNECTIONS);
  if (s.cpuThrottlingBad) triggers.push(CPU_THROTTLING);
  if ((s.logs?.signals.tooManyConnections ?? 0) > 0) {
    // The error counter says whether clients are still refused; without it, the logs are all there is.
    if (s.errorsBad) triggers.push(CONNECTION_ERRORS);
    else if (!s.connectionsBad) triggers.push(LOGS);
  }
  return triggers;
}

/**
 * How a verification reads the findings it re-measured, where their own status says something else.
 *
 * Connection errors are verified on the last minute's rate: the 5m rate still holds the errors before the change.
 *
 * The logs are verified on what they were offered for: "too many connections" lines (a scale-out's trigger), not
 * the error lines their status counts — a line without the word "error" would otherwise read ok before and after.
 * The K8s log read has no sinceTime, so the tails read afterwards may still hold lines from before the change:
 * while any such line is there, the change is not verified (unknown: not seen to help, nor to fail).
 */
export const judges: Record<string, FindingJudge> = {
  [CONNECTION_ERRORS]: (f) => {
    const { currentStatus, currentPerSec, currentWindow } = f.data as { currentStatus?: Status; currentPerSec?: number; currentWindow?: string };
    if (!currentStatus || currentPerSec === undefined) return undefined;
    return { status: currentStatus, text: `${fmtNumber(currentPerSec, 3)} errors/s over ${currentWindow ?? '?'}` };
  },
  [LOGS]: (f) => {
    const d = f.data as Partial<LogsData>;
    const n = d.signals?.tooManyConnections;
    if (n === undefined) return undefined;
    const read = `the last ${fmtNumber(d.linesRead ?? 0)} log lines of ${d.podsRead ?? '?'} pod(s)`;
    if (n === 0) return { status: 'ok', text: `no "too many connections" line in ${read}` };
    const found = `${n} "too many connections" line(s) in ${read}`;
    return d.mayPredateChange
      ? { status: 'unknown', text: `${found}, which may be from before the change: the log read cannot start at it` }
      : { status: 'crit', text: found };
  },
};
