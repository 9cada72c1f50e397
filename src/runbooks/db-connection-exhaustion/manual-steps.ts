import type { FindingsById, ManualStep, RunbookContext } from '../types.js';
import type { DbConnectionParams } from './params.js';
import { sh } from './cli.js';
import { measured, num } from './findings.js';

/**
 * The runbook's long-term solutions, which no remediation button should take: with this env's names, region,
 * account and security groups filled in where connbot knows them, `<placeholders>` where it cannot.
 */
export function manualSteps(ctx: RunbookContext<DbConnectionParams>, findings: FindingsById): ManualStep[] {
  const aws = ctx.target.aws;
  if (!aws?.rds) return [];
  const { service, env } = ctx;
  const region = aws.region;
  const account = aws.roleArn?.match(/:iam::(\d{12}):/)?.[1] ?? '<account-id>';
  const cluster = measured(findings, 'db-cluster');
  const engine = typeof cluster?.engine === 'string' ? cluster.engine : 'aurora-postgresql';
  const sgs = Array.isArray(cluster?.securityGroupIds) && cluster.securityGroupIds.length > 0 ? cluster.securityGroupIds.map(String) : ['<sg-id>'];
  const subnetGroup = typeof cluster?.subnetGroup === 'string' ? cluster.subnetGroup : undefined;
  const subnets = subnetGroup
    ? `$(aws rds describe-db-subnet-groups --region ${region} --db-subnet-group-name ${sh(subnetGroup)} --query 'DBSubnetGroups[0].Subnets[].SubnetIdentifier' --output text)`
    : '<subnet-id-1> <subnet-id-2>';
  const proxy = `${service}-proxy-${env}`;
  const maxConnections = num(measured(findings, 'db-connections'), 'maxConnections') ?? aws.rds.maxConnections;
  const warnPct = ctx.params.connectionsWarnPct;
  const threshold = maxConnections ? Math.floor((maxConnections * warnPct) / 100) : undefined;
  const maxTasks = aws.ecs?.maxTasks;
  const perTaskBudget = maxConnections && maxTasks ? Math.floor((maxConnections * warnPct) / 100 / maxTasks) : undefined;
  // The runbook's 10 + 20, shrunk (a third kept open, the rest overflow) when the budget is smaller.
  const poolSize = perTaskBudget === undefined ? 10 : Math.max(1, Math.min(10, Math.floor(perTaskBudget / 3)));
  const maxOverflow = perTaskBudget === undefined ? 20 : Math.max(0, Math.min(20, perTaskBudget - poolSize));

  return [
    {
      title: 'Put RDS Proxy in front of the cluster (connection pooling)',
      why: 'The proxy multiplexes many application connections onto a few database connections, so task count and per-request connections stop driving max_connections.',
      commands: [
        [
          `aws rds create-db-proxy --region ${region}`,
          `--db-proxy-name ${sh(proxy)}`,
          `--engine-family ${engine.includes('mysql') ? 'MYSQL' : 'POSTGRESQL'}`,
          `--auth Description="Proxy authentication",AuthScheme=SECRETS,SecretArn=arn:aws:secretsmanager:${region}:${account}:secret:${service}/db-credentials/${env}`,
          `--role-arn arn:aws:iam::${account}:role/rds-proxy-role-${env}`,
          `--vpc-subnet-ids ${subnets}`,
          `--vpc-security-group-ids ${sgs.join(' ')}`,
        ].join(' \\\n  '),
        `aws rds register-db-proxy-targets --region ${region} --db-proxy-name ${sh(proxy)} --db-cluster-identifiers ${sh(aws.rds.cluster)}`,
        `# then point the application at the proxy endpoint instead of the cluster endpoint`,
      ],
    },
    {
      title: 'Alarm before the limit, not at it',
      why:
        `The runbook's enhanced alarm uses --threshold 80, a raw count; ${threshold ? `${warnPct}% of max_connections ${maxConnections} is ${threshold}` : `set it to ${warnPct}% of max_connections`}.`,
      commands: [
        [
          `aws cloudwatch put-metric-alarm --region ${region}`,
          `--alarm-name ${sh(`${service}-rds-connections-warning-${env}`)}`,
          `--alarm-description "RDS connection usage approaching limit"`,
          `--metric-name DatabaseConnections --namespace AWS/RDS --statistic Maximum --period 300`,
          `--threshold ${threshold ?? `<${warnPct}% of max_connections>`} --comparison-operator GreaterThanThreshold`,
          `--dimensions Name=DBClusterIdentifier,Value=${sh(aws.rds.cluster)}`,
          `--evaluation-periods 2`,
          `--alarm-actions arn:aws:sns:${region}:${account}:${service}-alarms`,
        ].join(' \\\n  '),
      ],
    },
    {
      title: 'Pool connections in the application',
      why:
        'Open a bounded pool per task, close (return) connections after use, set connect and idle timeouts, retry with backoff.' +
        (perTaskBudget ? ` At ecs.maxTasks ${maxTasks}, each task may hold at most ${perTaskBudget} connections to stay under ${warnPct}% of ${maxConnections}.` : ''),
      commands: [
        `# SQLAlchemy, as in the runbook: pool_size + max_overflow is the most one task holds${perTaskBudget ? ` (budget ${perTaskBudget})` : ''}`,
        `engine = create_engine(url, poolclass=QueuePool, pool_size=${poolSize}, max_overflow=${maxOverflow}, pool_pre_ping=True, pool_recycle=3600, pool_timeout=30)`,
      ],
    },
  ];
}
