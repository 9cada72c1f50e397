import { DescribeServicesCommand, UpdateServiceCommand, type ECSClient, type Service } from '@aws-sdk/client-ecs';
import { AwsCallError, awsCall, classifyAwsError, type AwsCallRef } from './aws-errors.js';
import { pause } from '../../domain/pause.js';

export interface EcsDeployment {
  id: string;
  /** PRIMARY (the newest), ACTIVE (being replaced), INACTIVE. */
  status: string;
  /** COMPLETED, IN_PROGRESS or FAILED (deployment circuit breaker). */
  rolloutState: string | undefined;
  rolloutStateReason: string | undefined;
  taskDefinition: string;
  desired: number;
  running: number;
  pending: number;
  failedTasks: number;
  createdAt: number | undefined;
  updatedAt: number | undefined;
}

export interface EcsEvent {
  id: string;
  at: number;
  message: string;
}

export interface EcsServiceState {
  arn: string;
  name: string;
  status: string;
  desired: number;
  running: number;
  pending: number;
  deployments: EcsDeployment[];
  /** Newest first, as ECS returns them (it keeps the last 100). */
  events: EcsEvent[];
}

export interface EcsServiceRef {
  cluster: string;
  service: string;
}

export async function describeService(
  client: ECSClient,
  roleArn: string | undefined,
  ref: EcsServiceRef,
  iam: AwsCallRef,
  signal?: AbortSignal,
): Promise<EcsServiceState> {
  const res = await awsCall(iam, roleArn, () =>
    client.send(new DescribeServicesCommand({ cluster: ref.cluster, services: [ref.service] }), { abortSignal: signal }),
  );
  const svc = res.services?.[0];
  if (!svc) {
    // ECS answers an unknown service with a failure entry, not an exception.
    const reason = res.failures?.[0]?.reason ?? 'MISSING';
    throw new AwsCallError('not-found', reason, iam, `ECS service ${ref.service} in cluster ${ref.cluster}: ${reason}`, undefined, undefined);
  }
  return toState(svc);
}

export interface ServiceUpdate {
  forceNewDeployment?: boolean;
  desiredCount?: number;
}

export async function updateService(
  client: ECSClient,
  roleArn: string | undefined,
  ref: EcsServiceRef,
  update: ServiceUpdate,
  iam: AwsCallRef,
): Promise<EcsServiceState> {
  const res = await awsCall(iam, roleArn, () =>
    client.send(
      new UpdateServiceCommand({
        cluster: ref.cluster,
        service: ref.service,
        ...(update.forceNewDeployment ? { forceNewDeployment: true } : {}),
        ...(update.desiredCount !== undefined ? { desiredCount: update.desiredCount } : {}),
      }),
    ),
  );
  if (!res.service) throw new Error('UpdateService returned no service');
  return toState(res.service);
}

/**
 * How the deployment an UpdateService started ended, as DescribeServices showed it:
 * - `completed`: it reached COMPLETED (or, without a rollout state, is the only deployment) with every desired
 *   task running;
 * - `failed`: ECS marked it FAILED (the deployment circuit breaker);
 * - `rolled-back`: it is no longer among the service's deployments (the circuit breaker rolled back, or another
 *   deployment replaced it);
 * - `timed-out`: none of those within the bound;
 * - `not-watched`: DescribeServices was refused or failed, so nobody knows (`error` says why).
 */
export type RolloutEnd = 'completed' | 'failed' | 'rolled-back' | 'timed-out' | 'not-watched';

export interface DeploymentWatch {
  /** The deployment being watched: the PRIMARY of the UpdateService answer. */
  deploymentId: string | undefined;
  end: RolloutEnd;
  /** Epoch ms when the watch ended: when DescribeServices first showed the end, or when the bound ran out. */
  endedAt: number;
  waitedMs: number;
  polls: number;
  /** In words: ECS's rolloutStateReason, the deployment now PRIMARY, the bound, or the refusal. */
  reason: string | undefined;
  /** The deployment's rollout state at the last answer (undefined once it is gone). */
  rolloutState: string | undefined;
  /** The last DescribeServices answer, when there was one. */
  last: EcsServiceState | undefined;
  /** DescribeServices was refused or failed (after the SDK's retries): why the outcome is unknown. */
  error: AwsCallError | undefined;
}

export interface WatchOptions {
  maxWaitSeconds: number;
  /** Time between DescribeServices calls; doubled (up to 4×) while AWS throttles. */
  pollSeconds: number;
  signal?: AbortSignal | undefined;
}

/**
 * Poll DescribeServices (through awsCall, so a refusal names ecs:DescribeServices) until the deployment the
 * change created reaches COMPLETED with all its tasks running, is FAILED, or disappears; bounded by
 * maxWaitSeconds. ECS's own `services-stable` waiter is not used: it has no rule for a FAILED rollout (a
 * circuit-breaker rollback ends "stable" on the old task definition) and it retries through AccessDenied and
 * throttling until its time runs out. Never throws for AWS errors: a change was made, and how far it got is
 * the outcome to report.
 */
export async function watchDeployment(
  client: ECSClient,
  roleArn: string | undefined,
  ref: EcsServiceRef,
  deploymentId: string | undefined,
  iam: AwsCallRef,
  opts: WatchOptions,
): Promise<DeploymentWatch> {
  const started = Date.now();
  const deadline = started + opts.maxWaitSeconds * 1000;
  let polls = 0;
  let last: EcsServiceState | undefined;
  let rolloutState: string | undefined;
  let throttled: AwsCallError | undefined;
  const end = (e: RolloutEnd, reason: string | undefined, error?: AwsCallError): DeploymentWatch => {
    const endedAt = Date.now();
    return { deploymentId, end: e, endedAt, waitedMs: endedAt - started, polls, reason, rolloutState, last, error };
  };
  if (!deploymentId) return end('not-watched', 'UpdateService answered without a PRIMARY deployment to watch');
  const basePollMs = Math.max(1, opts.pollSeconds * 1000);
  let pollMs = basePollMs;
  // ECS reads are eventually consistent: right after UpdateService a DescribeServices may not show the new
  // deployment yet. It counts as gone (rolled back) only once it has been seen, or after a grace period.
  let seen = false;
  const graceUntil = started + Math.min(NOT_YET_VISIBLE_GRACE_MS, Math.max(2 * basePollMs, (opts.maxWaitSeconds * 1000) / 4));
  for (;;) {
    if (opts.signal?.aborted) return end('timed-out', 'wait cancelled');
    polls += 1;
    try {
      last = await describeService(client, roleArn, ref, iam, opts.signal);
      throttled = undefined;
      pollMs = basePollMs;
    } catch (err) {
      if (opts.signal?.aborted) return end('timed-out', 'wait cancelled');
      const e = err instanceof AwsCallError ? err : classifyAwsError(err, iam, roleArn);
      if (e.kind !== 'throttled') return end('not-watched', `${e.message}${e.hint ? ` (next: ${e.hint})` : ''}`, e);
      // The SDK has retried already; the next poll is a while away, so keep watching, more slowly.
      throttled = e;
      pollMs = Math.min(basePollMs * 4, pollMs * 2);
    }
    if (last && !throttled) {
      const ours = last.deployments.find((d) => d.id === deploymentId);
      rolloutState = ours?.rolloutState;
      if (ours) seen = true;
      if (!ours && (seen || Date.now() >= graceUntil)) {
        const primary = last.deployments.find((d) => d.status === 'PRIMARY');
        return end(
          'rolled-back',
          `deployment ${deploymentId} is no longer in the service` +
            (primary ? `; ${primary.id} (${primary.taskDefinition}) is PRIMARY, ${primary.rolloutState ?? 'no rollout state'}` : ''),
        );
      }
      if (ours?.rolloutState === 'FAILED') return end('failed', ours.rolloutStateReason ?? 'rollout FAILED');
      const settled =
        ours !== undefined &&
        (ours.rolloutState === 'COMPLETED' || ours.rolloutState === undefined) &&
        last.deployments.length === 1 &&
        ours.running === ours.desired &&
        last.running === last.desired;
      if (settled) return end('completed', ours.rolloutStateReason);
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      const state = last?.deployments.find((d) => d.id === deploymentId);
      const where = state
        ? `deployment ${deploymentId} ${state.rolloutState ?? state.status}, ${state.running}/${state.desired} running, ${last!.deployments.length} deployment(s)`
        : 'no DescribeServices answer';
      return end(
        'timed-out',
        `not stable within ${opts.maxWaitSeconds} s (${where}${throttled ? `; the last DescribeServices was throttled: ${throttled.awsCode}` : ''})`,
      );
    }
    await pause(Math.min(pollMs, left), opts.signal);
  }
}


/** How long a deployment UpdateService just created may be missing from DescribeServices before it counts as gone. */
const NOT_YET_VISIBLE_GRACE_MS = 20_000;

function toState(svc: Service): EcsServiceState {
  return {
    arn: svc.serviceArn ?? '',
    name: svc.serviceName ?? '',
    status: svc.status ?? 'UNKNOWN',
    desired: svc.desiredCount ?? 0,
    running: svc.runningCount ?? 0,
    pending: svc.pendingCount ?? 0,
    deployments: (svc.deployments ?? []).map((d) => ({
      id: d.id ?? '',
      status: d.status ?? '',
      rolloutState: d.rolloutState,
      rolloutStateReason: d.rolloutStateReason,
      taskDefinition: (d.taskDefinition ?? '').replace(/^.*:task-definition\//, ''),
      desired: d.desiredCount ?? 0,
      running: d.runningCount ?? 0,
      pending: d.pendingCount ?? 0,
      failedTasks: d.failedTasks ?? 0,
      createdAt: d.createdAt ? new Date(d.createdAt).getTime() : undefined,
      updatedAt: d.updatedAt ? new Date(d.updatedAt).getTime() : undefined,
    })),
    events: (svc.events ?? [])
      .map((e) => ({ id: e.id ?? '', at: e.createdAt ? new Date(e.createdAt).getTime() : 0, message: e.message ?? '' }))
      .sort((a, b) => b.at - a.at),
  };
}
