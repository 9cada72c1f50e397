import { RUN_MARGIN_MS } from '../../types.js';
import { ConnbotError } from '../../../errors.js';
import type { WorkloadRef } from '../../../integrations/k8s/k8s-cluster.js';
import { rolloutStatus } from '../../../integrations/k8s/rollout-status.js';
import type {
  ExecutionResult,
  FindingsById,
  ManualStep,
  Remediation,
  RemediationPlan,
  RunbookContext,
  VerificationOutcome,
} from '../../types.js';
import { measured } from '../finding-data.js';
import { describeWorkload, workloadPath, workloadRef } from './workload-ref.js';
import { assertPlanWorkload, requireWorkload, workloadTargetKey, type RolloutWaitParams } from './plan-workload.js';
import { describeWait, waitForWorkload } from './wait-for-workload.js';
import { planTriggers, verifyAllOk, verifyImproved, type FindingJudge } from './verify-after.js';
import { WORKLOAD, type WorkloadData } from './workload-check.js';

export interface RestartSpec<P> {
  applies(findings: FindingsById, params: P, ctx: RunbookContext<P>): boolean;
  /** Re-run afterwards; each must be ok for the restart to count as a recovery. */
  verifyChecks: string[];
  /** Re-run and shown; with triggers, judged only as "not worse". */
  alsoShow?: string[];
  /**
   * The checks whose findings made the restart worth offering. They are re-run too, and each must be back under
   * the line it had crossed (ok, or crit → warn): a restart is judged on what it was offered for.
   */
  triggeredBy?(findings: FindingsById, params: P): string[];
  /** How a trigger's finding is judged afterwards, where its status alone would not say (a long rate window). */
  judges?: Record<string, FindingJudge>;
  notes(ctx: RunbookContext<P>): string[];
}

/** A rolling restart, and what to do by hand where it cannot be offered. */
export interface RestartRemediation<P> extends Remediation<P> {
  /**
   * When the restart would be offered but the workload is an OnDelete StatefulSet — patching its template replaces
   * no pod — the runbook shows this step instead: delete the pods one by one, each ready before the next goes.
   */
  manualStepInstead(ctx: RunbookContext<P>, findings: FindingsById): ManualStep | undefined;
}

/** What execute() hands to verify() and to the re-run checks (ctx.afterRemediation.execution.data). */
export interface RestartExecutionData {
  /** The kubectl.kubernetes.io/restartedAt stamp written. */
  restartedAt: string;
  /** kubectl rollout status judged the rollout complete before the wait ended. */
  rolloutComplete: boolean;
  /** When the wait ended (complete, timed out, or stuck): a measurement after this sees only the new pods' time. */
  rolloutEndedAt: string;
}

/** The restart's execution data, if `execution` is a restart's (a partial run has none). */
export function restartExecutionData(execution: ExecutionResult | undefined): RestartExecutionData | undefined {
  const d = execution?.data;
  if (!d || typeof d.restartedAt !== 'string' || typeof d.rolloutEndedAt !== 'string' || typeof d.rolloutComplete !== 'boolean') return undefined;
  return { restartedAt: d.restartedAt, rolloutComplete: d.rolloutComplete, rolloutEndedAt: d.rolloutEndedAt };
}

/** The WORKLOAD finding says the workload is a StatefulSet with the OnDelete update strategy. */
function onDelete(findings: FindingsById): WorkloadData | undefined {
  const w = measured<WorkloadData>(findings, WORKLOAD)?.data;
  return w?.kind === 'statefulset' && w.updateStrategy === 'OnDelete' ? w : undefined;
}

/** Pod by pod, highest ordinal first as a RollingUpdate would go, each ready before the next is deleted. */
function deletePodsOneByOne(ref: WorkloadRef, replicas: number, waitSeconds: number): string[] {
  const one = (pod: string) =>
    `kubectl delete pod ${pod} -n ${ref.namespace} && ` +
    `until kubectl get pod ${pod} -n ${ref.namespace} >/dev/null 2>&1; do sleep 1; done && ` +
    `kubectl wait --for=condition=Ready pod/${pod} -n ${ref.namespace} --timeout=${waitSeconds}s`;
  if (replicas <= 10) return Array.from({ length: replicas }, (_, i) => one(`${ref.name}-${replicas - 1 - i}`));
  return [`for i in $(seq ${replicas - 1} -1 0); do ${one(`${ref.name}-$i`)} || break; done`];
}

/**
 * `kubectl rollout restart <kind>/<name>` followed by `kubectl rollout status --timeout`: every pod is replaced,
 * one by one, and execute returns once the rollout is complete as kubectl judges it — all replicas on the new
 * template and available, no old pod still counted — or the wait is over. Not offered for an OnDelete
 * StatefulSet (a new template replaces no pod there); `manualStepInstead` says what to do by hand.
 */
export function restartWorkloadRemediation<P extends RolloutWaitParams>(spec: RestartSpec<P>): RestartRemediation<P> {
  return {
    id: 'rollout-restart',
    title: 'Rolling restart',
    risk: 'medium',
    maxRunMs: (p) => p.rolloutWaitSeconds * 1000 + RUN_MARGIN_MS,
    applies: (findings, p, ctx) =>
      ctx.integrations.hasK8s() && workloadRef(ctx.target.k8s) !== undefined && !onDelete(findings) && spec.applies(findings, p, ctx),
    manualStepInstead(ctx, findings): ManualStep | undefined {
      const ref = workloadRef(ctx.target.k8s);
      const w = onDelete(findings);
      if (!ctx.integrations.hasK8s() || !ref || !w || !spec.applies(findings, ctx.params, ctx)) return undefined;
      return {
        title: `Restart the pods of ${describeWorkload(ref)} one by one (OnDelete StatefulSet)`,
        why:
          `a rolling restart would be offered here, but ${ref.kind}/${ref.name} uses the OnDelete update strategy: ` +
          '`kubectl rollout restart` only stamps its pod template and no pod is replaced until it is deleted, so connbot offers no restart button. ' +
          'Delete each pod, highest ordinal first, and wait for its replacement to be ready before the next.',
        commands: deletePodsOneByOne(ref, w.desired, ctx.params.rolloutWaitSeconds),
      };
    },
    plan(ctx, findings): RemediationPlan {
      const ref = requireWorkload(ctx);
      const wait = ctx.params.rolloutWaitSeconds;
      const triggers = spec.triggeredBy?.(findings, ctx.params) ?? [];
      return {
        remediationId: 'rollout-restart',
        title: `Rolling restart of ${describeWorkload(ref)}`,
        risk: 'medium',
        summary: `Replace every pod of ${ref.kind}/${ref.name} one by one, as kubectl rollout restart does, and wait for them to be ready`,
        steps: [
          `PATCH ${workloadPath(ref)} (strategic merge): set spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"] to the current time\n` +
            `kubectl rollout restart ${ref.kind} ${ref.name} -n ${ref.namespace}`,
          `Wait up to ${wait} s until every replica runs the new template and is ready, and no old pod is left\n` +
            `kubectl rollout status ${ref.kind}/${ref.name} -n ${ref.namespace} --timeout=${wait}s`,
        ],
        params: { namespace: ref.namespace, kind: ref.kind, name: ref.name, ...(triggers.length > 0 ? { triggeredBy: triggers } : {}) },
        verifyChecks: [...new Set([...spec.verifyChecks, ...(spec.alsoShow ?? []), ...triggers])],
        notes: spec.notes(ctx),
        targetKey: workloadTargetKey(ref, ctx.target.k8s?.context),
      };
    },
    async execute(ctx, plan) {
      const ref = assertPlanWorkload(ctx, plan);
      const cluster = ctx.integrations.k8s();
      // The catalog or the workload may have changed since the plan was shown: a new template on an OnDelete
      // StatefulSet would replace nothing and leave a rollout pending that the next pod deletion picks up.
      const now = await cluster.readWorkload(ref);
      if (ref.kind === 'statefulset' && now.updateStrategy === 'OnDelete') {
        throw new ConnbotError(
          'REMEDIATION_FAILED',
          `refusing to restart ${describeWorkload(ref)}: it uses the OnDelete update strategy, so a rolling restart replaces no pod; delete its pods one by one instead (re-run the check for the commands)`,
        );
      }
      const stamp = await cluster.restartWorkload(ref);
      ctx.changed?.(`requested a rolling restart of ${describeWorkload(ref)} at ${stamp}`);
      const wait = await waitForWorkload(
        cluster,
        ref,
        (s) => (s.restartedAt === stamp ? rolloutStatus(s) : { ...rolloutStatus(s), done: false, message: 'Waiting for the restart to be observed...' }),
        { timeoutMs: ctx.params.rolloutWaitSeconds * 1000, pollMs: ctx.params.rolloutPollSeconds * 1000, signal: ctx.signal },
      );
      const data: RestartExecutionData = { restartedAt: stamp, rolloutComplete: wait.reached, rolloutEndedAt: new Date().toISOString() };
      return {
        summary: `restart of ${describeWorkload(ref)} requested at ${stamp}; ${describeWait(wait, { done: 'rollout complete', notDone: 'rollout NOT complete', replicasWhenDone: true })}`,
        data: { ...data },
      };
    },
    verify(plan, before, after): VerificationOutcome {
      const triggers = planTriggers(plan);
      if (triggers.length === 0) return verifyAllOk(plan.verifyChecks, before, after);
      return verifyImproved(plan.verifyChecks, before, after, { mustBeOk: spec.verifyChecks, mustImprove: triggers, judges: spec.judges });
    },
  };
}
