import type { Evidence, Status } from '../../../domain/finding.js';
import type { Check } from '../../types.js';
import type { DbConnectionParams } from '../params.js';
import { awsFailure } from '../aws-finding.js';
import { minuteWindow } from '../metric-window.js';
import { rdsMetricCli } from '../cli.js';
import { round } from '../trend.js';

/** The dashboard's second metric: a cluster saturated on CPU holds connections longer, so they pile up. */
export const dbCpuCheck: Check<DbConnectionParams> = {
  id: 'db-cpu',
  title: 'Database CPU utilisation',
  timeoutMs: 15_000,
  skipUnless: (ctx) => (ctx.target.aws?.rds ? undefined : 'no aws.rds cluster in the catalog'),
  async run(ctx) {
    const aws = ctx.target.aws!;
    const cluster = aws.rds!.cluster;
    const p = ctx.params;
    const { start, end } = minuteWindow(p.lookbackMinutes);
    const evidence: Evidence[] = [
      {
        call: `CloudWatch GetMetricData AWS/RDS CPUUtilization DBClusterIdentifier=${cluster} Maximum+Average at 300 s, last ${p.lookbackMinutes} min (${aws.region})`,
        cli: rdsMetricCli(aws, 'CPUUtilization', p.lookbackMinutes, 300, 'Maximum,Average'),
      },
    ];
    try {
      const metric = (id: string, stat: string) => ({
        id,
        namespace: 'AWS/RDS',
        metricName: 'CPUUtilization',
        dimensions: { DBClusterIdentifier: cluster },
        stat,
        periodSeconds: 300,
      });
      const series = await ctx.integrations.aws().metricData([metric('cpuavg', 'Average'), metric('cpumax', 'Maximum')], { start, end }, ctx.signal);
      const avg = series.get('cpuavg')?.points ?? [];
      const max = series.get('cpumax')?.points ?? [];
      if (avg.length === 0) {
        return { status: 'unknown', summary: `no CPUUtilization datapoints for ${cluster} in the last ${p.lookbackMinutes} min`, evidence };
      }
      const current = avg[avg.length - 1]![1];
      const peak = Math.max(...max.map(([, v]) => v), current);
      const status: Status = current >= p.cpuCritPct ? 'crit' : current >= p.cpuWarnPct ? 'warn' : 'ok';
      return {
        status,
        summary: `CPU ${round(current)}% (last 5-min average), peak ${round(peak)}% in ${p.lookbackMinutes} min`,
        details: [{ kind: 'series', label: `CPUUtilization %, 5-min Average, ${cluster}`, points: avg, limit: 100 }],
        evidence,
        data: { current: round(current), peak: round(peak) },
      };
    } catch (err) {
      return awsFailure(err, evidence);
    }
  },
};
