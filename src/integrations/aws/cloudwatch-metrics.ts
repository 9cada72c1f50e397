import {
  GetMetricDataCommand,
  GetMetricWidgetImageCommand,
  type CloudWatchClient,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { awsCall } from './aws-errors.js';

export interface MetricQuery {
  /** Lower-case start, letters and digits: GetMetricData's rule for ids. */
  id: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  /** `Maximum`, `Average`, … */
  stat: string;
  periodSeconds: number;
}

export interface MetricSeries {
  id: string;
  label: string;
  /** [epoch ms, value], oldest first. */
  points: Array<[number, number]>;
  /** CloudWatch's StatusCode: `Complete`, or `PartialData` when it cut the answer short. */
  statusCode: string;
}

export async function getMetricData(
  client: CloudWatchClient,
  roleArn: string | undefined,
  queries: readonly MetricQuery[],
  range: { start: Date; end: Date },
  signal?: AbortSignal,
): Promise<Map<string, MetricSeries>> {
  const input = {
    MetricDataQueries: queries.map(toDataQuery),
    StartTime: range.start,
    EndTime: range.end,
    ScanBy: 'TimestampAscending' as const,
  };
  const out = new Map<string, MetricSeries>(
    queries.map((q) => [q.id, { id: q.id, label: q.metricName, points: [], statusCode: 'Complete' }]),
  );
  let nextToken: string | undefined;
  // A large range comes back in pages; one hour of 1-minute data never does, but a longer lookback may.
  for (let page = 0; page < 20; page++) {
    const res = await awsCall({ action: 'cloudwatch:GetMetricData', resource: '*' }, roleArn, () =>
      client.send(new GetMetricDataCommand({ ...input, ...(nextToken ? { NextToken: nextToken } : {}) }), { abortSignal: signal }),
    );
    for (const r of res.MetricDataResults ?? []) {
      const series = r.Id ? out.get(r.Id) : undefined;
      if (!series) continue;
      if (r.Label) series.label = r.Label;
      if (r.StatusCode && r.StatusCode !== 'Complete') series.statusCode = r.StatusCode;
      const ts = r.Timestamps ?? [];
      const vs = r.Values ?? [];
      for (let i = 0; i < Math.min(ts.length, vs.length); i++) series.points.push([new Date(ts[i]!).getTime(), vs[i]!]);
    }
    nextToken = res.NextToken;
    if (!nextToken) break;
  }
  for (const s of out.values()) s.points.sort((a, b) => a[0] - b[0]);
  return out;
}

function toDataQuery(q: MetricQuery): MetricDataQuery {
  return {
    Id: q.id,
    MetricStat: {
      Metric: {
        Namespace: q.namespace,
        MetricName: q.metricName,
        Dimensions: Object.entries(q.dimensions).map(([Name, Value]) => ({ Name, Value })),
      },
      Period: q.periodSeconds,
      Stat: q.stat,
    },
    ReturnData: true,
  };
}

/** A CloudWatch-rendered PNG of a metric widget (the JSON the console's "Source" tab shows), base64. */
export async function metricWidgetImage(
  client: CloudWatchClient,
  roleArn: string | undefined,
  widget: object,
  signal?: AbortSignal,
): Promise<string> {
  const res = await awsCall({ action: 'cloudwatch:GetMetricWidgetImage', resource: '*' }, roleArn, () =>
    client.send(new GetMetricWidgetImageCommand({ MetricWidget: JSON.stringify(widget), OutputFormat: 'png' }), {
      abortSignal: signal,
    }),
  );
  const bytes = res.MetricWidgetImage;
  if (!bytes || bytes.length === 0) throw new Error('GetMetricWidgetImage returned no image');
  return Buffer.from(bytes).toString('base64');
}
