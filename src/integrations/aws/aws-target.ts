import type { AwsTarget } from '../../catalog/schema.js';
import { awsClient, type AwsIdentity } from './aws-clients.js';
import type { AwsCallRef } from './aws-errors.js';
import { getMetricData, metricWidgetImage, type MetricQuery, type MetricSeries } from './cloudwatch-metrics.js';
import {
  describeService,
  updateService,
  watchDeployment,
  type DeploymentWatch,
  type EcsServiceRef,
  type EcsServiceState,
  type ServiceUpdate,
  type WatchOptions,
} from './ecs-service.js';
import { runInsightsQuery, type InsightsQuery, type InsightsResult, type InsightsWait } from './logs-insights.js';
import { describeDbCluster, describeDbInstances, type DbCluster, type DbInstance } from './rds-cluster.js';
import { getParameter, putStringParameter, type SsmParameter } from './ssm-parameter.js';

/**
 * The AWS account one service env lives in, as the catalog names it (region, optional role). Clients are shared
 * process-wide (see aws-clients.ts); what this object owns is the Logs Insights queries it started, which it
 * stops when closed so an abandoned check does not leave a query scanning. It keeps no record of the changes
 * made through it: a remediation reports how its change went in its execution result, which applyRemediation
 * hands to the checks that verify it and to verify() (see RunbookContext.afterRemediation).
 */
export class AwsTargetClient {
  readonly region: string;
  readonly roleArn: string | undefined;
  /** From the role ARN when there is one; `*` otherwise (IAM hints then name any account). */
  readonly account: string;
  readonly partition: string;
  private readonly identity: AwsIdentity;
  private readonly runningQueries = new Map<string, () => Promise<boolean>>();

  constructor(readonly target: AwsTarget) {
    this.region = target.region;
    this.roleArn = target.roleArn;
    this.identity = { region: target.region, roleArn: target.roleArn };
    const m = target.roleArn?.match(/^arn:(aws[a-z-]*):iam::(\d{12}):/);
    this.partition = m?.[1] ?? 'aws';
    this.account = m?.[2] ?? '*';
  }

  arn(service: string, resource: string): string {
    return `arn:${this.partition}:${service}:${this.region}:${this.account}:${resource}`;
  }

  metricData(queries: readonly MetricQuery[], range: { start: Date; end: Date }, signal?: AbortSignal): Promise<Map<string, MetricSeries>> {
    return getMetricData(awsClient('cloudwatch', this.identity), this.roleArn, queries, range, signal);
  }

  metricWidgetImage(widget: object, signal?: AbortSignal): Promise<string> {
    return metricWidgetImage(awsClient('cloudwatch', this.identity), this.roleArn, widget, signal);
  }

  describeDbCluster(clusterId: string, signal?: AbortSignal): Promise<DbCluster> {
    const iam = { action: 'rds:DescribeDBClusters', resource: this.arn('rds', `cluster:${clusterId}`) };
    return describeDbCluster(awsClient('rds', this.identity), this.roleArn, clusterId, iam, signal);
  }

  describeDbInstances(which: { instanceId: string } | { clusterId: string }, signal?: AbortSignal): Promise<DbInstance[]> {
    const iam = {
      action: 'rds:DescribeDBInstances',
      resource: 'instanceId' in which ? this.arn('rds', `db:${which.instanceId}`) : this.arn('rds', 'db:*'),
    };
    return describeDbInstances(awsClient('rds', this.identity), this.roleArn, which, iam, signal);
  }

  describeService(ref: EcsServiceRef, signal?: AbortSignal): Promise<EcsServiceState> {
    return describeService(awsClient('ecs', this.identity), this.roleArn, ref, this.ecsIam('ecs:DescribeServices', ref), signal);
  }

  updateService(ref: EcsServiceRef, update: ServiceUpdate): Promise<EcsServiceState> {
    return updateService(awsClient('ecs', this.identity), this.roleArn, ref, update, this.ecsIam('ecs:UpdateService', ref));
  }

  /** Watch the deployment a change created until it ends (see watchDeployment). */
  watchDeployment(ref: EcsServiceRef, deploymentId: string | undefined, opts: WatchOptions): Promise<DeploymentWatch> {
    return watchDeployment(awsClient('ecs', this.identity), this.roleArn, ref, deploymentId, this.ecsIam('ecs:DescribeServices', ref), opts);
  }

  getParameter(name: string, signal?: AbortSignal): Promise<SsmParameter> {
    return getParameter(awsClient('ssm', this.identity), this.roleArn, name, this.ssmIam('ssm:GetParameter', name), signal);
  }

  putStringParameter(name: string, value: string): Promise<number | undefined> {
    return putStringParameter(awsClient('ssm', this.identity), this.roleArn, name, value, this.ssmIam('ssm:PutParameter', name));
  }

  logGroupArn(group: string): string {
    return this.arn('logs', `log-group:${group}:*`);
  }

  insightsQuery(q: Omit<InsightsQuery, 'logGroupArn'>, wait: InsightsWait): Promise<InsightsResult> {
    return runInsightsQuery(awsClient('logs', this.identity), this.roleArn, { ...q, logGroupArn: this.logGroupArn(q.logGroup) }, wait, {
      started: (id, stop) => this.runningQueries.set(id, stop),
      finished: (id) => this.runningQueries.delete(id),
    });
  }

  async close(): Promise<void> {
    const stops = [...this.runningQueries.values()];
    this.runningQueries.clear();
    await Promise.allSettled(stops.map((stop) => stop()));
  }

  private ecsIam(action: string, ref: EcsServiceRef): AwsCallRef {
    return { action, resource: this.arn('ecs', `service/${ref.cluster}/${ref.service}`) };
  }

  private ssmIam(action: string, name: string): AwsCallRef {
    // A hierarchical name (/golden/failure_mode) already starts with the slash the ARN needs.
    return { action, resource: this.arn('ssm', `parameter${name.startsWith('/') ? '' : '/'}${name}`) };
  }
}
