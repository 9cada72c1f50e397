import type { AwsTarget } from '../../../catalog/schema.js';
import type { Evidence, Status } from '../../../domain/finding.js';
import type { Check } from '../../types.js';
import type { DbConnectionParams } from '../params.js';
import { awsFailure } from '../aws-finding.js';
import { describeClusterCli, describeClusterInstancesCli } from '../cli.js';

/** Runbook step 3, "Check database cluster status": the cluster and each member instance. */
export const dbClusterCheck: Check<DbConnectionParams> = {
  id: 'db-cluster',
  title: 'Aurora cluster status',
  timeoutMs: 15_000,
  skipUnless: (ctx) => (ctx.target.aws?.rds ? undefined : 'no aws.rds cluster in the catalog'),
  evidence: (ctx) => clusterEvidence(ctx.target.aws!),
  async run(ctx) {
    const aws = ctx.target.aws!;
    const id = aws.rds!.cluster;
    const client = ctx.integrations.aws();
    const evidence = clusterEvidence(aws);
    try {
      const [cluster, instances] = await Promise.all([
        client.describeDbCluster(id, ctx.signal),
        client.describeDbInstances({ clusterId: id }, ctx.signal),
      ]);
      const byId = new Map(instances.map((i) => [i.id, i]));
      const members = cluster.members.map((m) => ({
        id: m.instanceId,
        role: m.writer ? 'writer' : 'reader',
        instanceClass: byId.get(m.instanceId)?.instanceClass ?? '?',
        status: byId.get(m.instanceId)?.status ?? '?',
      }));
      const unwell = members.filter((m) => m.status !== 'available');
      const writer = members.find((m) => m.role === 'writer');
      const status: Status = cluster.status !== 'available' ? 'crit' : unwell.length > 0 || !writer ? 'warn' : 'ok';
      const summary =
        cluster.status !== 'available'
          ? `cluster ${id} is ${cluster.status}, not available`
          : !writer
            ? `cluster ${id} is available but has no writer`
            : `cluster ${id} available (${cluster.engine} ${cluster.engineVersion ?? ''}), ${members.length} member(s)` +
              (unwell.length > 0 ? `; not available: ${unwell.map((m) => `${m.id} ${m.status}`).join(', ')}` : '');
      return {
        status,
        summary,
        details: [
          {
            kind: 'table',
            caption: `Members of ${id}`,
            columns: ['instance', 'role', 'class', 'status'],
            rows: members.map((m) => [m.id, m.role, m.instanceClass, m.status]),
          },
        ],
        evidence,
        data: {
          status: cluster.status,
          engine: cluster.engine,
          writer: writer?.id,
          writerClass: writer?.instanceClass,
          members,
          securityGroupIds: cluster.securityGroupIds,
          subnetGroup: cluster.subnetGroup,
        },
      };
    } catch (err) {
      return awsFailure(err, evidence);
    }
  },
};

function clusterEvidence(aws: AwsTarget): Evidence[] {
  const id = aws.rds!.cluster;
  return [
    { call: `RDS DescribeDBClusters DBClusterIdentifier=${id} (${aws.region})`, cli: describeClusterCli(aws) },
    { call: `RDS DescribeDBInstances Filters=[db-cluster-id=${id}]`, cli: describeClusterInstancesCli(aws) },
  ];
}
