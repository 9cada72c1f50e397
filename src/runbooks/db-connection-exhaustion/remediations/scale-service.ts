import { RUN_MARGIN_MS } from '../../types.js';
import { ConnbotError } from '../../../errors.js';
import type { Remediation } from '../../types.js';
import type { DbConnectionParams } from '../params.js';
import { desiredCountCli, watchDeploymentCli } from '../cli.js';
import { connectionsElevated, measured, num } from '../findings.js';
import {
  METRICS_SETTLE_MS,
  ROLLOUT_VERIFY_CHECKS,
  assertPlanTarget,
  ecsRef,
  planTarget,
  rollOut,
  serviceTargetKey,
  verifyRollout,
} from './rollout.js';
import { scaleChoices } from './scale-choices.js';

/**
 * Cause 2's "for immediate relief, scale down if appropriate" and immediate action 2. The approver may pick N
 * from plan.params.choices; execute takes whatever N the approved plan carries, but never outside the
 * catalog's ecs.minTasks..maxTasks.
 */
export const scaleService: Remediation<DbConnectionParams> = {
  id: 'scale-service',
  title: 'Scale the ECS service down to fewer tasks',
  risk: 'medium',
  maxRunMs: (p) => p.stableWaitSeconds * 1000 + RUN_MARGIN_MS,
  settleMs: METRICS_SETTLE_MS,
  applies(findings, _p, ctx) {
    const ecs = ctx.target.aws?.ecs;
    const tasks = measured(findings, 'tasks-vs-connections');
    const desired = num(measured(findings, 'ecs-service'), 'desired') ?? num(tasks, 'desired');
    if (!ecs || desired === undefined || desired <= (ecs.minTasks ?? 1)) return false;
    return connectionsElevated(findings) && (tasks?.scaledOut === true || tasks?.tracksTaskCount === true);
  },
  plan(ctx, findings) {
    const aws = ctx.target.aws!;
    const ref = ecsRef(aws);
    const tasks = measured(findings, 'tasks-vs-connections');
    const current = num(measured(findings, 'ecs-service'), 'desired') ?? num(tasks, 'desired');
    const bounds = taskBounds(aws.ecs!, current ?? 0);
    const menu =
      current === undefined
        ? undefined
        : scaleChoices({
            current,
            ...bounds,
            perTask: num(tasks, 'perTask'),
            maxConnections: num(measured(findings, 'db-connections'), 'maxConnections'),
            warnPct: ctx.params.connectionsWarnPct,
            beforeScaleOut: tasks?.scaledOut === true ? num(tasks, 'tasksStart') : undefined,
            maxChoices: ctx.params.scaleChoicesMax,
          });
    if (!menu) throw new ConnbotError('REMEDIATION_FAILED', `${ref.service} cannot scale below ${current ?? '?'} tasks (ecs.minTasks ${bounds.min})`);
    return {
      remediationId: 'scale-service',
      title: this.title,
      risk: this.risk,
      summary: `Scale ${ref.service} from ${current} to ${menu.desiredCount} tasks — ${menu.reason}. The approver may pick: ${menu.choices.join(', ')}`,
      steps: [
        `ECS UpdateService cluster=${ref.cluster} service=${ref.service} desiredCount=${menu.desiredCount}\n${desiredCountCli(aws, menu.desiredCount)}`,
        `Watch the deployment (DescribeServices every ${ctx.params.stablePollSeconds} s, up to ${ctx.params.stableWaitSeconds} s) until it is COMPLETED with every task running, FAILED, or rolled back\n${watchDeploymentCli(aws)}`,
      ],
      params: { ...planTarget(aws), desiredCount: menu.desiredCount, choices: menu.choices, currentDesiredCount: current, minTasks: bounds.min, maxTasks: bounds.max },
      verifyChecks: ROLLOUT_VERIFY_CHECKS,
      notes: [
        'Fewer tasks means less capacity for requests: watch latency and 5xx while connections recover.',
        'If Application Auto Scaling manages this service it may scale out again when its alarm fires; lower its max capacity or suspend scale-out until pooling or RDS Proxy is in place.',
      ],
      targetKey: serviceTargetKey(aws),
    };
  },
  async execute(ctx, plan) {
    const { aws, ref } = assertPlanTarget(ctx, plan);
    const n = plan.params.desiredCount;
    const current = typeof plan.params.currentDesiredCount === 'number' ? plan.params.currentDesiredCount : 0;
    // Bounds come from the catalog as it is now, not from the stored plan.
    const { min, max } = taskBounds(aws.ecs!, current);
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
      throw new ConnbotError(
        'REMEDIATION_FAILED',
        `refusing to scale ${ref.service} to ${String(n)} tasks: allowed ${min}..${max} (catalog ecs.minTasks..maxTasks)`,
      );
    }
    const outcome = await rollOut(ctx, ref, { desiredCount: n });
    ctx.changed?.(`set the desired count of ${ref.service} to ${n}`);
    return {
      summary: `Set desired count of ${ref.service} to ${n} (was ${current || '?'}); ${outcome.text}`,
      details: outcome.details,
      data: { rollout: outcome.rollout, desiredCount: n },
    };
  },
  verify(plan, before, after, execution) {
    const desired = num(measured(after, 'ecs-service'), 'desired');
    return verifyRollout(before, after, execution, {
      ok: desired === plan.params.desiredCount,
      text: `desired count ${desired ?? '?'} (asked ${String(plan.params.desiredCount)})`,
    });
  },
};

/** ecs.minTasks defaults to 1; without ecs.maxTasks, never above today's count (no unbounded scale-out). */
function taskBounds(ecs: { minTasks?: number | undefined; maxTasks?: number | undefined }, current: number): { min: number; max: number } {
  return { min: ecs.minTasks ?? 1, max: ecs.maxTasks ?? Math.max(current, ecs.minTasks ?? 1) };
}
