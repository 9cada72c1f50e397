import type { AwsTarget } from '../../../catalog/schema.js';
import type { DetailBlock } from '../../../domain/finding.js';
import { ConnbotError, errorMessage } from '../../../errors.js';
import type { DeploymentWatch, EcsServiceRef, RolloutEnd, ServiceUpdate } from '../../../integrations/aws/ecs-service.js';
import type { ExecutionResult, FindingsById, RemediationPlan, RunbookContext, VerificationOutcome } from '../../types.js';
import { clock, isChangeData, rolloutOf, type ChangeData, type RolloutData } from '../after-change.js';
import { measured, num } from '../findings.js';
import type { DbConnectionParams } from '../params.js';

type Ctx = RunbookContext<DbConnectionParams>;

/** The checks whose re-run tells whether a rollout helped. */
export const ROLLOUT_VERIFY_CHECKS = ['db-connections', 'ecs-service'];

// CloudWatch publishes RDS metrics each minute, about a minute late: wait that long after the service settles
// before re-reading DatabaseConnections. The check then waits (postChangeWaitSeconds) for the first datapoint
// from after the change, and says so when there is none yet.
export const METRICS_SETTLE_MS = (p: { verifySettleSeconds: number }): number => p.verifySettleSeconds * 1000;

export function ecsRef(aws: AwsTarget): EcsServiceRef {
  if (!aws.ecs) throw new ConnbotError('TARGET_NOT_CONFIGURED', 'no aws.ecs service in the catalog');
  return { cluster: aws.ecs.cluster, service: aws.ecs.service };
}

/**
 * Cool-downs, the one-run-per-target lock and the audit trail key on this: one ECS service in one region, of the
 * account the env's role is in (per-env accounts often reuse cluster and service names).
 */
export function serviceTargetKey(aws: AwsTarget): string {
  const ref = ecsRef(aws);
  const account = aws.roleArn?.split(':')[4];
  return `ecs:${account ? `${account}/` : ''}${aws.region}/${ref.cluster}/${ref.service}`;
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
  /** How the deployment the change created ended (see RolloutEnd). */
  end: RolloutEnd;
  /** end === 'completed'. */
  stable: boolean;
  rolloutState: string | undefined;
  /** Epoch ms when the watch ended: the change's "finished" time for verification. */
  finishedAt: number;
  reason: string | undefined;
  running: number;
  desired: number;
  /** One sentence for the execution summary. */
  text: string;
  details: DetailBlock[];
  /** For the ExecutionResult's `data.rollout`: what verify() and the re-run checks judge the change by. */
  rollout: RolloutData;
}

/**
 * One UpdateService, then DescribeServices every stablePollSeconds until the deployment it created (the PRIMARY
 * of its answer) is COMPLETED with every task running, FAILED, or gone, bounded by stableWaitSeconds. Each of
 * those, and a DescribeServices refusal, is reported, not thrown: the change was made and the approver must
 * hear what it did. Only a refused UpdateService throws (then nothing changed).
 */
export async function rollOut(ctx: Ctx, ref: EcsServiceRef, update: ServiceUpdate): Promise<RolloutOutcome> {
  const aws = ctx.integrations.aws();
  const updated = await aws.updateService(ref, update);
  const requestedAt = Date.now();
  const deploymentId = updated.deployments.find((d) => d.status === 'PRIMARY')?.id;
  let watch: DeploymentWatch;
  try {
    watch = await aws.watchDeployment(ref, deploymentId, {
      maxWaitSeconds: ctx.params.stableWaitSeconds,
      pollSeconds: ctx.params.stablePollSeconds,
      signal: ctx.signal,
    });
  } catch (err) {
    // AWS errors come back as an outcome; anything else still must not hide that the service was updated.
    const now = Date.now();
    watch = { deploymentId, end: 'not-watched', endedAt: now, waitedMs: 0, polls: 0, reason: errorMessage(err), rolloutState: undefined, last: undefined, error: undefined };
  }
  const final = watch.last ?? updated;
  const id = deploymentId ?? '?';
  const secs = Math.round(watch.waitedMs / 1000);
  const primaryNow = final.deployments.find((d) => d.status === 'PRIMARY');
  let text: string;
  switch (watch.end) {
    case 'completed':
      text = `service stable after ${secs} s (deployment ${id} ${watch.rolloutState ?? ''}, ${final.running}/${final.desired} running)`;
      break;
    case 'failed':
      text =
        `deployment ${id} FAILED: ${watch.reason ?? 'no reason given'}` +
        (primaryNow && primaryNow.id !== deploymentId ? `; ECS is rolling back to ${primaryNow.id} (${primaryNow.taskDefinition})` : '');
      break;
    case 'rolled-back':
      text = `deployment ${id} is gone (rolled back): ${watch.reason ?? ''}`;
      break;
    case 'timed-out':
      text = `service NOT stable: ${watch.reason ?? `not stable within ${ctx.params.stableWaitSeconds} s`}`;
      break;
    case 'not-watched':
      text = `the service was updated (deployment ${id}), but how the deployment ends could not be read: ${watch.reason ?? 'unknown'}`;
      break;
  }
  return {
    deploymentId,
    end: watch.end,
    stable: watch.end === 'completed',
    rolloutState: watch.rolloutState ?? (watch.end === 'rolled-back' ? 'ROLLED_BACK' : undefined),
    finishedAt: watch.endedAt,
    reason: watch.reason,
    running: final.running,
    desired: final.desired,
    text,
    rollout: {
      cluster: ref.cluster,
      service: ref.service,
      deploymentId,
      end: watch.end,
      reason: watch.reason,
      requestedAt,
      finishedAt: watch.endedAt,
    },
    details: [
      {
        kind: 'table',
        caption: `Deployments of ${ref.service} ${watch.last ? 'at the end of the watch' : 'as UpdateService answered'}`,
        columns: ['id', 'status', 'rollout', 'running/desired'],
        rows: final.deployments.map((d) => [d.id, d.status, d.rolloutState ?? '', `${d.running}/${d.desired}`]),
      },
    ],
  };
}

/**
 * Improved only when the deployment the change created COMPLETED (and is still the service's), the service is
 * steady, and DatabaseConnections measured after the change finished is fine or lower than before. A FAILED or
 * rolled-back deployment is never "improved", whatever the numbers: a rollback restarts the tasks too, so
 * connections may well drop. How the rollout ended comes from the execution result (`data.rollout`), where the
 * deployment is now from the re-run ecs-service check. `extra` adds a remediation's own condition.
 */
export function verifyRollout(
  before: FindingsById,
  after: FindingsById,
  execution: ExecutionResult | undefined,
  extra?: { ok: boolean; text: string },
): VerificationOutcome {
  const rollout = rolloutOf(execution);
  const ecs = measured(after, 'ecs-service');
  const seen = isChangeData(ecs?.change) && ecs.change.deploymentId === rollout?.deploymentId ? ecs.change : undefined;
  const connsBeforeData = measured(before, 'db-connections');
  const connsAfterFinding = after.get('db-connections');
  const connsAfterData = measured(after, 'db-connections');
  const connsBefore = num(connsBeforeData, 'current');
  // Only a value from after the change counts; without a change record, there is nothing to compare.
  const postChange = connsAfterData?.postChange === true;
  const connsAfter = postChange ? num(connsAfterData, 'current') : undefined;
  const limit = num(connsAfterData, 'maxConnections') ?? num(connsBeforeData, 'maxConnections');
  const failed = ecs?.primaryRolloutState === 'FAILED';
  const steady = ecs?.steady === true;
  const verdict = rolloutVerdict(rollout, seen);
  const better =
    connsAfter !== undefined && (connsAfterFinding?.status === 'ok' || (connsBefore !== undefined && connsAfter < connsBefore));
  const finishedAt = rollout?.finishedAt ?? num(connsAfterData, 'changeFinishedAt');
  const newestAt = num(connsAfterData, 'newestDatapointAt');
  const connsText =
    connsAfterData?.postChange === false
      ? `DatabaseConnections ${connsBefore ?? '?'} → no post-change datapoint yet (the change finished ${finishedAt ? clock(finishedAt) : '?'} UTC; ` +
        `the newest datapoint is for the minute from ${newestAt ? clock(newestAt).slice(0, 5) : '?'} UTC)`
      : `DatabaseConnections ${connsBefore ?? '?'} → ${connsAfter ?? '?'}${limit ? ` of ${limit}` : ''} (${postChange ? connsAfterFinding?.status : (connsAfterFinding?.status ?? 'not measured')})`;
  const lines = [
    verdict.text,
    connsText,
    ecs
      ? `service ${failed ? 'deployment FAILED' : steady ? 'stable' : 'not stable'}: ${num(ecs, 'running')}/${num(ecs, 'desired')} running, ${num(ecs, 'deploymentCount')} deployment(s)`
      : 'service state not measured',
    ...(extra ? [extra.text] : []),
  ];
  const ok = verdict.ok && steady && !failed && better && (extra?.ok ?? true);
  return { ok, summary: `${ok ? 'improved' : 'not improved'} — ${lines.join('; ')}` };
}

/** `rollout`: how the watch ended (execute's result); `now`: our deployment in the re-run DescribeServices, if read. */
function rolloutVerdict(rollout: RolloutData | undefined, now: ChangeData | undefined): { ok: boolean; text: string } {
  if (!rollout) return { ok: false, text: 'how the ECS deployment ended was not measured' };
  const id = rollout.deploymentId ?? '?';
  const gone = now && !now.present ? '; it is no longer in the service' : '';
  switch (rollout.end) {
    case 'completed':
      if (!now) return { ok: false, text: `deployment ${id} COMPLETED at ${clock(rollout.finishedAt)} UTC, but where it is now was not measured` };
      if (!now.present) return { ok: false, text: `deployment ${id} completed, but is no longer in the service (replaced since)` };
      if (now.rolloutStateNow === 'FAILED') return { ok: false, text: `deployment ${id} completed, then FAILED` };
      return { ok: true, text: `deployment ${id} COMPLETED at ${clock(rollout.finishedAt)} UTC` };
    case 'failed':
      return { ok: false, text: `deployment ${id} FAILED: ${rollout.reason ?? 'no reason given'}${now && !now.present ? ' (rolled back)' : ''}` };
    case 'rolled-back':
      return { ok: false, text: `deployment ${id} rolled back: ${rollout.reason ?? 'gone from the service'}` };
    case 'timed-out':
      return { ok: false, text: `deployment ${id} did not finish in time (${rollout.reason ?? 'bound reached'})${gone}` };
    case 'not-watched':
      return { ok: false, text: `how the ECS deployment ended was not measured (deployment ${id}: ${rollout.reason ?? 'not watched'})${gone}` };
  }
}
