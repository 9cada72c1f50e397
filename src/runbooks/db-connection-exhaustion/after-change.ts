import type { AwsTarget } from '../../catalog/schema.js';
import type { AwsTargetClient, ServiceChange } from '../../integrations/aws/aws-target.js';
import type { EcsServiceState, RolloutEnd } from '../../integrations/aws/ecs-service.js';

/**
 * A remediation measures before, changes and measures after through one AwsTargetClient, which records the
 * UpdateService it made and how the deployment ended. Checks run after the change read that record here: the
 * ecs-service check reports how OUR deployment ended, db-connections keeps only datapoints from after it.
 * A plain diagnosis has no change, and these return undefined.
 */
export function changeUnderVerification(client: AwsTargetClient, aws: AwsTarget): ServiceChange | undefined {
  return aws.ecs ? client.serviceChange({ cluster: aws.ecs.cluster, service: aws.ecs.service }) : undefined;
}

/** When the change finished: when the watch saw its deployment end (or gave up); the request time if unwatched. */
export function changeFinishedAt(change: ServiceChange): number {
  return change.watch?.endedAt ?? change.requestedAt;
}

/** What the ecs-service check reports about the change (finding data `change`), read by verifyRollout. */
export interface ChangeData {
  deploymentId: string | undefined;
  /** How the watch after UpdateService ended; `unwatched` when execute() never watched it. */
  end: RolloutEnd | 'unwatched';
  reason: string | undefined;
  finishedAt: number;
  /** Our deployment is still among the service's deployments in this check's DescribeServices answer … */
  present: boolean;
  /** … in this rollout state. */
  rolloutStateNow: string | undefined;
}

export function changeData(change: ServiceChange, svc: EcsServiceState): ChangeData {
  const ours = svc.deployments.find((d) => d.id === change.deploymentId);
  return {
    deploymentId: change.deploymentId,
    end: change.watch?.end ?? 'unwatched',
    reason: change.watch?.reason,
    finishedAt: changeFinishedAt(change),
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
