import { RUN_MARGIN_MS } from '../../types.js';
import { ConnbotError } from '../../../errors.js';
import { scaleStatus } from '../../../integrations/k8s/rollout-status.js';
import type { FindingsById, Remediation, RemediationPlan, RunbookContext, VerificationOutcome } from '../../types.js';
import { describeWorkload, workloadPath } from './workload-ref.js';
import { measured } from '../finding-data.js';
import { assertPlanWorkload, requireWorkload, workloadTargetKey, type RolloutWaitParams } from './plan-workload.js';
import { replicaBounds, scaleOutChoices } from './replica-choices.js';
import { describeWait, waitForWorkload } from './wait-for-workload.js';
import { planTriggers, verifyAllOk, verifyImproved, type FindingJudge } from './verify-after.js';
import { WORKLOAD, type WorkloadData } from './workload-check.js';

export interface ScaleSpec<P> {
  /** The runbook's reason to add replicas (the workload check and the bounds are checked here). */
  applies(findings: FindingsById, params: P, ctx: RunbookContext<P>): boolean;
  /** Why, with the numbers, for the plan summary. */
  reason(findings: FindingsById, params: P): string;
  /** Re-run afterwards besides the workload check; each must be ok. */
  verifyChecks: string[];
  /** Re-run and shown before → after; judged only as "not worse" when the plan has triggers. */
  alsoShow: string[];
  /**
   * The checks whose findings made the scale-out worth offering (connections, CPU): re-run, and each must be back
   * under the line it had crossed for the scale-out to count.
   */
  triggeredBy?(findings: FindingsById, params: P): string[];
  /** How a trigger's finding is judged afterwards, where its status alone would not say. */
  judges?: Record<string, FindingJudge>;
  notes(ctx: RunbookContext<P>): string[];
}

interface ScalePlanParams {
  namespace: string;
  kind: 'deployment' | 'statefulset';
  name: string;
  replicas: number;
  choices: number[];
  choiceParam: 'replicas';
  currentReplicas: number;
  minReplicas: number;
  maxReplicas: number;
}

const current = (findings: FindingsById) => measured<WorkloadData>(findings, WORKLOAD)?.data;

/**
 * `kubectl scale <kind> <name> --replicas=N`. The approver may pick N from plan.params.choices; execute takes the
 * N the approved plan carries, but never outside the catalog's k8s.minReplicas..maxReplicas as they are now.
 */
export function scaleWorkloadRemediation<P extends RolloutWaitParams>(spec: ScaleSpec<P>): Remediation<P> {
  return {
    id: 'scale-out',
    title: 'Scale horizontally',
    risk: 'medium',
    maxRunMs: (p) => p.rolloutWaitSeconds * 1000 + RUN_MARGIN_MS,
    applies(findings, p, ctx) {
      const w = current(findings);
      const bounds = replicaBounds(ctx.target.k8s);
      if (!w || !bounds || !scaleOutChoices(w.desired, bounds)) return false;
      return spec.applies(findings, p, ctx);
    },
    plan(ctx, findings): RemediationPlan {
      const ref = requireWorkload(ctx);
      const w = current(findings);
      const bounds = replicaBounds(ctx.target.k8s);
      const menu = w && bounds ? scaleOutChoices(w.desired, bounds) : undefined;
      if (!w || !bounds || !menu) {
        throw new ConnbotError('REMEDIATION_FAILED', `cannot scale ${describeWorkload(ref)} out: replicas unknown or already at k8s.maxReplicas`);
      }
      const n = menu.replicas;
      const wait = ctx.params.rolloutWaitSeconds;
      const triggers = spec.triggeredBy?.(findings, ctx.params) ?? [];
      const params: ScalePlanParams = {
        namespace: ref.namespace,
        kind: ref.kind,
        name: ref.name,
        replicas: n,
        choices: menu.choices,
        choiceParam: 'replicas',
        currentReplicas: w.desired,
        minReplicas: bounds.min,
        maxReplicas: bounds.max,
      };
      return {
        remediationId: 'scale-out',
        title: `Scale ${describeWorkload(ref)} out`,
        risk: 'medium',
        summary: `Scale ${ref.kind}/${ref.name} from ${w.desired} to ${n} replicas — ${spec.reason(findings, ctx.params)}. The approver may pick: ${menu.choices.join(', ')}`,
        steps: [
          `PATCH ${workloadPath(ref)}/scale {"spec":{"replicas":${n}}}\nkubectl scale ${ref.kind} ${ref.name} --replicas=${n} -n ${ref.namespace}`,
          `Wait up to ${wait} s until ${n} replicas exist and are ready and available\n` +
            `kubectl wait ${ref.kind}/${ref.name} -n ${ref.namespace} --for=jsonpath='{.status.availableReplicas}'=${n} --timeout=${wait}s`,
        ],
        params: { ...params, ...(triggers.length > 0 ? { triggeredBy: triggers } : {}) },
        verifyChecks: [...new Set([WORKLOAD, ...spec.verifyChecks, ...triggers, ...spec.alsoShow])],
        notes: [
          `Allowed: ${bounds.min}..${bounds.max} replicas (catalog k8s.minReplicas..maxReplicas).`,
          'A HorizontalPodAutoscaler on this workload would undo a manual scale: check `kubectl get hpa -n ' + ref.namespace + '` first.',
          ...spec.notes(ctx),
        ],
        targetKey: workloadTargetKey(ref, ctx.target.k8s?.context),
      };
    },
    async execute(ctx, plan) {
      const ref = assertPlanWorkload(ctx, plan);
      const n = plan.params.replicas;
      // Bounds come from the catalog as it is now, not from the stored plan.
      const bounds = replicaBounds(ctx.target.k8s);
      if (!bounds) {
        throw new ConnbotError('REMEDIATION_FAILED', `refusing to scale ${describeWorkload(ref)}: the catalog sets no k8s.maxReplicas`);
      }
      if (typeof n !== 'number' || !Number.isInteger(n) || n < bounds.min || n > bounds.max) {
        throw new ConnbotError(
          'REMEDIATION_FAILED',
          `refusing to scale ${describeWorkload(ref)} to ${String(n)} replicas: allowed ${bounds.min}..${bounds.max} (catalog k8s.minReplicas..maxReplicas)`,
        );
      }
      const cluster = ctx.integrations.k8s();
      await cluster.scaleWorkload(ref, n);
      ctx.changed?.(`set ${ref.kind}/${ref.name} to ${n} replicas`);
      // Counts, not rollout completion: an OnDelete StatefulSet (or a rollout already under way) still scales.
      const wait = await waitForWorkload(cluster, ref, (s) => scaleStatus(s, n), {
        timeoutMs: ctx.params.rolloutWaitSeconds * 1000,
        pollMs: ctx.params.rolloutPollSeconds * 1000,
        signal: ctx.signal,
      });
      const was = typeof plan.params.currentReplicas === 'number' ? plan.params.currentReplicas : '?';
      return { summary: `scaled ${describeWorkload(ref)} from ${was} to ${n} replicas; ${describeWait(wait, { done: `${n} ready`, notDone: 'NOT all ready', replicasWhenDone: false })}` };
    },
    verify(plan, before, after): VerificationOutcome {
      const n = plan.params.replicas;
      const w = current(after);
      const reached = w !== undefined && w.desired === n && w.ready === n;
      const extra = { ok: reached, text: `ready replicas ${w ? `${w.ready}/${w.desired}` : 'not measured'} (asked ${String(n)})` };
      const triggers = planTriggers(plan);
      if (triggers.length > 0) {
        return verifyImproved(plan.verifyChecks, before, after, { mustBeOk: [WORKLOAD, ...spec.verifyChecks], mustImprove: triggers, judges: spec.judges, extra });
      }
      return verifyAllOk(plan.verifyChecks, before, after, { required: [WORKLOAD, ...spec.verifyChecks], extra });
    },
  };
}
