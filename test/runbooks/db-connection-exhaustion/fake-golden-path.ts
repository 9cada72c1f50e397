import { CloudWatchClient, GetMetricDataCommand, GetMetricWidgetImageCommand } from '@aws-sdk/client-cloudwatch';
import {
  CloudWatchLogsClient,
  GetQueryResultsCommand,
  StartQueryCommand,
  StopQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand, type Deployment, type ServiceEvent } from '@aws-sdk/client-ecs';
import { DescribeDBClustersCommand, DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { ACCOUNT, CLUSTER, DB_CLUSTER, PARAM, REGION, SERVICE, SERVICE_ARN } from './golden-path-names.js';

export * from './golden-path-names.js';

/**
 * The Golden Path account as the AWS APIs show it, behind aws-sdk-client-mock: answers shaped as in the AWS API
 * reference, computed from a small state that the write calls (PutParameter, UpdateService) change, so a
 * remediation's verification sees the system it changed. Importing this file stubs the five clients' send.
 */
const TASK_DEF = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/golden-path-app-prod:42`;
// A real PNG signature and IHDR start: enough for "is this an image", not a picture.
export const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);

export const mocks = {
  cloudwatch: mockClient(CloudWatchClient),
  logs: mockClient(CloudWatchLogsClient),
  ecs: mockClient(ECSClient),
  rds: mockClient(RDSClient),
  ssm: mockClient(SSMClient),
};

export type RolloutBehaviour = 'completes' | 'fails' | 'stuck';

export interface GoldenPathState {
  failureMode: string;
  desired: number;
  /** Connections at `minutesAgo` (0 = the latest minute): 1-minute Average and Maximum. */
  connections: (minutesAgo: number) => { avg: number; max: number };
  /** Container Insights RunningTaskCount; undefined when Container Insights is off. */
  runningTasks?: (minutesAgo: number) => number;
  cpu: (minutesAgo: number) => number;
  /** Newest first. */
  events: Array<{ minutesAgo: number; message: string }>;
  instanceClass: string;
  logs: {
    byType: Array<{ errorType: string; path: string; errors: number }>;
    lines: Array<Record<string, string>>;
    /** Logs Insights never finishes (always Running). */
    neverCompletes?: boolean;
  };
  rollout: RolloutBehaviour;
  /** DescribeServices answers IN_PROGRESS this many times after an UpdateService before it settles. */
  pollsUntilSettled: number;
  /** Connections each task holds after a restart. */
  connectionsPerFreshTask: number;
}

const minute = 60_000;

export class FakeGoldenPath {
  readonly state: GoldenPathState;
  private deployments: Deployment[];
  private events: ServiceEvent[];
  private pendingPolls = 0;
  private restarted = false;
  private nextQuery = 0;

  constructor(state: GoldenPathState) {
    this.state = state;
    const created = new Date(Date.now() - 3 * 24 * 60 * minute);
    this.deployments = [this.deployment('ecs-svc/4837261950384756102', 'PRIMARY', 'COMPLETED', state.desired, created)];
    this.events = state.events.map((e, i) => ({
      id: `0b5d3c1e-8f7a-4c2b-9d1e-${String(i).padStart(12, '0')}`,
      createdAt: new Date(Date.now() - e.minutesAgo * minute),
      message: e.message,
    }));
  }

  install(): void {
    for (const m of Object.values(mocks)) m.reset();
    mocks.cloudwatch.on(GetMetricDataCommand).callsFake((input) => this.getMetricData(input));
    mocks.cloudwatch.on(GetMetricWidgetImageCommand).resolves({ MetricWidgetImage: PNG, $metadata: { httpStatusCode: 200 } });
    mocks.rds.on(DescribeDBClustersCommand).callsFake(() => this.describeDbClusters());
    mocks.rds.on(DescribeDBInstancesCommand).callsFake((input) => this.describeDbInstances(input));
    mocks.ecs.on(DescribeServicesCommand).callsFake(() => this.describeServices());
    mocks.ecs.on(UpdateServiceCommand).callsFake((input) => this.updateService(input));
    mocks.ssm.on(GetParameterCommand).callsFake(() => ({
      Parameter: {
        Name: PARAM,
        Type: 'String',
        Value: this.state.failureMode,
        Version: 7,
        LastModifiedDate: new Date(Date.now() - 70 * minute),
        ARN: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${PARAM}`,
        DataType: 'text',
      },
    }));
    mocks.ssm.on(PutParameterCommand).callsFake((input: { Value: string }) => {
      this.state.failureMode = input.Value;
      return { Version: 8, Tier: 'Standard' };
    });
    mocks.logs.on(StartQueryCommand).callsFake((input: { queryString: string }) => ({
      queryId: `${input.queryString.includes('stats count') ? 'c0ffee00' : 'facade00'}-4a1b-4c2d-8e3f-${String(this.nextQuery++).padStart(12, '0')}`,
    }));
    mocks.logs.on(GetQueryResultsCommand).callsFake((input: { queryId: string }) => this.getQueryResults(input.queryId));
    mocks.logs.on(StopQueryCommand).resolves({ success: true });
  }

  private getMetricData(input: {
    MetricDataQueries: Array<{ Id: string; MetricStat: { Metric: { MetricName: string }; Period: number; Stat: string } }>;
    StartTime: Date;
    EndTime: Date;
  }) {
    const end = Math.floor(new Date(input.EndTime).getTime() / minute) * minute;
    const minutes = Math.round((end - new Date(input.StartTime).getTime()) / minute);
    return {
      MetricDataResults: input.MetricDataQueries.map((q) => {
        const period = q.MetricStat.Period / 60;
        const timestamps: Date[] = [];
        const values: number[] = [];
        for (let ago = minutes - period; ago >= 0; ago -= period) {
          const samples = Array.from({ length: period }, (_, k) => this.sample(q.MetricStat.Metric.MetricName, q.MetricStat.Stat, ago + k));
          const present = samples.filter((s): s is number => s !== undefined);
          if (present.length === 0) continue;
          timestamps.push(new Date(end - (ago + period) * minute));
          values.push(q.MetricStat.Stat === 'Maximum' ? Math.max(...present) : present.reduce((a, b) => a + b, 0) / present.length);
        }
        return { Id: q.Id, Label: q.MetricStat.Metric.MetricName, Timestamps: timestamps, Values: values, StatusCode: 'Complete' };
      }),
      Messages: [],
      $metadata: { httpStatusCode: 200 },
    };
  }

  private sample(metric: string, stat: string, ago: number): number | undefined {
    if (metric === 'DatabaseConnections') {
      // After a restart the newest minutes show the fresh tasks' connections.
      if (this.restarted && ago <= 1) {
        const fresh = this.running() * this.state.connectionsPerFreshTask;
        return stat === 'Maximum' ? fresh + 2 : fresh;
      }
      const c = this.state.connections(ago);
      return stat === 'Maximum' ? c.max : c.avg;
    }
    if (metric === 'RunningTaskCount') return this.state.runningTasks?.(ago);
    if (metric === 'CPUUtilization') return this.state.cpu(ago);
    return undefined;
  }

  private describeDbClusters() {
    return {
      DBClusters: [
        {
          DBClusterIdentifier: DB_CLUSTER,
          DBClusterArn: `arn:aws:rds:${REGION}:${ACCOUNT}:cluster:${DB_CLUSTER}`,
          Status: 'available',
          Engine: 'aurora-postgresql',
          EngineVersion: '15.4',
          Endpoint: `${DB_CLUSTER}.cluster-c9akciq32.us-east-1.rds.amazonaws.com`,
          Port: 5432,
          DBSubnetGroup: 'golden-path-db-subnets-prod',
          VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-0a1b2c3d4e5f67890', Status: 'active' }],
          DBClusterMembers: [
            { DBInstanceIdentifier: `${DB_CLUSTER}-1`, IsClusterWriter: true, DBClusterParameterGroupStatus: 'in-sync', PromotionTier: 1 },
            { DBInstanceIdentifier: `${DB_CLUSTER}-2`, IsClusterWriter: false, DBClusterParameterGroupStatus: 'in-sync', PromotionTier: 1 },
          ],
        },
      ],
    };
  }

  private describeDbInstances(input: { DBInstanceIdentifier?: string }) {
    const all = [1, 2].map((n) => ({
      DBInstanceIdentifier: `${DB_CLUSTER}-${n}`,
      DBInstanceClass: this.state.instanceClass,
      Engine: 'aurora-postgresql',
      DBInstanceStatus: 'available',
      DBClusterIdentifier: DB_CLUSTER,
    }));
    return { DBInstances: input.DBInstanceIdentifier ? all.filter((i) => i.DBInstanceIdentifier === input.DBInstanceIdentifier) : all };
  }

  private running(): number {
    return this.deployments.reduce((n, d) => n + (d.runningCount ?? 0), 0);
  }

  private deployment(id: string, status: string, rolloutState: Deployment['rolloutState'], count: number, createdAt: Date): Deployment {
    return {
      id,
      status,
      taskDefinition: TASK_DEF,
      desiredCount: count,
      pendingCount: 0,
      runningCount: count,
      failedTasks: 0,
      createdAt,
      updatedAt: createdAt,
      launchType: 'FARGATE',
      rolloutState,
      rolloutStateReason: rolloutState === 'COMPLETED' ? `ECS deployment ${id} completed.` : undefined,
    };
  }

  private describeServices() {
    if (this.pendingPolls > 0) {
      this.pendingPolls -= 1;
      if (this.pendingPolls === 0) this.settle();
    }
    const running = this.running();
    return {
      services: [
        {
          serviceArn: SERVICE_ARN,
          serviceName: SERVICE,
          clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${CLUSTER}`,
          status: 'ACTIVE',
          desiredCount: this.state.desired,
          runningCount: Math.min(running, this.state.desired),
          pendingCount: Math.max(0, this.state.desired - running),
          launchType: 'FARGATE',
          taskDefinition: TASK_DEF,
          deployments: this.deployments.map((d) => ({ ...d })),
          events: this.events.map((e) => ({ ...e })),
        },
      ],
      failures: [],
    };
  }

  private updateService(input: { forceNewDeployment?: boolean; desiredCount?: number }) {
    const now = new Date();
    if (input.desiredCount !== undefined) {
      this.state.desired = input.desiredCount;
      const primary = this.deployments[0]!;
      primary.desiredCount = input.desiredCount;
      primary.rolloutState = 'IN_PROGRESS';
    }
    if (input.forceNewDeployment) {
      for (const d of this.deployments) d.status = 'ACTIVE';
      const fresh = this.deployment('ecs-svc/9182736450918273645', 'PRIMARY', 'IN_PROGRESS', 0, now);
      fresh.desiredCount = this.state.desired;
      this.deployments.unshift(fresh);
    }
    this.pendingPolls = this.state.pollsUntilSettled;
    if (this.pendingPolls === 0) this.settle();
    return { service: this.describeServices().services[0] };
  }

  /** What ECS has done by the time the deployment ends, per the chosen behaviour. */
  private settle(): void {
    const primary = this.deployments[0]!;
    if (this.state.rollout === 'stuck') return;
    if (this.state.rollout === 'fails') {
      primary.rolloutState = 'FAILED';
      primary.rolloutStateReason = 'ECS deployment circuit breaker: tasks failed to start.';
      primary.failedTasks = 3;
      return;
    }
    primary.runningCount = this.state.desired;
    primary.rolloutState = 'COMPLETED';
    this.deployments = [primary];
    this.restarted = true;
    this.events.unshift({ id: 'e1f2a3b4-0000-4000-8000-000000000001', createdAt: new Date(), message: `(service ${SERVICE}) has reached a steady state.` });
  }

  private getQueryResults(queryId: string) {
    const stats = queryId.startsWith('c0ffee00');
    const rows = stats
      ? this.state.logs.byType.map((r) => [
          { field: 'errorType', value: r.errorType },
          { field: 'path', value: r.path },
          { field: 'errors', value: String(r.errors) },
        ])
      : this.state.logs.lines.map((l) => [...Object.entries(l).map(([field, value]) => ({ field, value })), { field: '@ptr', value: 'CmAKJgoiMTIzNDU2Nzg5MDEyOi9lY3MvZ29sZGVuLXBhdGg=' }]);
    const running = this.state.logs.neverCompletes === true;
    return {
      status: running ? 'Running' : 'Complete',
      results: running ? rows.slice(0, 1) : rows,
      statistics: { recordsMatched: rows.length, recordsScanned: 48210, bytesScanned: 9_137_664 },
    };
  }
}
