import { CloudWatchClient, GetMetricDataCommand, GetMetricWidgetImageCommand } from '@aws-sdk/client-cloudwatch';
import { AccessDeniedException, DescribeServicesCommand, ECSClient, ECSServiceException } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsTargetClient } from '../../../src/integrations/aws/aws-target.js';

const cloudwatch = mockClient(CloudWatchClient);
const ecs = mockClient(ECSClient);
const aws = () => new AwsTargetClient({ region: 'us-east-1' });
const ref = { cluster: 'golden-path-cluster-prod', service: 'golden-path-service-prod' };
const t = (m: number) => new Date(Date.UTC(2025, 10, 24, 17, m));

interface D {
  id: string;
  status?: string;
  rolloutState?: 'COMPLETED' | 'IN_PROGRESS' | 'FAILED';
  running?: number;
  desired?: number;
  reason?: string;
}

/** A DescribeServices answer with these deployments (ours is ecs-svc/new unless said otherwise). */
function service(deployments: D[], running = 4) {
  return {
    services: [{
      serviceName: ref.service,
      status: 'ACTIVE',
      desiredCount: 4,
      runningCount: running,
      pendingCount: Math.max(0, 4 - running),
      deployments: deployments.map((d, i) => ({
        id: d.id,
        status: d.status ?? (i === 0 ? 'PRIMARY' : 'ACTIVE'),
        rolloutState: d.rolloutState,
        rolloutStateReason: d.reason,
        taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/golden-path-app-prod:42',
        runningCount: d.running ?? 4,
        desiredCount: d.desired ?? 4,
      })),
      events: [],
    }],
    failures: [],
  };
}

const OURS = 'ecs-svc/new';
const OLD = { id: 'ecs-svc/old', rolloutState: 'COMPLETED' as const };
const fast = { maxWaitSeconds: 5, pollSeconds: 0.01 };

describe('CloudWatch metrics', () => {
  beforeEach(() => cloudwatch.reset());

  it('follows NextToken and returns each series oldest first', async () => {
    const query = { id: 'max1m', namespace: 'AWS/RDS', metricName: 'DatabaseConnections', dimensions: { DBClusterIdentifier: 'golden-path-aurora-prod' }, stat: 'Maximum', periodSeconds: 60 };
    cloudwatch
      .on(GetMetricDataCommand)
      .resolvesOnce({ MetricDataResults: [{ Id: 'max1m', Label: 'DatabaseConnections', Timestamps: [t(3), t(2)], Values: [30, 20], StatusCode: 'PartialData' }], NextToken: 'page-2' })
      .resolves({ MetricDataResults: [{ Id: 'max1m', Label: 'DatabaseConnections', Timestamps: [t(1)], Values: [10], StatusCode: 'Complete' }] });
    const series = await aws().metricData([query], { start: t(0), end: t(4) });
    expect(series.get('max1m')!.points).toEqual([[t(1).getTime(), 10], [t(2).getTime(), 20], [t(3).getTime(), 30]]);
    const calls = cloudwatch.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.NextToken).toBeUndefined();
    expect(calls[1]!.NextToken).toBe('page-2');
    expect(calls[0]!.ScanBy).toBe('TimestampAscending');
  });

  it('returns the widget PNG as base64 and sends the widget as JSON', async () => {
    cloudwatch.on(GetMetricWidgetImageCommand).resolves({ MetricWidgetImage: Uint8Array.from([0x89, 0x50, 0x4e, 0x47]) });
    expect(await aws().metricWidgetImage({ metrics: [] })).toBe('iVBORw==');
    expect(cloudwatch.commandCalls(GetMetricWidgetImageCommand)[0]!.args[0].input).toEqual({ MetricWidget: '{"metrics":[]}', OutputFormat: 'png' });
  });
});

describe('ECS service: watching the deployment a change created', () => {
  beforeEach(() => ecs.reset());

  it('waits until our deployment is COMPLETED, alone, with every task running', async () => {
    ecs
      .on(DescribeServicesCommand)
      .resolvesOnce(service([{ id: OURS, rolloutState: 'IN_PROGRESS', running: 1 }, OLD]))
      .resolvesOnce(service([{ id: OURS, rolloutState: 'IN_PROGRESS', running: 4 }, { ...OLD, running: 1 }], 5))
      .resolves(service([{ id: OURS, rolloutState: 'COMPLETED', reason: 'ECS deployment ecs-svc/new completed.' }]));
    const watch = await aws().watchDeployment(ref, OURS, fast);
    expect(watch).toMatchObject({ end: 'completed', polls: 3, rolloutState: 'COMPLETED', reason: 'ECS deployment ecs-svc/new completed.' });
    expect(ecs.commandCalls(DescribeServicesCommand, { cluster: ref.cluster, services: [ref.service] }, true)).toHaveLength(3);
  });

  it('waits for the running count after a resize, which keeps the deployment COMPLETED', async () => {
    ecs
      .on(DescribeServicesCommand)
      .resolvesOnce(service([{ id: OURS, rolloutState: 'COMPLETED', running: 8, desired: 4 }], 8))
      .resolves(service([{ id: OURS, rolloutState: 'COMPLETED' }]));
    expect(await aws().watchDeployment(ref, OURS, fast)).toMatchObject({ end: 'completed', polls: 2 });
  });

  it('stops at FAILED and says why, without waiting for the rollback', async () => {
    ecs.on(DescribeServicesCommand).resolves(
      service([{ id: 'ecs-svc/rollback', rolloutState: 'IN_PROGRESS', running: 0 }, { id: OURS, status: 'ACTIVE', rolloutState: 'FAILED', running: 0, reason: 'ECS deployment circuit breaker: tasks failed to start.' }, OLD]),
    );
    const watch = await aws().watchDeployment(ref, OURS, fast);
    expect(watch).toMatchObject({ end: 'failed', polls: 1, reason: 'ECS deployment circuit breaker: tasks failed to start.' });
  });

  it('calls a deployment that is gone rolled back, even though the service itself is stable again', async () => {
    ecs.on(DescribeServicesCommand).resolves(service([{ id: 'ecs-svc/rollback', rolloutState: 'COMPLETED' }]));
    const watch = await aws().watchDeployment(ref, OURS, fast);
    expect(watch.end).toBe('rolled-back');
    expect(watch.reason).toBe(`deployment ${OURS} is no longer in the service; ecs-svc/rollback (golden-path-app-prod:42) is PRIMARY, COMPLETED`);
  });

  it('does not call a deployment gone when the first DescribeServices, right after UpdateService, does not show it yet', async () => {
    ecs
      .on(DescribeServicesCommand)
      .resolvesOnce(service([{ ...OLD, status: 'PRIMARY' }]))
      .resolves(service([{ id: OURS, rolloutState: 'COMPLETED' }]));
    const watch = await aws().watchDeployment(ref, OURS, fast);
    expect(watch).toMatchObject({ end: 'completed', polls: 2 });
  });

  it('gives up at the bound and says so, without throwing', async () => {
    ecs.on(DescribeServicesCommand).resolves(service([{ id: OURS, rolloutState: 'IN_PROGRESS', running: 0 }, OLD]));
    const watch = await aws().watchDeployment(ref, OURS, { maxWaitSeconds: 0.2, pollSeconds: 0.01 });
    expect(watch).toMatchObject({ end: 'timed-out', reason: `not stable within 0.2 s (deployment ${OURS} IN_PROGRESS, 0/4 running, 2 deployment(s))` });
    expect(watch.waitedMs).toBeLessThan(1000);
  });

  it('stops at once when DescribeServices is refused, naming ecs:DescribeServices and the service', async () => {
    ecs.on(DescribeServicesCommand).rejects(new AccessDeniedException({ $metadata: { httpStatusCode: 400 }, message: 'not authorized to perform: ecs:DescribeServices' }));
    const watch = await aws().watchDeployment(ref, OURS, fast);
    expect(watch.end).toBe('not-watched');
    expect(watch.error).toMatchObject({ kind: 'denied', ref: { action: 'ecs:DescribeServices', resource: `arn:aws:ecs:us-east-1:*:service/${ref.cluster}/${ref.service}` } });
    expect(watch.reason).toMatch(/^AWS refused ecs:DescribeServices on arn:aws:ecs:us-east-1:\*:service\/golden-path-cluster-prod\/golden-path-service-prod \(AccessDeniedException\)/);
    expect(ecs.commandCalls(DescribeServicesCommand)).toHaveLength(1);
  });

  it('keeps watching, more slowly, through throttling, and says so if the bound ends on it', async () => {
    const throttled = () => new ECSServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded' });
    ecs.on(DescribeServicesCommand).rejectsOnce(throttled()).resolves(service([{ id: OURS, rolloutState: 'COMPLETED' }]));
    expect(await aws().watchDeployment(ref, OURS, fast)).toMatchObject({ end: 'completed', polls: 2 });

    ecs.reset();
    ecs.on(DescribeServicesCommand).rejects(throttled());
    const watch = await aws().watchDeployment(ref, OURS, { maxWaitSeconds: 0.1, pollSeconds: 0.01 });
    expect(watch).toMatchObject({ end: 'timed-out', reason: 'not stable within 0.1 s (no DescribeServices answer; the last DescribeServices was throttled: ThrottlingException)' });
  });

  it('reads a MISSING failure as not found', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [], failures: [{ arn: 'arn:aws:ecs:us-east-1:123456789012:service/golden-path-cluster-prod/nope', reason: 'MISSING' }] });
    await expect(aws().describeService({ ...ref, service: 'nope' })).rejects.toMatchObject({ kind: 'not-found', awsCode: 'MISSING' });
  });
});
