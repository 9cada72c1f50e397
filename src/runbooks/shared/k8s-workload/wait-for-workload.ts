import type { K8sCluster, WorkloadRef, WorkloadStatus } from '../../../integrations/k8s/k8s-cluster.js';
import type { RolloutStatus } from '../../../integrations/k8s/rollout-status.js';
import { pause } from '../../../domain/pause.js';
import { errorMessage } from '../../../errors.js';

export interface WaitOutcome {
  reached: boolean;
  status: WorkloadStatus;
  /** The judge's words for the last state seen: what it was still waiting for, or that it is done. */
  message: string;
  waitedMs: number;
  /** Why the watch stopped seeing the workload (the API kept failing), when it did. */
  watchError?: string;
}

/** One read of the workload may take this long; a hung API call must not hold the run (and its target lock). */
const READ_TIMEOUT_MS = 30_000;
/** Reads failing in a row before the watch gives up; single errors (a 429, a reset) are waited out. */
const MAX_READ_FAILURES = 5;

/**
 * `kubectl rollout status --timeout`: poll the workload until `judge` says done or the time is up. Running out of
 * time is an answer, not an error — the change was made and the approver must hear how far it got. A state the
 * judge calls stuck (a rollout past its progress deadline, a template change on an OnDelete StatefulSet) ends the
 * wait at once. A failed read is retried at the next poll; only when the API keeps failing does the watch end,
 * saying so. A restart is judged by `rolloutStatus`, a scale by `scaleStatus` (counts, not rollout completion).
 */
export async function waitForWorkload(
  cluster: K8sCluster,
  ref: WorkloadRef,
  judge: (s: WorkloadStatus) => RolloutStatus,
  opts: { timeoutMs: number; pollMs: number; signal?: AbortSignal },
): Promise<WaitOutcome> {
  const started = Date.now();
  let last: { status: WorkloadStatus; verdict: RolloutStatus } | undefined;
  let failures = 0;
  for (;;) {
    let error: unknown;
    try {
      const status = await readWithin(cluster, ref, READ_TIMEOUT_MS);
      last = { status, verdict: judge(status) };
      failures = 0;
    } catch (err) {
      error = err;
      failures += 1;
    }
    const waitedMs = Date.now() - started;
    if (last && error === undefined && last.verdict.done) return { reached: true, status: last.status, message: last.verdict.message, waitedMs };
    const outOfTime = waitedMs >= opts.timeoutMs || opts.signal?.aborted === true;
    if (error !== undefined && (failures >= MAX_READ_FAILURES || outOfTime)) {
      // Nothing was ever seen: there is no state to report, only the failure.
      if (!last) throw error;
      return { reached: false, status: last.status, message: last.verdict.message, waitedMs, watchError: errorMessage(error) };
    }
    if (last && (outOfTime || last.verdict.stuck)) return { reached: false, status: last.status, message: last.verdict.message, waitedMs };
    await pause(Math.max(0, Math.min(opts.pollMs, opts.timeoutMs - waitedMs)), opts.signal);
  }
}

async function readWithin(cluster: K8sCluster, ref: WorkloadRef, ms: number): Promise<WorkloadStatus> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      cluster.readWorkload(ref),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`reading ${ref.kind}/${ref.name}: no answer within ${ms / 1000} s`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The end of a wait in words, for a remediation's summary: `<done> after N s`, or how far it got and why not. */
export function describeWait(wait: WaitOutcome, words: { done: string; notDone: string; replicasWhenDone: boolean }): string {
  const secs = Math.round(wait.waitedMs / 1000);
  if (wait.reached) return `${words.done} after ${secs} s${words.replicasWhenDone ? ` (${describeReplicas(wait.status)})` : ''}`;
  const lost = wait.watchError ? `; stopped watching, the Kubernetes API kept failing: ${wait.watchError}` : '';
  return `${words.notDone} after ${secs} s (${describeUnfinished(wait)})${lost}`;
}

/** `3/3 ready, 3 updated` (and old pods still counted, mid-rollout): how a workload stands, for summaries. */
export function describeReplicas(s: WorkloadStatus): string {
  const old = s.replicas > s.updatedReplicas ? `, ${s.replicas - s.updatedReplicas} old` : '';
  return `${s.readyReplicas}/${s.desiredReplicas} ready, ${s.updatedReplicas} updated${old}`;
}

/** Why a wait ended short: the judge's (kubectl's) words for what it is still waiting for. */
export function describeUnfinished(wait: Pick<WaitOutcome, 'status' | 'message'>): string {
  return `${describeReplicas(wait.status)}: ${wait.message.replace(/\.\.\.$/, '')}`;
}
