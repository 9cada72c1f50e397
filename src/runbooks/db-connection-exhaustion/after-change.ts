import type { EcsServiceState, RolloutEnd } from '../../integrations/aws/ecs-service.js';
import type { ExecutionResult, RunbookContext } from '../types.js';

/**
 * How one of this runbook's changes went: the UpdateService it made and how the deployment that started ended.
 * The remediations return it as their ExecutionResult's `data.rollout`; applyRemediation hands that result to
 * the re-run checks (ctx.afterRemediation) and to verify(), so the ecs-service check reports how OUR deployment
 * ended and db-connections keeps only datapoints from after it. JSON-serialisable (it may be stored).
 */
export interface RolloutData {
  cluster: string;
  service: string;
  /** The PRIMARY deployment of the UpdateService answer: the one the change created (or resized). */
  deploymentId?: string | undefined;
  /** How the watch after UpdateService ended. */
  end: RolloutEnd;
  reason?: string | undefined;
  /** Epoch ms when UpdateService answered. */
  requestedAt: number;
  /** Epoch ms when the change finished: when the watch saw its deployment end, or gave up. */
  finishedAt: number;
}

const ENDS: ReadonlySet<string> = new Set<RolloutEnd>(['completed', 'failed', 'rolled-back', 'timed-out', 'not-watched']);

export function isRolloutData(v: unknown): v is RolloutData {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Partial<RolloutData>;
  return (
    typeof r.cluster === 'string' &&
    typeof r.service === 'string' &&
    typeof r.end === 'string' &&
    ENDS.has(r.end) &&
    typeof r.requestedAt === 'number' &&
    typeof r.finishedAt === 'number' &&
    (r.deploymentId === undefined || typeof r.deploymentId === 'string') &&
    (r.reason === undefined || typeof r.reason === 'string')
  );
}

/** The rollout an execution result reports, if it reports one. */
export function rolloutOf(execution: ExecutionResult | undefined): RolloutData | undefined {
  const rollout = execution?.data?.rollout;
  return isRolloutData(rollout) ? rollout : undefined;
}

/**
 * The rollout the checks are verifying: set only when they re-run after one of this runbook's changes to the
 * catalog's ECS service. A plain diagnosis (and the measurement before a change) has none.
 */
export function rolloutUnderVerification<P>(ctx: RunbookContext<P>): RolloutData | undefined {
  const ecs = ctx.target.aws?.ecs;
  const rollout = rolloutOf(ctx.afterRemediation?.execution);
  if (!ecs || !rollout || rollout.cluster !== ecs.cluster || rollout.service !== ecs.service) return undefined;
  return rollout;
}

/** What the ecs-service check reports about the change (finding data `change`), read by verifyRollout. */
export interface ChangeData {
  deploymentId: string | undefined;
  /** How the watch after UpdateService ended. */
  end: RolloutEnd;
  reason: string | undefined;
  finishedAt: number;
  /** Our deployment is still among the service's deployments in this check's DescribeServices answer … */
  present: boolean;
  /** … in this rollout state. */
  rolloutStateNow: string | undefined;
}

export function changeData(rollout: RolloutData, svc: EcsServiceState): ChangeData {
  const ours = svc.deployments.find((d) => d.id === rollout.deploymentId);
  return {
    deploymentId: rollout.deploymentId,
    end: rollout.end,
    reason: rollout.reason,
    finishedAt: rollout.finishedAt,
    present: ours !== undefined,
    rolloutStateNow: ours?.rolloutState,
  };
}

export function isChangeData(v: unknown): v is ChangeData {
  return typeof v === 'object' && v !== null && typeof (v as ChangeData).end === 'string' && typeof (v as ChangeData).finishedAt === 'number';
}

/** `17:42:10` (UTC), for "the change finished at …". */
export function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}
