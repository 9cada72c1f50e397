import type { FindingsById, Remediation, RemediationPlan, RunbookContext, VerificationOutcome } from '../../types.js';
import { describeWorkload, workloadPath } from './workload-ref.js';
import { assertPlanWorkload, requireWorkload, workloadTargetKey, type RolloutWaitParams } from './plan-workload.js';
import { describeReplicas, waitForWorkload } from './wait-for-workload.js';
import { verifyAllOk } from './verify-after.js';

export interface RestartSpec<P> {
  applies(findings: FindingsById, params: P, ctx: RunbookContext<P>): boolean;
  /** Re-run afterwards; each must be ok for the restart to count as a recovery. */
  verifyChecks: string[];
  notes(ctx: RunbookContext<P>): string[];
}

/**
 * `kubectl rollout restart <kind>/<name>` followed by `kubectl rollout status --timeout`: every pod is replaced,
 * one by one, and execute returns once all replicas run the new template and are ready (or the wait is over).
 */
export function restartWorkloadRemediation<P extends RolloutWaitParams>(spec: RestartSpec<P>): Remediation<P> {
  return {
    id: 'rollout-restart',
    title: 'Rolling restart',
    risk: 'medium',
    applies: (findings, p, ctx) => ctx.integrations.hasK8s() && spec.applies(findings, p, ctx),
    plan(ctx): RemediationPlan {
      const ref = requireWorkload(ctx);
      const wait = ctx.params.rolloutWaitSeconds;
      return {
        remediationId: 'rollout-restart',
        title: `Rolling restart of ${describeWorkload(ref)}`,
        risk: 'medium',
        summary: `Replace every pod of ${ref.kind}/${ref.name} one by one, as kubectl rollout restart does, and wait for them to be ready`,
        steps: [
          `PATCH ${workloadPath(ref)} (strategic merge): set spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"] to the current time\n` +
            `kubectl rollout restart ${ref.kind} ${ref.name} -n ${ref.namespace}`,
          `Wait up to ${wait} s until every replica is updated and ready\nkubectl rollout status ${ref.kind}/${ref.name} -n ${ref.namespace} --timeout=${wait}s`,
        ],
        params: { namespace: ref.namespace, kind: ref.kind, name: ref.name },
        verifyChecks: spec.verifyChecks,
        notes: spec.notes(ctx),
        targetKey: workloadTargetKey(ref),
      };
    },
    async execute(ctx, plan) {
      const ref = assertPlanWorkload(ctx, plan);
      const cluster = ctx.integrations.k8s();
      const stamp = await cluster.restartWorkload(ref);
      const wait = await waitForWorkload(
        cluster,
        ref,
        (s) =>
          s.restartedAt === stamp &&
          s.observedGeneration >= s.generation &&
          s.updatedReplicas >= s.desiredReplicas &&
          s.readyReplicas >= s.desiredReplicas,
        { timeoutMs: ctx.params.rolloutWaitSeconds * 1000, pollMs: ctx.params.rolloutPollSeconds * 1000, signal: ctx.signal },
      );
      const secs = Math.round(wait.waitedMs / 1000);
      return {
        summary:
          `restart of ${describeWorkload(ref)} requested at ${stamp}; ` +
          (wait.reached
            ? `rollout complete after ${secs} s (${describeReplicas(wait.status)})`
            : `rollout NOT complete after ${secs} s (${describeReplicas(wait.status)})`),
      };
    },
    verify(plan, before, after): VerificationOutcome {
      return verifyAllOk(plan.verifyChecks, before, after);
    },
  };
}
