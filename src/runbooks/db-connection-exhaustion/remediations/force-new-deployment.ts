import { RUN_MARGIN_MS } from '../../types.js';
import type { Remediation } from '../../types.js';
import type { DbConnectionParams } from '../params.js';
import { forceDeploymentCli, watchDeploymentCli } from '../cli.js';
import { connectionsElevated } from '../findings.js';
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

/** Immediate action 1, "Restart ECS Tasks": a new deployment replaces every task and closes their connections. */
export const forceNewDeployment: Remediation<DbConnectionParams> = {
  id: 'force-new-deployment',
  title: 'Restart the ECS tasks (force a new deployment)',
  risk: 'low',
  maxRunMs: (p) => p.stableWaitSeconds * 1000 + RUN_MARGIN_MS,
  settleMs: METRICS_SETTLE_MS,
  applies: (findings, _p, ctx) => ctx.target.aws?.ecs !== undefined && connectionsElevated(findings),
  plan(ctx) {
    const aws = ctx.target.aws!;
    const ref = ecsRef(aws);
    return {
      remediationId: 'force-new-deployment',
      title: this.title,
      risk: this.risk,
      summary: `Replace every task of ${ref.service} (rolling), closing the database connections they hold`,
      steps: [
        `ECS UpdateService cluster=${ref.cluster} service=${ref.service} forceNewDeployment=true\n${forceDeploymentCli(aws)}`,
        `Watch the deployment (DescribeServices every ${ctx.params.stablePollSeconds} s, up to ${ctx.params.stableWaitSeconds} s) until it is COMPLETED with every task running, FAILED, or rolled back\n${watchDeploymentCli(aws)}`,
      ],
      params: { ...planTarget(aws) },
      verifyChecks: ROLLOUT_VERIFY_CHECKS,
      notes: [
        'Connections come back as the new tasks start; if the cause is a leak or missing pooling they will climb again — see the ranked causes and the long-term steps.',
      ],
      targetKey: serviceTargetKey(aws),
    };
  },
  async execute(ctx, plan) {
    const { ref } = assertPlanTarget(ctx, plan);
    const outcome = await rollOut(ctx, ref, { forceNewDeployment: true });
    ctx.changed?.(`forced a new deployment of ${ref.service}`);
    return { summary: `Forced a new deployment of ${ref.service}; ${outcome.text}`, details: outcome.details, data: { rollout: outcome.rollout } };
  },
  verify: (_plan, before, after, execution) => verifyRollout(before, after, execution),
};
