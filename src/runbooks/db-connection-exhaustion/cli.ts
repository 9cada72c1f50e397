import type { AwsTarget } from '../../catalog/schema.js';

/**
 * The runbook's `aws ...` commands with this env's names filled in, for evidence and plans: a person can re-run
 * exactly what connbot asked. Never executed by connbot (it uses the SDK); quoted so a copy-paste is safe.
 */
export function sh(value: string): string {
  return /^[A-Za-z0-9_\-./:=,@+]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

const NL = ' \\\n  ';

function since(minutes: number): string {
  // The runbook writes `date --iso-8601`, which prints the date only (midnight); seconds keep the window exact.
  return `--start-time $(date -u -d '${minutes} minutes ago' --iso-8601=seconds) --end-time $(date -u --iso-8601=seconds)`;
}

/**
 * `role: 'WRITER'` adds Aurora's Role dimension: the writer instance alone. Without it the cluster dimension
 * aggregates every instance, so Maximum is the busiest instance, Average the mean over instances and, at a 60 s
 * period (one sample per instance per minute), Sum the total across instances.
 */
export function rdsMetricCli(
  aws: AwsTarget,
  metric: string,
  lookbackMinutes: number,
  periodSeconds: number,
  stats: string,
  role?: 'WRITER' | 'READER',
): string {
  return [
    `aws cloudwatch get-metric-statistics --region ${aws.region}`,
    `--namespace AWS/RDS --metric-name ${metric}`,
    `--dimensions Name=DBClusterIdentifier,Value=${sh(aws.rds?.cluster ?? '')}${role ? ` Name=Role,Value=${role}` : ''}`,
    since(lookbackMinutes),
    `--period ${periodSeconds} --statistics ${stats}`,
  ].join(NL);
}

export function runningTasksCli(aws: AwsTarget, lookbackMinutes: number): string {
  return [
    `aws cloudwatch get-metric-statistics --region ${aws.region}`,
    `--namespace ECS/ContainerInsights --metric-name RunningTaskCount`,
    `--dimensions Name=ClusterName,Value=${sh(aws.ecs?.cluster ?? '')} Name=ServiceName,Value=${sh(aws.ecs?.service ?? '')}`,
    since(lookbackMinutes),
    `--period 60 --statistics Average`,
  ].join(NL);
}

export function metricWidgetCli(aws: AwsTarget, widget: object): string {
  return [
    `aws cloudwatch get-metric-widget-image --region ${aws.region}`,
    `--metric-widget ${sh(JSON.stringify(widget))}`,
    `--output-format png --query MetricWidgetImage --output text | base64 -d > db-connections.png`,
  ].join(NL);
}

export function describeClusterCli(aws: AwsTarget): string {
  return [
    `aws rds describe-db-clusters --region ${aws.region}`,
    `--db-cluster-identifier ${sh(aws.rds?.cluster ?? '')}`,
    `--query 'DBClusters[0].{Status:Status,Engine:Engine,Members:DBClusterMembers}'`,
  ].join(NL);
}

export function describeInstanceClassCli(aws: AwsTarget, instanceId: string): string {
  return [
    `aws rds describe-db-instances --region ${aws.region}`,
    `--db-instance-identifier ${sh(instanceId)}`,
    `--query 'DBInstances[0].DBInstanceClass'`,
  ].join(NL);
}

export function describeClusterInstancesCli(aws: AwsTarget): string {
  return [
    `aws rds describe-db-instances --region ${aws.region}`,
    `--filters Name=db-cluster-id,Values=${sh(aws.rds?.cluster ?? '')}`,
    `--query 'DBInstances[*].{Id:DBInstanceIdentifier,Class:DBInstanceClass,Status:DBInstanceStatus}'`,
  ].join(NL);
}

export function describeServiceCli(aws: AwsTarget, query = `'services[0].{Running:runningCount,Desired:desiredCount,Pending:pendingCount}'`): string {
  return [
    `aws ecs describe-services --region ${aws.region}`,
    `--cluster ${sh(aws.ecs?.cluster ?? '')}`,
    `--services ${sh(aws.ecs?.service ?? '')}`,
    `--query ${query}`,
  ].join(NL);
}

export function getParameterCli(aws: AwsTarget): string {
  return `aws ssm get-parameter --region ${aws.region} --name ${sh(aws.ssm?.failureModeParameter ?? '')} --query 'Parameter.Value'`;
}

export function putParameterCli(aws: AwsTarget, value: string): string {
  return [
    `aws ssm put-parameter --region ${aws.region}`,
    `--name ${sh(aws.ssm?.failureModeParameter ?? '')}`,
    `--value ${sh(value)} --type String --overwrite`,
  ].join(NL);
}

export function startQueryCli(aws: AwsTarget, windowMinutes: number, queryString: string): string {
  return [
    `aws logs start-query --region ${aws.region}`,
    `--log-group-name ${sh(aws.logs?.group ?? '')}`,
    `--start-time $(date -d '${windowMinutes} minutes ago' +%s) --end-time $(date +%s)`,
    `--query-string ${sh(queryString)}`,
  ].join(NL);
}

export function forceDeploymentCli(aws: AwsTarget): string {
  return [
    `aws ecs update-service --region ${aws.region}`,
    `--cluster ${sh(aws.ecs?.cluster ?? '')}`,
    `--service ${sh(aws.ecs?.service ?? '')}`,
    `--force-new-deployment`,
  ].join(NL);
}

export function desiredCountCli(aws: AwsTarget, desiredCount: number): string {
  return [
    `aws ecs update-service --region ${aws.region}`,
    `--cluster ${sh(aws.ecs?.cluster ?? '')}`,
    `--service ${sh(aws.ecs?.service ?? '')}`,
    `--desired-count ${desiredCount}`,
  ].join(NL);
}

/**
 * The runbook's "Monitor deployment progress", which is what connbot polls after a change: the deployment the
 * change created until it is COMPLETED or FAILED, or gone (rolled back). Not `aws ecs wait services-stable`:
 * that waiter has no rule for a FAILED rollout and calls a rolled-back service stable.
 */
export function watchDeploymentCli(aws: AwsTarget): string {
  return describeServiceCli(
    aws,
    `'services[0].deployments[*].{Id:id,Status:status,Rollout:rolloutState,Reason:rolloutStateReason,Running:runningCount,Desired:desiredCount}'`,
  );
}

/** The step's command under its older name (plans written by other remediations still call it). */
export const waitStableCli = watchDeploymentCli;
