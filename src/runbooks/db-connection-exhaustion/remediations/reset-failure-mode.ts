import { RUN_MARGIN_MS } from '../../types.js';
import { ConnbotError, errorMessage } from '../../../errors.js';
import type { Remediation } from '../../types.js';
import type { DbConnectionParams } from '../params.js';
import { forceDeploymentCli, putParameterCli, waitStableCli } from '../cli.js';
import { LEAK_MODE, NORMAL_MODE } from '../checks/failure-mode.js';
import { measured } from '../findings.js';
import {
  METRICS_SETTLE_MS,
  ROLLOUT_VERIFY_CHECKS,
  assertPlanTarget,
  ecsRef,
  planTarget,
  rollOut,
  serviceTargetKey,
  verifyRollout,
  type RolloutOutcome,
} from './rollout.js';

/** Cause 1's resolution: "Reset failure mode to normal", then "Restart ECS tasks to clear existing connections". */
export const resetFailureMode: Remediation<DbConnectionParams> = {
  id: 'reset-failure-mode',
  title: 'Turn off the connection-leak failure mode and restart the tasks',
  risk: 'medium',
  maxRunMs: (p) => p.stableWaitSeconds * 1000 + RUN_MARGIN_MS,
  settleMs: METRICS_SETTLE_MS,
  applies: (findings, _p, ctx) =>
    ctx.target.aws?.ssm !== undefined && ctx.target.aws.ecs !== undefined && measured(findings, 'failure-mode')?.value === LEAK_MODE,
  plan(ctx) {
    const aws = ctx.target.aws!;
    const ref = ecsRef(aws);
    const name = aws.ssm!.failureModeParameter;
    return {
      remediationId: 'reset-failure-mode',
      title: this.title,
      risk: this.risk,
      summary: `Set ${name} from ${LEAK_MODE} to ${NORMAL_MODE}, then replace every task of ${ref.service} to close the leaked connections`,
      steps: [
        `SSM PutParameter Name=${name} Value=${NORMAL_MODE} Type=String Overwrite=true\n${putParameterCli(aws, NORMAL_MODE)}`,
        `ECS UpdateService cluster=${ref.cluster} service=${ref.service} forceNewDeployment=true\n${forceDeploymentCli(aws)}`,
        `Wait up to ${ctx.params.stableWaitSeconds} s for the service to be stable\n${waitStableCli(aws)}`,
      ],
      params: { ...planTarget(aws), parameterName: name, value: NORMAL_MODE },
      verifyChecks: [...ROLLOUT_VERIFY_CHECKS, 'failure-mode'],
      notes: ['The leaked connections are only released when the tasks holding them stop; the parameter alone stops new leaks.'],
      targetKey: serviceTargetKey(aws),
    };
  },
  async execute(ctx, plan) {
    const { aws, ref } = assertPlanTarget(ctx, plan);
    const name = aws.ssm?.failureModeParameter;
    if (!name || plan.params.parameterName !== name || plan.params.value !== NORMAL_MODE) {
      throw new ConnbotError('REMEDIATION_FAILED', `plan names parameter ${String(plan.params.parameterName)}, the catalog ${name ?? 'none'}; re-run the check`);
    }
    // Parameter first: tasks started by the deployment must come up with the leak already switched off.
    const version = await ctx.integrations.aws().putStringParameter(name, NORMAL_MODE);
    ctx.changed?.(`set ${name} to ${NORMAL_MODE} (version ${version ?? '?'})`);
    let outcome: RolloutOutcome;
    try {
      outcome = await rollOut(ctx, ref, { forceNewDeployment: true });
    } catch (err) {
      // The parameter stays switched off (that alone stops new leaks); the restart is what is missing.
      throw new ConnbotError(
        'REMEDIATION_FAILED',
        `forcing a new deployment of ${ref.service}: ${errorMessage(err)}`,
        { cause: err, ...(err instanceof ConnbotError && err.hint ? { hint: err.hint } : {}) },
      );
    }
    ctx.changed?.(`forced a new deployment of ${ref.service}`);
    return {
      summary: `Set ${name} to ${NORMAL_MODE} (version ${version ?? '?'}); forced a new deployment of ${ref.service}; ${outcome.text}`,
      details: outcome.details,
      data: { rollout: outcome.rollout, parameter: { name, value: NORMAL_MODE, version } },
    };
  },
  verify(_plan, before, after, execution) {
    const mode = measured(after, 'failure-mode')?.value;
    return verifyRollout(before, after, execution, { ok: mode === NORMAL_MODE, text: `failure mode ${String(mode ?? 'not measured')}` });
  },
};
