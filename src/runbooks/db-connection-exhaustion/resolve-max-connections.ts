import type { AwsTarget } from '../../catalog/schema.js';
import type { Evidence } from '../../domain/finding.js';
import type { AwsTargetClient } from '../../integrations/aws/aws-target.js';
import { describeClusterCli, describeInstanceClassCli } from './cli.js';
import { isAwsError } from './aws-finding.js';
import { defaultMaxConnections } from './max-connections.js';

export interface MaxConnections {
  /** Undefined when neither the catalog nor the instance class says. */
  value: number | undefined;
  /** Where the number came from, in words, for the report. */
  source: string;
  fromCatalog: boolean;
}

/** The catalog's rds.maxConnections when given; otherwise derived from the writer's instance class. */
export async function resolveMaxConnections(
  aws: AwsTarget,
  client: AwsTargetClient,
  evidence: Evidence[],
  signal: AbortSignal,
): Promise<MaxConnections> {
  const rds = aws.rds!;
  if (rds.maxConnections !== undefined) {
    return { value: rds.maxConnections, source: 'catalog (rds.maxConnections)', fromCatalog: true };
  }
  evidence.push({
    call: `RDS DescribeDBClusters DBClusterIdentifier=${rds.cluster} (writer), then DescribeDBInstances of the writer (instance class)`,
    cli: describeClusterCli(aws),
  });
  try {
    const cluster = await client.describeDbCluster(rds.cluster, signal);
    const writer = cluster.members.find((m) => m.writer);
    if (!writer) return { value: undefined, source: `cluster ${rds.cluster} has no writer instance`, fromCatalog: false };
    evidence.push({ call: `RDS DescribeDBInstances DBInstanceIdentifier=${writer.instanceId}`, cli: describeInstanceClassCli(aws, writer.instanceId) });
    const [instance] = await client.describeDbInstances({ instanceId: writer.instanceId }, signal);
    if (!instance) return { value: undefined, source: `writer ${writer.instanceId} not found`, fromCatalog: false };
    const derived = defaultMaxConnections(cluster.engine, instance.instanceClass, cluster.serverlessMaxAcu);
    if (!derived) {
      return {
        value: undefined,
        source: `cannot derive max_connections for ${cluster.engine} ${instance.instanceClass}; set rds.maxConnections in the catalog`,
        fromCatalog: false,
      };
    }
    return {
      value: derived.maxConnections,
      source:
        `derived from writer ${writer.instanceId} (${instance.instanceClass}, ${derived.memoryGiB} GiB): ${derived.formula}` +
        ' — the Aurora PostgreSQL default; a parameter group that sets max_connections overrides it (then set rds.maxConnections)',
      fromCatalog: false,
    };
  } catch (err) {
    if (!isAwsError(err)) throw err;
    return { value: undefined, source: `unknown: ${err.message}${err.hint ? ` (${err.hint})` : ''}`, fromCatalog: false };
  }
}
