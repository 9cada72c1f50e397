import { CloudWatchClient, GetMetricDataCommand, GetMetricWidgetImageCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsTargetClient } from '../../../src/integrations/aws/aws-target.js';

const cloudwatch = mockClient(CloudWatchClient);
const ecs = mockClient(ECSClient);
const aws = () => new AwsTargetClient({ region: 'us-east-1' });
const ref = { cluster: 'golden-path-cluster-prod', service: 'golden-path-service-prod' };
const t = (m: number) => new Date(Date.UTC(2025, 10, 24, 17, m));

function service(deployments: number, running: number) {
  return {
    services: [{
      serviceName: ref.service,
      status: 'ACTIVE',
      desiredCount: 4,
      runningCount: running,
      pendingCount: 4 - running,
      deployments: Array.from({ length: deployments }, (_, i) => ({ id: `ecs-svc/${i}`, status: i === 0 ? 'PRIMARY' : 'ACTIVE', rolloutState: i === 0 && deployments === 1 ? 'COMPLETED' as const : 'IN_PROGRESS' as const, runningCount: running })),
      events: [],
    }],
    failures: [],
  };
}

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

describe('ECS service', () => {
  beforeEach(() => ecs.reset());

  it('waits until one deployment runs every desired task', async () => {
    ecs.on(DescribeServicesCommand).resolvesOnce(service(2, 4)).resolvesOnce(service(2, 3)).resolves(service(1, 4));
    const outcome = await aws().waitForServiceStable(ref, { maxWaitSeconds: 5, minDelaySeconds: 0.01 });
    expect(outcome.stable).toBe(true);
    expect(ecs.commandCalls(DescribeServicesCommand, { cluster: ref.cluster, services: [ref.service] }, true)).toHaveLength(3);
  });

  it('gives up at the bound and says so, without throwing', async () => {
    ecs.on(DescribeServicesCommand).resolves(service(2, 4));
    const outcome = await aws().waitForServiceStable(ref, { maxWaitSeconds: 0.2, minDelaySeconds: 0.01 });
    expect(outcome).toMatchObject({ stable: false, reason: 'not stable within 0.2 s' });
    expect(outcome.waitedMs).toBeLessThan(1000);
  });

  it('reads a MISSING failure as not found', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [], failures: [{ arn: 'arn:aws:ecs:us-east-1:123456789012:service/golden-path-cluster-prod/nope', reason: 'MISSING' }] });
    await expect(aws().describeService({ ...ref, service: 'nope' })).rejects.toMatchObject({ kind: 'not-found', awsCode: 'MISSING' });
  });
});
