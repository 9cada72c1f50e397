import {
  GetQueryResultsCommand,
  StartQueryCommand,
  StopQueryCommand,
  type CloudWatchLogsClient,
} from '@aws-sdk/client-cloudwatch-logs';
import { setTimeout as sleep } from 'node:timers/promises';
import { AwsCallError, awsCall } from './aws-errors.js';

export interface InsightsQuery {
  logGroup: string;
  /** IAM resource of the log group, for a refusal's hint. */
  logGroupArn: string;
  queryString: string;
  start: Date;
  end: Date;
  limit?: number;
}

export interface InsightsWait {
  /** Give up (StopQuery, report partial) after this long. */
  maxWaitMs: number;
  pollMs: number;
  signal?: AbortSignal;
}

export interface InsightsResult {
  queryId: string;
  /** Logs Insights' own status at the end: `Complete`, or `Running`/`Scheduled` when we stopped waiting. */
  status: string;
  rows: Array<Record<string, string>>;
  /** The query had not finished when the wait ran out; rows are what it had found so far. */
  partial: boolean;
  /** StopQuery was sent (and accepted) for a partial query. */
  stopped: boolean;
  recordsScanned?: number;
  recordsMatched?: number;
}

/** Lets the owner stop queries still running when it closes (a check abandoned by its timeout). */
export interface InsightsTracking {
  started(queryId: string, stop: () => Promise<boolean>): void;
  finished(queryId: string): void;
}

const UNFINISHED = new Set(['Scheduled', 'Running', 'Unknown']);

/**
 * StartQuery, then poll GetQueryResults until it is Complete or the wait runs out. A query still running at the
 * limit is stopped (it would otherwise keep scanning, and count against the account's concurrent-query limit)
 * and its partial rows returned.
 */
export async function runInsightsQuery(
  client: CloudWatchLogsClient,
  roleArn: string | undefined,
  q: InsightsQuery,
  wait: InsightsWait,
  tracking?: InsightsTracking,
): Promise<InsightsResult> {
  const started = await awsCall({ action: 'logs:StartQuery', resource: q.logGroupArn }, roleArn, () =>
    client.send(
      new StartQueryCommand({
        logGroupName: q.logGroup,
        startTime: Math.floor(q.start.getTime() / 1000),
        endTime: Math.floor(q.end.getTime() / 1000),
        queryString: q.queryString,
        ...(q.limit ? { limit: q.limit } : {}),
      }),
      { abortSignal: wait.signal },
    ),
  );
  const queryId = started.queryId;
  if (!queryId) throw new Error('StartQuery returned no queryId');
  let stopping: Promise<boolean> | undefined;
  // Whoever gets there first (this loop at its deadline, an error, or the owner closing) sends the one StopQuery.
  const stop = () => (stopping ??= stopInsightsQuery(client, roleArn, queryId));
  tracking?.started(queryId, stop);
  const deadline = Date.now() + wait.maxWaitMs;
  let last: InsightsResult = { queryId, status: 'Scheduled', rows: [], partial: true, stopped: false };
  try {
    for (;;) {
      const res = await awsCall({ action: 'logs:GetQueryResults', resource: '*' }, roleArn, () =>
        client.send(new GetQueryResultsCommand({ queryId }), { abortSignal: wait.signal }),
      );
      const status = res.status ?? 'Unknown';
      last = {
        queryId,
        status,
        rows: (res.results ?? []).map((fields) =>
          Object.fromEntries(fields.filter((f) => f.field !== undefined).map((f) => [f.field!, f.value ?? ''])),
        ),
        partial: status !== 'Complete',
        stopped: false,
        ...(res.statistics?.recordsScanned !== undefined ? { recordsScanned: res.statistics.recordsScanned } : {}),
        ...(res.statistics?.recordsMatched !== undefined ? { recordsMatched: res.statistics.recordsMatched } : {}),
      };
      if (status === 'Complete') return last;
      if (!UNFINISHED.has(status)) {
        throw new AwsCallError(
          'failed',
          `Query${status}`,
          { action: 'logs:GetQueryResults', resource: q.logGroupArn },
          `Logs Insights query ${queryId} ended ${status}`,
          status === 'Timeout' ? 'narrow the time window or the query' : undefined,
          undefined,
        );
      }
      if (Date.now() + wait.pollMs > deadline || wait.signal?.aborted) break;
      await sleep(wait.pollMs, undefined, wait.signal ? { signal: wait.signal } : undefined).catch(() => undefined);
      if (wait.signal?.aborted) break;
    }
    last.stopped = await stop();
    return last;
  } catch (err) {
    if (UNFINISHED.has(last.status)) await stop();
    throw err;
  } finally {
    tracking?.finished(queryId);
  }
}

/** Best effort: a query that finished meanwhile cannot be stopped, and that is fine. */
export async function stopInsightsQuery(client: CloudWatchLogsClient, roleArn: string | undefined, queryId: string): Promise<boolean> {
  try {
    const res = await awsCall({ action: 'logs:StopQuery', resource: '*' }, roleArn, () =>
      client.send(new StopQueryCommand({ queryId })),
    );
    return res.success ?? false;
  } catch {
    return false;
  }
}
