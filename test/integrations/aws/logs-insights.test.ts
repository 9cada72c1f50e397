import {
  CloudWatchLogsClient,
  GetQueryResultsCommand,
  StartQueryCommand,
  StopQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsTargetClient } from '../../../src/integrations/aws/aws-target.js';
import { AwsCallError } from '../../../src/integrations/aws/aws-errors.js';

const logs = mockClient(CloudWatchLogsClient);
const QUERY_ID = '12ab3456-12ab-123a-789e-1234567890ab';
const aws = () => new AwsTargetClient({ region: 'us-east-1', roleArn: 'arn:aws:iam::123456789012:role/connbot-diagnostics' });
const query = { logGroup: '/ecs/golden-path-app-prod', queryString: 'fields @timestamp | limit 20', start: new Date(Date.now() - 900_000), end: new Date() };
const row = [{ field: '@timestamp', value: '2025-11-24 17:58:12.301' }, { field: '@ptr', value: 'CmAKJgoi' }];

describe('Logs Insights queries', () => {
  beforeEach(() => {
    logs.reset();
    logs.on(StartQueryCommand).resolves({ queryId: QUERY_ID });
    logs.on(StopQueryCommand).resolves({ success: true });
  });

  it('polls until Complete and returns the rows without stopping anything', async () => {
    logs.on(GetQueryResultsCommand)
      .resolvesOnce({ status: 'Scheduled', results: [] })
      .resolvesOnce({ status: 'Running', results: [] })
      .resolves({ status: 'Complete', results: [row], statistics: { recordsMatched: 1, recordsScanned: 400, bytesScanned: 9000 } });
    const r = await aws().insightsQuery(query, { maxWaitMs: 1000, pollMs: 5 });
    expect(r).toMatchObject({ status: 'Complete', partial: false, stopped: false, recordsScanned: 400 });
    expect(r.rows).toEqual([{ '@timestamp': '2025-11-24 17:58:12.301', '@ptr': 'CmAKJgoi' }]);
    expect(logs.commandCalls(GetQueryResultsCommand)).toHaveLength(3);
    expect(logs.commandCalls(StopQueryCommand)).toHaveLength(0);
    const start = logs.commandCalls(StartQueryCommand)[0]!.args[0].input;
    expect(start).toEqual({
      logGroupName: '/ecs/golden-path-app-prod',
      queryString: 'fields @timestamp | limit 20',
      startTime: Math.floor(query.start.getTime() / 1000),
      endTime: Math.floor(query.end.getTime() / 1000),
    });
  });

  it('stops a query still running at the limit, once, and returns what it had', async () => {
    logs.on(GetQueryResultsCommand).resolves({ status: 'Running', results: [row] });
    const r = await aws().insightsQuery(query, { maxWaitMs: 40, pollMs: 5 });
    expect(r).toMatchObject({ status: 'Running', partial: true, stopped: true });
    expect(r.rows).toHaveLength(1);
    expect(logs.commandCalls(StopQueryCommand).map((c) => c.args[0].input)).toEqual([{ queryId: QUERY_ID }]);
  });

  it('stops the query of a check abandoned mid-wait when the adapter closes, and only once', async () => {
    logs.on(GetQueryResultsCommand).resolves({ status: 'Running', results: [] });
    const client = aws();
    const controller = new AbortController();
    const pending = client.insightsQuery(query, { maxWaitMs: 60_000, pollMs: 20, signal: controller.signal });
    await new Promise((r) => setTimeout(r, 30));
    await client.close();
    controller.abort();
    const r = await pending;
    expect(r.partial).toBe(true);
    expect(logs.commandCalls(StopQueryCommand)).toHaveLength(1);
  });

  it('fails on a query that ended Failed', async () => {
    logs.on(GetQueryResultsCommand).resolves({ status: 'Failed', results: [] });
    await expect(aws().insightsQuery(query, { maxWaitMs: 1000, pollMs: 5 })).rejects.toBeInstanceOf(AwsCallError);
    expect(logs.commandCalls(StopQueryCommand)).toHaveLength(0);
  });
});
