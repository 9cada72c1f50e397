import { RUN_MARGIN_MS } from '../../types.js';
import { rolloutStatus } from '../../../integrations/k8s/rollout-status.js';
import type { FindingsById, Remediation, RemediationPlan, RunbookContext, VerificationOutcome } from '../../types.js';
import { describeWorkload, workloadPath } from './workload-ref.js';
import { assertPlanWorkload, requireWorkload, workloadTargetKey, type RolloutWaitParams } from './plan-workload.js';
import { describeWait, waitForWorkload } from './wait-for-workload.js';
import { planTriggers, verifyAllOk, verifyImproved, type FindingJudge } from './verify-after.js';

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

/**
 * `kubectl rollout restart <kind>/<name>` followed by `kubectl rollout status --timeout`: every pod is replaced,
 * one by one, and execute returns once the rollout is complete as kubectl judges it — all replicas on the new
 * template and available, no old pod still counted — or the wait is over.
 */
export function restartWorkloadRemediation<P extends RolloutWaitParams>(spec: RestartSpec<P>): Remediation<P> {
  return {
    id: 'rollout-restart',
    title: 'Rolling restart',
    risk: 'medium',
    maxRunMs: (p) => p.rolloutWaitSeconds * 1000 + RUN_MARGIN_MS,
    applies: (findings, p, ctx) => ctx.integrations.hasK8s() && spec.applies(findings, p, ctx),
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
      const stamp = await cluster.restartWorkload(ref);
      ctx.changed?.(`requested a rolling restart of ${describeWorkload(ref)} at ${stamp}`);
      const wait = await waitForWorkload(cluster, ref, (s) => s.restartedAt === stamp && rolloutStatus(s).done, {
        timeoutMs: ctx.params.rolloutWaitSeconds * 1000,
        pollMs: ctx.params.rolloutPollSeconds * 1000,
        signal: ctx.signal,
      });
      return { summary: `restart of ${describeWorkload(ref)} requested at ${stamp}; ${describeWait(wait, { done: 'rollout complete', notDone: 'rollout NOT complete', replicasWhenDone: true })}` };
    },
    verify(plan, before, after): VerificationOutcome {
      const triggers = planTriggers(plan);
      if (triggers.length === 0) return verifyAllOk(plan.verifyChecks, before, after);
      return verifyImproved(plan.verifyChecks, before, after, { mustBeOk: spec.verifyChecks, mustImprove: triggers, judges: spec.judges });
    },
  };
}
