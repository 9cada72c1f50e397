import type { Evidence, Status } from '../../../domain/finding.js';
import type { MetricQuery } from '../../../integrations/aws/cloudwatch-metrics.js';
import type { Check, RunbookContext } from '../../types.js';
import type { DbConnectionParams } from '../params.js';
import { awsFailure } from '../aws-finding.js';
import { minuteWindow } from '../metric-window.js';
import { rdsMetricCli } from '../cli.js';
import { round } from '../trend.js';

/**
 * The dashboard's second metric: a database saturated on CPU holds connections longer, so they pile up.
 *
 * On Aurora the cluster dimension alone aggregates the instances: its Average is the mean over instances, so a
 * pegged writer beside an idle reader reads about 50 %. The application writes through the cluster endpoint, so
 * the writer is judged (DBClusterIdentifier + Role=WRITER, as db-connections does); the cluster dimension's
 * Maximum, the busiest instance, comes in the same GetMetricData call and is shown beside it.
 */
export const dbCpuCheck: Check<DbConnectionParams> = {
  id: 'db-cpu',
  title: 'Database CPU utilisation',
  timeoutMs: 15_000,
  skipUnless: (ctx) => (ctx.target.aws?.rds ? undefined : 'no aws.rds cluster in the catalog'),
  evidence: (ctx) => cpuEvidence(ctx),
  async run(ctx) {
    const aws = ctx.target.aws!;
    const cluster = aws.rds!.cluster;
    const p = ctx.params;
    const evidence = cpuEvidence(ctx);
    try {
      const metric = (id: string, stat: string, writer: boolean): MetricQuery => ({
        id,
        namespace: 'AWS/RDS',
        metricName: 'CPUUtilization',
        dimensions: writer ? { DBClusterIdentifier: cluster, Role: 'WRITER' } : { DBClusterIdentifier: cluster },
        stat,
        periodSeconds: 300,
      });
      const series = await ctx.integrations
        .aws()
        .metricData(
          [metric('writeravg', 'Average', true), metric('writermax', 'Maximum', true), metric('busiestmax', 'Maximum', false)],
          minuteWindow(p.lookbackMinutes),
          ctx.signal,
        );
      const avg = series.get('writeravg')?.points ?? [];
      const max = series.get('writermax')?.points ?? [];
      const busiest = series.get('busiestmax')?.points ?? [];
      if (avg.length === 0) {
        return {
          status: 'unknown',
          summary: `no CPUUtilization datapoints for the writer of ${cluster} (Role=WRITER) in the last ${p.lookbackMinutes} min (is the cluster id right?)`,
          evidence,
        };
      }
      const [currentAt, current] = avg[avg.length - 1]!;
      const peak = Math.max(...max.map(([, v]) => v), current);
      // The busiest instance in the same 5 minutes, and over the window: shown, not judged.
      const busiestNow = busiest.find(([t]) => t === currentAt)?.[1];
      const busiestPeak = busiest.length > 0 ? Math.max(...busiest.map(([, v]) => v)) : undefined;
      const status: Status = current >= p.cpuCritPct ? 'crit' : current >= p.cpuWarnPct ? 'warn' : 'ok';
      // Above the writer's own Maximum in those 5 minutes: another instance (a reader) was busier.
      const writerMaxNow = max.find(([t]) => t === currentAt)?.[1];
      const readerHotter =
        busiestNow !== undefined && writerMaxNow !== undefined && busiestNow > writerMaxNow && busiestNow >= p.cpuWarnPct;
      return {
        status,
        summary:
          `writer CPU ${round(current)}% (last 5-min average), peak ${round(peak)}% in ${p.lookbackMinutes} min` +
          (busiestPeak !== undefined ? `; busiest instance peak ${round(busiestPeak)}%` : '') +
          (readerHotter ? `; another instance reached ${round(busiestNow)}% in the last 5 min, more than the writer` : ''),
        details: [
          { kind: 'series', label: `CPUUtilization %, writer, 5-min Average, ${cluster}`, points: avg, limit: 100 },
          ...(busiest.length > 0
            ? [{ kind: 'series' as const, label: `CPUUtilization %, busiest instance, 5-min Maximum, ${cluster}`, points: busiest, limit: 100 }]
            : []),
        ],
        evidence,
        data: {
          current: round(current),
          currentAt,
          peak: round(peak),
          busiestCurrent: busiestNow === undefined ? undefined : round(busiestNow),
          busiestPeak: busiestPeak === undefined ? undefined : round(busiestPeak),
        },
      };
    } catch (err) {
      return awsFailure(err, evidence);
    }
  },
};

function cpuEvidence(ctx: RunbookContext<DbConnectionParams>): Evidence[] {
  const aws = ctx.target.aws!;
  const cluster = aws.rds!.cluster;
  const p = ctx.params;
  return [
    {
      call:
        `CloudWatch GetMetricData AWS/RDS CPUUtilization DBClusterIdentifier=${cluster} Role=WRITER Average+Maximum at 300 s, ` +
        `last ${p.lookbackMinutes} min (${aws.region})`,
      cli: rdsMetricCli(aws, 'CPUUtilization', p.lookbackMinutes, 300, 'Average,Maximum', 'WRITER'),
    },
    {
      call: `CloudWatch GetMetricData AWS/RDS CPUUtilization DBClusterIdentifier=${cluster} Maximum at 300 s (the busiest instance), same call`,
      cli: rdsMetricCli(aws, 'CPUUtilization', p.lookbackMinutes, 300, 'Maximum'),
    },
  ];
}
