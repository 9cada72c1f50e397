import { DescribeDBClustersCommand, DescribeDBInstancesCommand, type RDSClient } from '@aws-sdk/client-rds';
import { AwsCallError, awsCall, type AwsCallRef } from './aws-errors.js';

export interface DbClusterMember {
  instanceId: string;
  writer: boolean;
}

export interface DbCluster {
  id: string;
  status: string;
  engine: string;
  engineVersion: string | undefined;
  members: DbClusterMember[];
  /** Aurora Serverless v2: the most ACUs an instance may scale to (max_connections follows it). */
  serverlessMaxAcu: number | undefined;
  securityGroupIds: string[];
  subnetGroup: string | undefined;
}

export interface DbInstance {
  id: string;
  instanceClass: string;
  status: string;
  engine: string;
}

export async function describeDbCluster(
  client: RDSClient,
  roleArn: string | undefined,
  clusterId: string,
  iam: AwsCallRef,
  signal?: AbortSignal,
): Promise<DbCluster> {
  const res = await awsCall(iam, roleArn, () =>
    client.send(new DescribeDBClustersCommand({ DBClusterIdentifier: clusterId }), { abortSignal: signal }),
  );
  const c = res.DBClusters?.[0];
  if (!c) throw new AwsCallError('not-found', 'DBClusterNotFoundFault', iam, `DB cluster ${clusterId} not found`, undefined, undefined);
  return {
    id: c.DBClusterIdentifier ?? clusterId,
    status: c.Status ?? 'unknown',
    engine: c.Engine ?? 'unknown',
    engineVersion: c.EngineVersion,
    members: (c.DBClusterMembers ?? []).map((m) => ({ instanceId: m.DBInstanceIdentifier ?? '?', writer: m.IsClusterWriter ?? false })),
    serverlessMaxAcu: c.ServerlessV2ScalingConfiguration?.MaxCapacity,
    securityGroupIds: (c.VpcSecurityGroups ?? []).map((g) => g.VpcSecurityGroupId ?? '').filter(Boolean),
    subnetGroup: c.DBSubnetGroup,
  };
}

/** One instance by id, or every instance of a cluster (the `db-cluster-id` filter). */
export async function describeDbInstances(
  client: RDSClient,
  roleArn: string | undefined,
  which: { instanceId: string } | { clusterId: string },
  iam: AwsCallRef,
  signal?: AbortSignal,
): Promise<DbInstance[]> {
  const input =
    'instanceId' in which
      ? { DBInstanceIdentifier: which.instanceId }
      : { Filters: [{ Name: 'db-cluster-id', Values: [which.clusterId] }] };
  const res = await awsCall(iam, roleArn, () => client.send(new DescribeDBInstancesCommand(input), { abortSignal: signal }));
  return (res.DBInstances ?? []).map((i) => ({
    id: i.DBInstanceIdentifier ?? '?',
    instanceClass: i.DBInstanceClass ?? 'unknown',
    status: i.DBInstanceStatus ?? 'unknown',
    engine: i.Engine ?? 'unknown',
  }));
}
