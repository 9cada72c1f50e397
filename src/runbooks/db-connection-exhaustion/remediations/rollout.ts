import type { AwsTarget } from '../../../catalog/schema.js';
import type { DetailBlock } from '../../../domain/finding.js';
import { ConnbotError } from '../../../errors.js';
import type { EcsServiceRef, ServiceUpdate } from '../../../integrations/aws/ecs-service.js';
import type { FindingsById, RemediationPlan, RunbookContext, VerificationOutcome } from '../../types.js';
import { measured, num } from '../findings.js';
import type { DbConnectionParams } from '../params.js';

type Ctx = RunbookContext<DbConnectionParams>;

/** The checks whose re-run tells whether a rollout helped. */
export const ROLLOUT_VERIFY_CHECKS = ['db-connections', 'ecs-service'];

// CloudWatch publishes RDS metrics each minute, about a minute late: wait that long after the service settles
// before re-reading DatabaseConnections, or "after" still shows the old tasks' connections.
export const METRICS_SETTLE_MS = (p: { verifySettleSeconds: number }): number => p.verifySettleSeconds * 1000;

export function ecsRef(aws: AwsTarget): EcsServiceRef {
  if (!aws.ecs) throw new ConnbotError('TARGET_NOT_CONFIGURED', 'no aws.ecs service in the catalog');
  return { cluster: aws.ecs.cluster, service: aws.ecs.service };
}

/** Cool-downs and the audit trail key on this: one ECS service in one region. */
export function serviceTargetKey(aws: AwsTarget): string {
  const ref = ecsRef(aws);
  return `ecs:${aws.region}/${ref.cluster}/${ref.service}`;
}

export function planTarget(aws: AwsTarget): Record<string, unknown> {
  const ref = ecsRef(aws);
  return { region: aws.region, cluster: ref.cluster, service: ref.service };
}

/** A plan runs only against the service it was made for (the catalog may have changed since it was shown). */
export function assertPlanTarget(ctx: Ctx, plan: RemediationPlan): { aws: AwsTarget; ref: EcsServiceRef } {
  const aws = ctx.target.aws;
  if (!aws) throw new ConnbotError('TARGET_NOT_CONFIGURED', 'no aws target in the catalog');
  const ref = ecsRef(aws);
  const { region, cluster, service } = plan.params;
  if (region !== aws.region || cluster !== ref.cluster || service !== ref.service) {
    throw new ConnbotError(
      'REMEDIATION_FAILED',
      `plan is for ${String(service)} in ${String(cluster)} (${String(region)}), the catalog now names ${ref.service} in ${ref.cluster} (${aws.region}); re-run the check`,
    );
  }
  return { aws, ref };
}

export interface RolloutOutcome {
  deploymentId: string | undefined;
  stable: boolean;
  rolloutState: string | undefined;
  running: number;
  desired: number;
  /** One sentence for the execution summary. */
  text: string;
  details: DetailBlock[];
}

/**
 * One UpdateService, then `aws ecs wait services-stable` bounded by stableWaitSeconds, then one DescribeServices
 * to read how the new deployment ended. Not stable in time, or FAILED (the circuit breaker rolled it back), is
 * reported, not thrown: the change was made and the approver must hear what it did.
 */
export async function rollOut(ctx: Ctx, ref: EcsServiceRef, update: ServiceUpdate): Promise<RolloutOutcome> {
  const aws = ctx.integrations.aws();
  const updated = await aws.updateService(ref, update);
  const deploymentId = updated.deployments.find((d) => d.status === 'PRIMARY')?.id;
  const wait = await aws.waitForServiceStable(ref, {
    maxWaitSeconds: ctx.params.stableWaitSeconds,
    minDelaySeconds: ctx.params.stablePollSeconds,
    signal: ctx.signal,
  });
  const final = await aws.describeService(ref);
  const ours = final.deployments.find((d) => d.id === deploymentId);
  const rolloutState = ours ? ours.rolloutState : 'ROLLED_BACK';
  const failed = rolloutState === 'FAILED' || rolloutState === 'ROLLED_BACK';
  const stable = wait.stable && !failed;
  const secs = Math.round(wait.waitedMs / 1000);
  const text = failed
    ? `deployment ${deploymentId ?? '?'} ${rolloutState === 'FAILED' ? `FAILED${ours?.rolloutStateReason ? `: ${ours.rolloutStateReason}` : ''}` : 'is gone (rolled back)'}`
    : wait.stable
      ? `service stable after ${secs} s (deployment ${deploymentId ?? '?'} ${rolloutState ?? ''}, ${final.running}/${final.desired} running)`
      : `service NOT stable: ${wait.reason ?? 'unknown'} (deployment ${deploymentId ?? '?'} ${rolloutState ?? ''}, ${final.running}/${final.desired} running)`;
  return {
    deploymentId,
    stable,
    rolloutState,
    running: final.running,
    desired: final.desired,
    text,
    details: [
      {
        kind: 'table',
        caption: `Deployments of ${ref.service} after the change`,
        columns: ['id', 'status', 'rollout', 'running/desired'],
        rows: final.deployments.map((d) => [d.id, d.status, d.rolloutState ?? '', `${d.running}/${d.desired}`]),
      },
    ],
  };
}

/**
 * Better when the service settled (one deployment, all tasks running, not FAILED) and DatabaseConnections is
 * either fine now or lower than before. `extra` adds a remediation's own condition.
 */
export function verifyRollout(
  before: FindingsById,
  after: FindingsById,
  extra?: { ok: boolean; text: string },
): VerificationOutcome {
  const ecs = measured(after, 'ecs-service');
  const connsBefore = num(measured(before, 'db-connections'), 'current');
  const connsAfterFinding = after.get('db-connections');
  const connsAfter = num(measured(after, 'db-connections'), 'current');
  const limit = num(measured(after, 'db-connections'), 'maxConnections');
  const failed = ecs?.primaryRolloutState === 'FAILED';
  const steady = ecs?.steady === true;
  const better =
    connsAfterFinding?.status === 'ok' || (connsBefore !== undefined && connsAfter !== undefined && connsAfter < connsBefore);
  const lines = [
    `DatabaseConnections ${connsBefore ?? '?'} → ${connsAfter ?? '?'}${limit ? ` of ${limit}` : ''} (${connsAfterFinding?.status ?? 'not measured'})`,
    ecs
      ? `service ${failed ? 'deployment FAILED' : steady ? 'stable' : 'not stable'}: ${num(ecs, 'running')}/${num(ecs, 'desired')} running, ${num(ecs, 'deploymentCount')} deployment(s)`
      : 'service state not measured',
    ...(extra ? [extra.text] : []),
  ];
  const ok = steady && !failed && better && (extra?.ok ?? true);
  return { ok, summary: `${ok ? 'improved' : 'not improved'} — ${lines.join('; ')}` };
}
