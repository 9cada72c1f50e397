import { CloudWatchClient, GetMetricDataCommand, GetMetricWidgetImageCommand, type GetMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
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
 *
 * Time is real (Date.now(), which tests may fake): ECS finishes a deployment `rolloutSeconds` after
 * UpdateService, and CloudWatch behaves as RDS does — one DatabaseConnections sample per instance per minute,
 * the minute's datapoint stamped with its start and published `publishLagSeconds` after the minute ends, each
 * minute's value the state in that minute. Aurora's dimensions aggregate as CloudWatch does: Role=WRITER is the
 * writer alone, Role=READER the reader; the cluster dimension alone takes every instance's sample, so its Maximum
 * is the busiest instance, its Average the mean over instances (a pegged writer beside an idle reader averages
 * about 50 % CPU) and its Sum (at 60 s) the total. Each metric has its own value per role (DatabaseConnections,
 * CPUUtilization), as a writer and a mostly idle reader do.
 */
const TASK_DEF = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/golden-path-app-prod:42`;
const NEW_DEPLOYMENT = 'ecs-svc/9182736450918273645';
const ROLLBACK_DEPLOYMENT = 'ecs-svc/5647382910564738291';
// A real PNG signature and IHDR start: enough for "is this an image", not a picture.
export const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);

export const mocks = {
  cloudwatch: mockClient(CloudWatchClient),
  logs: mockClient(CloudWatchLogsClient),
  ecs: mockClient(ECSClient),
  rds: mockClient(RDSClient),
  ssm: mockClient(SSMClient),
};

/**
 * What ECS does with a forced deployment: `completes`; `fails` (circuit breaker, no rollback: the deployment
 * stays FAILED beside the old one); `rolls-back` (circuit breaker with rollback: FAILED, then a rollback
 * deployment of the previous task definition replaces every task and ours is gone); `stuck` (never finishes).
 * A desired-count change resizes the PRIMARY deployment and completes unless `stuck`.
 */
export type RolloutBehaviour = 'completes' | 'fails' | 'rolls-back' | 'stuck';

export interface GoldenPathState {
  failureMode: string;
  desired: number;
  /**
   * The writer's DatabaseConnections in the minute that starts `minutesAgo` minutes before the minute the fake
   * was created in (0 = that minute, negative = later minutes), until a change replaces the tasks.
   */
  writerConnections: (minutesAgo: number) => number;
  /** The reader's connections (monitoring, replication): the application writes through the cluster endpoint. */
  readerConnections: number;
  /** Container Insights RunningTaskCount; undefined when Container Insights is off. */
  runningTasks?: (minutesAgo: number) => number;
  /** CPUUtilization of the writer, which takes the application's queries … */
  writerCpu: (minutesAgo: number) => number;
  /** … and of the reader, which only replicates and answers monitoring: mostly idle. */
  readerCpu: (minutesAgo: number) => number;
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
  /** How long ECS takes from UpdateService to the end of the rollout (or of the resize). */
  rolloutSeconds: number;
  /** With `rolls-back`: how long the rollback deployment takes after ours FAILED. */
  rollbackSeconds?: number;
  /** Connections each task holds once the tasks are new (or, after a resize, each remaining task). */
  connectionsPerFreshTask: number;
  /** CloudWatch has a minute's datapoint this long after the minute ends. */
  publishLagSeconds: number;
}

const minute = 60_000;

interface Regime {
  /** Epoch ms from which it holds (minutes starting at or after it). */
  from: number;
  writer: number;
  tasks: number;
}

export class FakeGoldenPath {
  readonly state: GoldenPathState;
  /** The start of the minute the fake was created in: scenario minutes count back from here. */
  readonly epoch: number;
  private deployments: Deployment[];
  private events: ServiceEvent[];
  private scheduled: Array<{ at: number; run: () => void }> = [];
  private regimes: Regime[] = [];
  private nextQuery = 0;
  private nextEvent = 0;

  constructor(state: GoldenPathState) {
    this.state = state;
    this.epoch = Math.floor(Date.now() / minute) * minute;
    const created = new Date(Date.now() - 3 * 24 * 60 * minute);
    this.deployments = [this.deployment('ecs-svc/4837261950384756102', 'PRIMARY', 'COMPLETED', state.desired, created)];
    this.events = state.events.map((e) => this.event(e.message, new Date(Date.now() - e.minutesAgo * minute)));
  }

  install(): void {
    for (const m of Object.values(mocks)) m.reset();
    mocks.cloudwatch.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => this.getMetricData(input));
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

  /** Apply whatever ECS has done by now. */
  private tick(): void {
    const now = Date.now();
    for (;;) {
      const due = this.scheduled.filter((s) => s.at <= now).sort((a, b) => a.at - b.at)[0];
      if (!due) return;
      this.scheduled = this.scheduled.filter((s) => s !== due);
      due.run();
    }
  }

  private at(ms: number, run: () => void): void {
    this.scheduled.push({ at: ms, run });
  }

  // ---- CloudWatch ---------------------------------------------------------------------------------------------

  private getMetricData(input: GetMetricDataCommandInput) {
    this.tick();
    const start = new Date(input.StartTime!).getTime();
    const end = new Date(input.EndTime!).getTime();
    const publishedBefore = Date.now() - this.state.publishLagSeconds * 1000;
    return {
      MetricDataResults: (input.MetricDataQueries ?? []).map((q) => {
        const stat = q.MetricStat!;
        const period = stat.Period! * 1000;
        const dims = Object.fromEntries((stat.Metric!.Dimensions ?? []).map((d) => [d.Name!, d.Value!]));
        const timestamps: Date[] = [];
        const values: number[] = [];
        for (let t = start; t < end; t += period) {
          const samples: number[] = [];
          for (let m = t; m < Math.min(t + period, end); m += minute) {
            // A minute's datapoint exists once the minute is over and CloudWatch has it.
            if (m + minute > publishedBefore) continue;
            samples.push(...this.samples(stat.Metric!.MetricName!, dims, m));
          }
          if (samples.length === 0) continue;
          timestamps.push(new Date(t));
          values.push(aggregate(stat.Stat!, samples));
        }
        if (input.ScanBy !== 'TimestampAscending') {
          timestamps.reverse();
          values.reverse();
        }
        return { Id: q.Id, Label: stat.Metric!.MetricName, Timestamps: timestamps, Values: values, StatusCode: 'Complete' };
      }),
      Messages: [],
      $metadata: { httpStatusCode: 200 },
    };
  }

  /** Every sample of one minute that matches the dimensions (CloudWatch needs the exact dimension set). */
  private samples(metric: string, dims: Record<string, string>, at: number): number[] {
    const ago = Math.round((this.epoch - at) / minute);
    const keys = Object.keys(dims).sort().join(',');
    if (metric === 'RunningTaskCount') {
      if (keys !== 'ClusterName,ServiceName' || dims.ClusterName !== CLUSTER || dims.ServiceName !== SERVICE) return [];
      const regime = this.regimeAt(at);
      if (!this.state.runningTasks) return [];
      return [regime ? regime.tasks : this.state.runningTasks(ago)];
    }
    if (dims.DBClusterIdentifier !== DB_CLUSTER || (keys !== 'DBClusterIdentifier' && keys !== 'DBClusterIdentifier,Role')) return [];
    const role = dims.Role;
    if (role !== undefined && role !== 'WRITER' && role !== 'READER') return [];
    let writer: number;
    let reader: number;
    if (metric === 'DatabaseConnections') {
      writer = this.regimeAt(at)?.writer ?? this.state.writerConnections(ago);
      reader = this.state.readerConnections;
    } else if (metric === 'CPUUtilization') {
      writer = this.state.writerCpu(ago);
      reader = this.state.readerCpu(ago);
    } else {
      return [];
    }
    return role === 'WRITER' ? [writer] : role === 'READER' ? [reader] : [writer, reader];
  }

  private regimeAt(at: number): Regime | undefined {
    return this.regimes.filter((r) => r.from <= at).at(-1);
  }

  /** From `from` on (minutes starting then or later), the tasks are these and hold these connections. */
  private tasksReplaced(from: number, tasks: number): void {
    this.regimes.push({ from, tasks, writer: tasks * this.state.connectionsPerFreshTask });
  }

  // ---- RDS ----------------------------------------------------------------------------------------------------

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

  // ---- ECS ----------------------------------------------------------------------------------------------------

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

  private event(message: string, at: Date): ServiceEvent {
    return { id: `0b5d3c1e-8f7a-4c2b-9d1e-${String(this.nextEvent++).padStart(12, '0')}`, createdAt: at, message };
  }

  private record(message: string, at: number): void {
    this.events.unshift(this.event(message, new Date(at)));
  }

  private describeServices() {
    this.tick();
    const running = this.running();
    return {
      services: [
        {
          serviceArn: SERVICE_ARN,
          serviceName: SERVICE,
          clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${CLUSTER}`,
          status: 'ACTIVE',
          desiredCount: this.state.desired,
          runningCount: running,
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
    this.tick();
    const now = Date.now();
    const done = now + this.state.rolloutSeconds * 1000;
    if (input.desiredCount !== undefined) {
      // A resize is no deployment: the PRIMARY keeps its id and rollout state, and tasks start or stop.
      const n = input.desiredCount;
      const primary = this.deployments.find((d) => d.status === 'PRIMARY')!;
      this.state.desired = n;
      primary.desiredCount = n;
      primary.updatedAt = new Date(now);
      if (this.state.rollout !== 'stuck' && !input.forceNewDeployment) {
        this.at(done, () => {
          const before = primary.runningCount ?? 0;
          primary.runningCount = n;
          this.tasksReplaced(done, n);
          this.record(`(service ${SERVICE}) has ${before > n ? `stopped ${before - n} running tasks` : `started ${n - before} tasks`}.`, done);
          this.record(`(service ${SERVICE}) has reached a steady state.`, done);
        });
      }
    }
    if (input.forceNewDeployment) this.forceDeployment(now, done);
    return { service: this.describeServices().services[0] };
  }

  private forceDeployment(now: number, done: number): void {
    const old = this.deployments.map((d) => ({ ...d }));
    for (const d of this.deployments) d.status = 'ACTIVE';
    const fresh = this.deployment(NEW_DEPLOYMENT, 'PRIMARY', 'IN_PROGRESS', 0, new Date(now));
    fresh.desiredCount = this.state.desired;
    this.deployments.unshift(fresh);
    const desired = this.state.desired;
    switch (this.state.rollout) {
      case 'stuck':
        return;
      case 'completes':
        this.at(done, () => {
          fresh.runningCount = desired;
          fresh.rolloutState = 'COMPLETED';
          fresh.rolloutStateReason = `ECS deployment ${NEW_DEPLOYMENT} completed.`;
          fresh.updatedAt = new Date(done);
          this.deployments = [fresh];
          this.tasksReplaced(done, desired);
          this.record(`(service ${SERVICE}) (deployment ${NEW_DEPLOYMENT}) deployment completed.`, done);
          this.record(`(service ${SERVICE}) has reached a steady state.`, done);
        });
        return;
      case 'fails':
      case 'rolls-back':
        this.at(done, () => {
          fresh.rolloutState = 'FAILED';
          fresh.rolloutStateReason = 'ECS deployment circuit breaker: tasks failed to start.';
          fresh.failedTasks = 3;
          fresh.updatedAt = new Date(done);
          this.record(`(service ${SERVICE}) (deployment ${NEW_DEPLOYMENT}) deployment failed: tasks failed to start.`, done);
          if (this.state.rollout === 'fails') return;
          // Rollback: a new deployment of the previous task definition replaces every task; ours is drained.
          const back = this.deployment(ROLLBACK_DEPLOYMENT, 'PRIMARY', 'IN_PROGRESS', 0, new Date(done));
          back.desiredCount = desired;
          back.taskDefinition = old[0]?.taskDefinition ?? TASK_DEF;
          fresh.status = 'ACTIVE';
          this.deployments.unshift(back);
          this.record(`(service ${SERVICE}) rolling back to deployment ${ROLLBACK_DEPLOYMENT}.`, done);
          const backDone = done + (this.state.rollbackSeconds ?? this.state.rolloutSeconds) * 1000;
          this.at(backDone, () => {
            back.runningCount = desired;
            back.rolloutState = 'COMPLETED';
            back.rolloutStateReason = `ECS deployment ${ROLLBACK_DEPLOYMENT} completed.`;
            back.updatedAt = new Date(backDone);
            this.deployments = [back];
            // New tasks (of the old task definition): the connections the old ones held are gone too.
            this.tasksReplaced(backDone, desired);
            this.record(`(service ${SERVICE}) has reached a steady state.`, backDone);
          });
        });
        return;
    }
  }

  // ---- Logs Insights ------------------------------------------------------------------------------------------

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

function aggregate(stat: string, samples: number[]): number {
  switch (stat) {
    case 'Maximum':
      return Math.max(...samples);
    case 'Minimum':
      return Math.min(...samples);
    case 'Sum':
      return samples.reduce((a, b) => a + b, 0);
    case 'SampleCount':
      return samples.length;
    default:
      return samples.reduce((a, b) => a + b, 0) / samples.length;
  }
}
