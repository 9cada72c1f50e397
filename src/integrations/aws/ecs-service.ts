import {
  DescribeServicesCommand,
  UpdateServiceCommand,
  waitUntilServicesStable,
  type ECSClient,
  type Service,
} from '@aws-sdk/client-ecs';
import { AwsCallError, awsCall, type AwsCallRef } from './aws-errors.js';
import { errorMessage } from '../../errors.js';

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

export interface StabilityOutcome {
  stable: boolean;
  waitedMs: number;
  /** Why it is not stable: `timed out after 600 s`, the waiter's failure. */
  reason?: string;
}

/**
 * `aws ecs wait services-stable`: one deployment left and runningCount = desiredCount, bounded by maxWaitSeconds.
 * It never throws: a service that does not settle in time is an outcome to report, not a crash.
 */
export async function waitForServiceStable(
  client: ECSClient,
  ref: EcsServiceRef,
  opts: { maxWaitSeconds: number; minDelaySeconds: number; signal?: AbortSignal },
): Promise<StabilityOutcome> {
  const started = Date.now();
  const minDelay = Math.min(opts.minDelaySeconds, opts.maxWaitSeconds / 2);
  try {
    await waitUntilServicesStable(
      {
        client,
        maxWaitTime: opts.maxWaitSeconds,
        minDelay,
        maxDelay: Math.max(minDelay, Math.min(60, opts.maxWaitSeconds / 4)),
        ...(opts.signal ? { abortSignal: opts.signal } : {}),
      },
      { cluster: ref.cluster, services: [ref.service] },
    );
    return { stable: true, waitedMs: Date.now() - started };
  } catch (err) {
    const name = (err as { name?: string }).name;
    // The waiter's own error message is the whole last DescribeServices answer as JSON: too long to show.
    const reason =
      name === 'TimeoutError'
        ? `not stable within ${opts.maxWaitSeconds} s`
        : name === 'AbortError'
          ? 'wait cancelled'
          : `waiter failed: ${errorMessage(err).slice(0, 200)}`;
    return { stable: false, waitedMs: Date.now() - started, reason };
  }
}

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
