import type { DetailBlock, Evidence, Status } from '../../../domain/finding.js';
import type { MetricQuery, MetricSeries } from '../../../integrations/aws/cloudwatch-metrics.js';
import { errorMessage } from '../../../errors.js';
import type { Check, RunbookContext } from '../../types.js';
import type { DbConnectionParams } from '../params.js';
import { clock, rolloutUnderVerification } from '../after-change.js';
import { awsFailure } from '../aws-finding.js';
import { minuteWindow } from '../metric-window.js';
import { metricWidgetCli, rdsMetricCli } from '../cli.js';
import { connectionsWidget } from '../connections-chart.js';
import { resolveMaxConnections } from '../resolve-max-connections.js';
import { estimateTimeToExhaustion, linearTrend, round } from '../trend.js';
import { pause } from '../../../domain/pause.js';
import { NoAnswerError, within } from '../wait.js';

type Ctx = RunbookContext<DbConnectionParams>;

/** The most any one AWS call of this check may take (the whole check's limit before verification waits). */
const CALL_LIMIT_MS = 20_000;

/**
 * Runbook steps 1, 3 and 4: DatabaseConnections over the last hour against max_connections, the climb (least
 * squares) and when the limit is reached at that rate.
 *
 * The runbook asks for the cluster dimension alone, but on an Aurora cluster that aggregates the instances:
 * Maximum is the busiest instance, Average the mean over instances. max_connections is a per-instance limit and
 * the application writes through the cluster endpoint, so the limit is compared with the writer
 * (DBClusterIdentifier + Role=WRITER). The total over every instance is the cluster dimension's Sum at a 60 s
 * period (each instance publishes one sample a minute).
 *
 * When it re-runs to verify a remediation (ctx.afterRemediation, whose execution result says when the change
 * finished; see after-change.ts) only datapoints for minutes starting at or after the change finished count;
 * RDS publishes about a minute late, so the check polls for the first one (postChangeWaitSeconds) and otherwise
 * says there is none yet.
 */
export const dbConnectionsCheck: Check<DbConnectionParams> = {
  id: 'db-connections',
  title: 'Database connections vs max_connections',
  // A verification run may wait for the first datapoint after the change; each call has its own CALL_LIMIT_MS,
  // so a hung call ends the check as fast as before.
  timeoutMs: (p) => 2 * CALL_LIMIT_MS + p.postChangeWaitSeconds * 1000 + 5_000,
  skipUnless: (ctx) => (ctx.target.aws?.rds ? undefined : 'no aws.rds cluster in the catalog'),
  evidence: (ctx) => connectionsEvidence(ctx),
  async run(ctx) {
    const aws = ctx.target.aws!;
    const cluster = aws.rds!.cluster;
    const p = ctx.params;
    const client = ctx.integrations.aws();
    const since = rolloutUnderVerification(ctx)?.finishedAt;
    const query = (id: string, stat: string, periodSeconds: number, writer: boolean): MetricQuery => ({
      id,
      namespace: 'AWS/RDS',
      metricName: 'DatabaseConnections',
      dimensions: writer ? { DBClusterIdentifier: cluster, Role: 'WRITER' } : { DBClusterIdentifier: cluster },
      stat,
      periodSeconds,
    });
    const queries = [
      query('writer1m', 'Maximum', 60, true),
      query('writermax5m', 'Maximum', 300, true),
      query('writeravg5m', 'Average', 300, true),
      query('total1m', 'Sum', 60, false),
    ];
    const evidence = connectionsEvidence(ctx);
    const fetch = () =>
      within(CALL_LIMIT_MS, 'CloudWatch GetMetricData', ctx.signal, (signal) => client.metricData(queries, minuteWindow(p.lookbackMinutes), signal));
    try {
      const [first, limit] = await Promise.all([
        fetch(),
        within(CALL_LIMIT_MS, 'RDS DescribeDBClusters/DescribeDBInstances (max_connections)', ctx.signal, (signal) =>
          resolveMaxConnections(aws, client, evidence, signal),
        ),
      ]);
      let series = first;
      let polls = 1;
      const waitStarted = Date.now();
      if (since !== undefined) {
        const deadline = waitStarted + p.postChangeWaitSeconds * 1000;
        const pollMs = p.postChangePollSeconds * 1000;
        while (!points(series, 'writer1m').some(([t]) => t >= since) && Date.now() + pollMs <= deadline && !ctx.signal.aborted) {
          await pause(pollMs, ctx.signal);
          series = await fetch();
          polls += 1;
        }
      }
      const all = points(series, 'writer1m');
      const total = points(series, 'total1m');
      const max5m = points(series, 'writermax5m');
      const avg5m = points(series, 'writeravg5m');
      if (all.length === 0) {
        return {
          status: 'unknown',
          summary: `no DatabaseConnections datapoints for the writer of ${cluster} (Role=WRITER) in the last ${p.lookbackMinutes} min (is the cluster id right?)`,
          evidence,
          data: { maxConnections: limit.value, maxConnectionsSource: limit.source },
        };
      }
      const newestAt = all[all.length - 1]![0];
      // Verification: the minutes that started at or after the change finished, and nothing else.
      const writer = since === undefined ? all : all.filter(([t]) => t >= since);
      if (writer.length === 0) {
        const waited = Math.round((Date.now() - waitStarted) / 1000);
        return {
          status: 'unknown',
          summary:
            `no post-change datapoint yet: the change finished at ${clock(since!)} UTC and the newest DatabaseConnections ` +
            `datapoint is for the minute from ${clock(newestAt).slice(0, 5)} UTC (RDS publishes each minute about a minute late; ` +
            `asked ${polls} time(s) over ${waited} s)`,
          evidence,
          data: {
            postChange: false,
            changeFinishedAt: since,
            newestDatapointAt: newestAt,
            maxConnections: limit.value,
            maxConnectionsSource: limit.source,
          },
        };
      }
      const [currentAt, current] = writer[writer.length - 1]!;
      const totalNow = total.find(([t]) => t === currentAt)?.[1];
      const peak = Math.max(...writer.map(([, v]) => v));
      const trend = writer.length >= p.trendMinPoints ? linearTrend(writer) : undefined;
      const climbing = trend !== undefined && trend.slopePerMinute >= p.climbMinPerMinute && trend.r2 >= p.climbMinR2;
      const etaMinutes = climbing && limit.value !== undefined ? estimateTimeToExhaustion(current, limit.value, trend.slopePerMinute) : undefined;
      const utilisationPct = limit.value ? (current / limit.value) * 100 : undefined;

      const status = judge(p, utilisationPct, etaMinutes);
      const trendText = !trend
        ? `too few points for a trend (${writer.length} < ${p.trendMinPoints})`
        : `${trend.slopePerMinute >= 0 ? '+' : ''}${round(trend.slopePerMinute, 2)}/min (R² ${round(trend.r2, 2)})${climbing ? ', a steady climb' : ''}`;
      const etaText = etaMinutes === undefined ? '' : `; at this rate the limit is reached in ~${Math.round(etaMinutes)} min`;
      const ofLimit = limit.value ? ` of ${limit.value} (${round(utilisationPct!)}%)` : ' (max_connections unknown)';
      const window =
        since === undefined
          ? `in ${p.lookbackMinutes} min`
          : `in the ${writer.length} minute(s) since the change finished at ${clock(since)} UTC`;

      const details: DetailBlock[] = [
        {
          kind: 'series',
          label: `DatabaseConnections, writer, 1-min Maximum, ${cluster}${since === undefined ? '' : ', after the change'}`,
          points: writer,
          ...(limit.value !== undefined ? { limit: limit.value } : {}),
        },
        {
          kind: 'table',
          caption: `DatabaseConnections, writer of ${cluster}, 5-minute periods`,
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
            `Writer now ${current}${ofLimit} (minute from ${clock(currentAt).slice(0, 5)} UTC), peak ${peak} ${window}. Trend ${trendText}${etaText}.\n` +
            (totalNow !== undefined ? `All instances together: ${round(totalNow)} connections (cluster Sum, 1 min).\n` : '') +
            `max_connections (per instance): ${limit.source}.`,
        },
      ];
      const image = await chart(ctx, limit.value, evidence);
      if (typeof image === 'string') details.push({ kind: 'text', text: image });
      else details.push(image);

      return {
        status,
        summary:
          `${current} connections${ofLimit} on the writer${since === undefined ? '' : ` after the change (minute from ${clock(currentAt).slice(0, 5)} UTC)`}, ` +
          `${climbing ? `climbing ${round(trend.slopePerMinute, 1)}/min` : 'not climbing'}${etaText}`,
        details,
        evidence,
        data: {
          current,
          currentAt,
          peak,
          totalCurrent: totalNow,
          maxConnections: limit.value,
          maxConnectionsSource: limit.source,
          utilisationPct: utilisationPct === undefined ? undefined : round(utilisationPct),
          slopePerMinute: trend ? round(trend.slopePerMinute, 3) : undefined,
          r2: trend ? round(trend.r2, 3) : undefined,
          climbing,
          etaMinutes: etaMinutes === undefined ? undefined : round(etaMinutes),
          ...(since === undefined ? {} : { postChange: true, changeFinishedAt: since, newestDatapointAt: newestAt }),
        },
      };
    } catch (err) {
      if (err instanceof NoAnswerError) return { status: 'unknown', summary: err.message, evidence };
      return awsFailure(err, evidence);
    }
  },
};

function points(series: Map<string, MetricSeries>, id: string): Array<[number, number]> {
  return series.get(id)?.points ?? [];
}

function connectionsEvidence(ctx: Ctx): Evidence[] {
  const aws = ctx.target.aws!;
  const cluster = aws.rds!.cluster;
  const p = ctx.params;
  return [
    {
      call:
        `CloudWatch GetMetricData AWS/RDS DatabaseConnections DBClusterIdentifier=${cluster} Role=WRITER Maximum at 60 s, ` +
        `Maximum+Average at 300 s, last ${p.lookbackMinutes} min (${aws.region})`,
      cli: rdsMetricCli(aws, 'DatabaseConnections', p.lookbackMinutes, 300, 'Maximum,Average', 'WRITER'),
    },
    {
      call: `CloudWatch GetMetricData AWS/RDS DatabaseConnections DBClusterIdentifier=${cluster} Sum at 60 s (all instances together)`,
      cli: rdsMetricCli(aws, 'DatabaseConnections', p.lookbackMinutes, 60, 'Sum'),
    },
  ];
}

function judge(p: DbConnectionParams, utilisationPct: number | undefined, etaMinutes: number | undefined): Status {
  if (utilisationPct === undefined) return 'unknown';
  if (utilisationPct >= p.connectionsCritPct || (etaMinutes !== undefined && etaMinutes <= p.exhaustionEtaCritMinutes)) return 'crit';
  if (utilisationPct >= p.connectionsWarnPct || (etaMinutes !== undefined && etaMinutes <= p.exhaustionEtaWarnMinutes)) return 'warn';
  return 'ok';
}

/** The chart is a convenience: when CloudWatch cannot render it, the finding stands and says why. */
async function chart(ctx: Ctx, maxConnections: number | undefined, evidence: Evidence[]): Promise<DetailBlock | string> {
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
    const pngBase64 = await within(CALL_LIMIT_MS, 'CloudWatch GetMetricWidgetImage', ctx.signal, (signal) =>
      ctx.integrations.aws().metricWidgetImage(widget, signal),
    );
    return {
      kind: 'image',
      title: `DatabaseConnections — ${aws.rds!.cluster}`,
      pngBase64,
      altText: `DatabaseConnections of the writer and of all instances over the last ${ctx.params.lookbackMinutes} minutes${maxConnections ? ` against max_connections ${maxConnections}` : ''}`,
    };
  } catch (err) {
    return `Chart unavailable: ${errorMessage(err)}`;
  }
}
