import type { DetailBlock, Evidence, Status } from '../../../domain/finding.js';
import type { MetricQuery } from '../../../integrations/aws/cloudwatch-metrics.js';
import { errorMessage } from '../../../errors.js';
import type { Check } from '../../types.js';
import type { DbConnectionParams } from '../params.js';
import { awsFailure } from '../aws-finding.js';
import { minuteWindow } from '../metric-window.js';
import { metricWidgetCli, rdsMetricCli } from '../cli.js';
import { connectionsWidget } from '../connections-chart.js';
import { resolveMaxConnections } from '../resolve-max-connections.js';
import { estimateTimeToExhaustion, linearTrend, mean, round } from '../trend.js';

/**
 * Runbook steps 1, 3 and 4: DatabaseConnections over the last hour (Maximum and Average, at 1 and 5 minutes)
 * against max_connections, the climb (least squares) and when the limit is reached at that rate.
 */
export const dbConnectionsCheck: Check<DbConnectionParams> = {
  id: 'db-connections',
  title: 'Database connections vs max_connections',
  timeoutMs: 20_000,
  skipUnless: (ctx) => (ctx.target.aws?.rds ? undefined : 'no aws.rds cluster in the catalog'),
  async run(ctx) {
    const aws = ctx.target.aws!;
    const cluster = aws.rds!.cluster;
    const p = ctx.params;
    const client = ctx.integrations.aws();
    const { start, end } = minuteWindow(p.lookbackMinutes);
    const query = (id: string, stat: string, periodSeconds: number): MetricQuery => ({
      id,
      namespace: 'AWS/RDS',
      metricName: 'DatabaseConnections',
      dimensions: { DBClusterIdentifier: cluster },
      stat,
      periodSeconds,
    });
    const evidence: Evidence[] = [
      {
        call: `CloudWatch GetMetricData AWS/RDS DatabaseConnections DBClusterIdentifier=${cluster} Maximum+Average at 60 s and 300 s, last ${p.lookbackMinutes} min (${aws.region})`,
        cli: rdsMetricCli(aws, 'DatabaseConnections', p.lookbackMinutes, 300, 'Maximum,Average'),
      },
    ];
    try {
      const [series, limit] = await Promise.all([
        client.metricData([query('max1m', 'Maximum', 60), query('avg1m', 'Average', 60), query('max5m', 'Maximum', 300), query('avg5m', 'Average', 300)], { start, end }, ctx.signal),
        resolveMaxConnections(aws, client, evidence, ctx.signal),
      ]);
      const max1m = series.get('max1m')?.points ?? [];
      const avg1m = series.get('avg1m')?.points ?? [];
      const max5m = series.get('max5m')?.points ?? [];
      const avg5m = series.get('avg5m')?.points ?? [];
      if (max1m.length === 0) {
        return {
          status: 'unknown',
          summary: `no DatabaseConnections datapoints for ${cluster} in the last ${p.lookbackMinutes} min (is the cluster id right?)`,
          evidence,
          data: { maxConnections: limit.value, maxConnectionsSource: limit.source },
        };
      }
      const current = max1m[max1m.length - 1]![1];
      const peak = Math.max(...max1m.map(([, v]) => v));
      const trend = max1m.length >= p.trendMinPoints ? linearTrend(max1m) : undefined;
      const climbing = trend !== undefined && trend.slopePerMinute >= p.climbMinPerMinute && trend.r2 >= p.climbMinR2;
      const etaMinutes = climbing && limit.value !== undefined ? estimateTimeToExhaustion(current, limit.value, trend.slopePerMinute) : undefined;
      const utilisationPct = limit.value ? (current / limit.value) * 100 : undefined;
      const churnPct = churn(max1m, avg1m);

      const status = judge(p, utilisationPct, etaMinutes);
      const trendText = !trend
        ? `too few points for a trend (${max1m.length} < ${p.trendMinPoints})`
        : `${trend.slopePerMinute >= 0 ? '+' : ''}${round(trend.slopePerMinute, 2)}/min (R² ${round(trend.r2, 2)})${climbing ? ', a steady climb' : ''}`;
      const etaText = etaMinutes === undefined ? '' : `; at this rate the limit is reached in ~${Math.round(etaMinutes)} min`;
      const ofLimit = limit.value ? ` of ${limit.value} (${round(utilisationPct!)}%)` : ' (max_connections unknown)';

      const details: DetailBlock[] = [
        {
          kind: 'series',
          label: `DatabaseConnections, 1-min Maximum, ${cluster}`,
          points: max1m,
          ...(limit.value !== undefined ? { limit: limit.value } : {}),
        },
        {
          kind: 'table',
          caption: `DatabaseConnections, ${cluster}, 5-minute periods`,
          columns: ['time (UTC)', 'Maximum', 'Average'],
          rows: max5m.map(([t, v]) => [
            new Date(t).toISOString().slice(11, 16),
            String(round(v)),
            String(round(avg5m.find(([ta]) => ta === t)?.[1] ?? NaN)),
          ]),
        },
        {
          kind: 'text',
          text:
            `Now ${current}${ofLimit}, peak ${peak} in ${p.lookbackMinutes} min. Trend ${trendText}${etaText}.\n` +
            `max_connections: ${limit.source}.\n` +
            (churnPct !== undefined ? `Within-minute churn (1-min Maximum over Average): ${round(churnPct)}%.` : ''),
        },
      ];
      const image = await chart(ctx, limit.value, evidence);
      if (typeof image === 'string') details.push({ kind: 'text', text: image });
      else details.push(image);

      return {
        status,
        summary: `${current} connections${ofLimit}, ${climbing ? `climbing ${round(trend.slopePerMinute, 1)}/min` : 'not climbing'}${etaText}`,
        details,
        evidence,
        data: {
          current,
          peak,
          average: round(mean(avg1m.map(([, v]) => v))),
          maxConnections: limit.value,
          maxConnectionsSource: limit.source,
          utilisationPct: utilisationPct === undefined ? undefined : round(utilisationPct),
          slopePerMinute: trend ? round(trend.slopePerMinute, 3) : undefined,
          r2: trend ? round(trend.r2, 3) : undefined,
          climbing,
          etaMinutes: etaMinutes === undefined ? undefined : round(etaMinutes),
          churnPct: churnPct === undefined ? undefined : round(churnPct),
        },
      };
    } catch (err) {
      return awsFailure(err, evidence);
    }
  },
};

function judge(p: DbConnectionParams, utilisationPct: number | undefined, etaMinutes: number | undefined): Status {
  if (utilisationPct === undefined) return 'unknown';
  if (utilisationPct >= p.connectionsCritPct || (etaMinutes !== undefined && etaMinutes <= p.exhaustionEtaCritMinutes)) return 'crit';
  if (utilisationPct >= p.connectionsWarnPct || (etaMinutes !== undefined && etaMinutes <= p.exhaustionEtaWarnMinutes)) return 'warn';
  return 'ok';
}

/** Mean of (Maximum − Average) / Average per minute: connections that live less than a minute. */
function churn(max1m: Array<[number, number]>, avg1m: Array<[number, number]>): number | undefined {
  const avgAt = new Map(avg1m);
  const shares = max1m.flatMap(([t, max]) => {
    const avg = avgAt.get(t);
    return avg && avg > 0 ? [((max - avg) / avg) * 100] : [];
  });
  return shares.length > 0 ? mean(shares) : undefined;
}

/** The chart is a convenience: when CloudWatch cannot render it, the finding stands and says why. */
async function chart(
  ctx: Parameters<Check<DbConnectionParams>['run']>[0],
  maxConnections: number | undefined,
  evidence: Evidence[],
): Promise<DetailBlock | string> {
  const aws = ctx.target.aws!;
  const widget = connectionsWidget({
    region: aws.region,
    cluster: aws.rds!.cluster,
    lookbackMinutes: ctx.params.lookbackMinutes,
    maxConnections,
    warnPct: ctx.params.connectionsWarnPct,
  });
  evidence.push({ call: 'CloudWatch GetMetricWidgetImage (DatabaseConnections with max_connections annotated)', cli: metricWidgetCli(aws, widget) });
  try {
    const pngBase64 = await ctx.integrations.aws().metricWidgetImage(widget, ctx.signal);
    return {
      kind: 'image',
      title: `DatabaseConnections — ${aws.rds!.cluster}`,
      pngBase64,
      altText: `DatabaseConnections over the last ${ctx.params.lookbackMinutes} minutes${maxConnections ? ` against max_connections ${maxConnections}` : ''}`,
    };
  } catch (err) {
    return `Chart unavailable: ${errorMessage(err)}`;
  }
}
