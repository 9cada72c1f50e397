import { GetMetricDataCommand, GetMetricWidgetImageCommand } from '@aws-sdk/client-cloudwatch';
import { StartQueryCommand, StopQueryCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeServicesCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runDiagnosis } from '../../../src/diagnosis/run-diagnosis.js';
import { applyRemediation } from '../../../src/remediation/apply-remediation.js';
import type { DetailBlock, Finding } from '../../../src/domain/finding.js';
import { findingBlocks } from '../../../src/render/slack/detail-blocks.js';
import { CLUSTER, DB_CLUSTER, FakeGoldenPath, LOG_GROUP, PARAM, PNG, SERVICE, mocks } from './fake-golden-path.js';
import { ACCOUNT } from './golden-path-names.js';
import { REAL_TIMINGS, goldenPath, leakState } from './scenarios.js';
import { inSimulatedTime, useSimulatedClock } from './sim-clock.js';

function finding(findings: Finding[], id: string): Finding {
  const f = findings.find((x) => x.checkId === id);
  if (!f) throw new Error(`no finding ${id}`);
  return f;
}

function block<K extends DetailBlock['kind']>(f: Finding, kind: K): Extract<DetailBlock, { kind: K }> | undefined {
  return f.details.find((d): d is Extract<DetailBlock, { kind: K }> => d.kind === kind);
}

describe('db-connection-exhaustion: the connection-leak failure mode', () => {
  let fake: FakeGoldenPath;
  beforeEach(() => {
    useSimulatedClock();
    fake = new FakeGoldenPath(leakState());
    fake.install();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('finds the climb to the limit, the switch, and ranks the failure-mode leak first', async () => {
    const report = await runDiagnosis(goldenPath());
    expect(report.status).toBe('crit');

    const conns = finding(report.findings, 'db-connections');
    expect(conns.status).toBe('crit');
    // The writer's newest published minute (17:58; RDS publishes a minute late), against the per-instance limit.
    expect(conns.data).toMatchObject({ current: 853, totalCurrent: 862, maxConnections: 1000, maxConnectionsSource: 'catalog (rds.maxConnections)', climbing: true });
    expect(new Date(conns.data.currentAt as number).toISOString()).toBe('2025-11-24T17:58:00.000Z');
    expect(conns.data.slopePerMinute).toBeCloseTo(11, 1);
    expect(conns.data.etaMinutes).toBeCloseTo(13.4, 0);
    expect(conns.summary).toMatch(/^853 connections of 1000 \(85\.3%\) on the writer, climbing 11\/min; at this rate the limit is reached in ~13 min$/);
    expect(conns.data.postChange).toBeUndefined();
    const series = block(conns, 'series')!;
    expect(series.limit).toBe(1000);
    // 17:00 … 17:58: the minute 17:59 is not published yet.
    expect(series.points).toHaveLength(59);
    expect(series.points.at(-1)?.[1]).toBe(853);
    const image = block(conns, 'image')!;
    expect(Buffer.from(image.pngBase64, 'base64')).toEqual(Buffer.from(PNG));
    expect(conns.evidence.map((e) => e.cli).join('\n')).toContain(
      `--dimensions Name=DBClusterIdentifier,Value=${DB_CLUSTER}`,
    );

    expect(finding(report.findings, 'failure-mode')).toMatchObject({ status: 'crit', data: { value: 'connection_leak' } });
    expect(finding(report.findings, 'db-cluster').status).toBe('ok');
    expect(finding(report.findings, 'ecs-service').status).toBe('ok');
    expect(finding(report.findings, 'tasks-vs-connections').data).toMatchObject({ taskSource: 'container-insights', scaledOut: false, running: 4 });

    const logs = finding(report.findings, 'app-logs');
    expect(logs.status).toBe('warn');
    expect(logs.summary).toMatch(/^12 connection error\(s\) of 15 error\(s\) in the last 15 min; most: connection_error on \/db \(12\)$/);
    const examples = logs.details.find((d): d is Extract<DetailBlock, { kind: 'table' }> => d.kind === 'table' && d.caption!.startsWith('Latest /db errors'))!;
    expect(examples.columns).toEqual(['@timestamp', 'status', 'path', 'errorType', 'requestId']);
    expect(examples.rows.map((r) => r[4])).toEqual(['7f1c2a9e', '51be09d4', '0c33e7b1']);
    expect(JSON.stringify(examples)).not.toContain('hunter2');

    expect(report.causes[0]).toMatchObject({ id: 'failure-mode-leak', confidence: 0.95 });
    expect(report.causes[0]!.supportedBy).toEqual(expect.arrayContaining(['failure-mode', 'db-connections']));
    expect(report.causes.map((c) => c.id)).not.toContain('task-count-overload');
    // 862 connections on all instances over 4 tasks: far more than a pool holds, though the leak explains it better.
    expect(finding(report.findings, 'tasks-vs-connections').data).toMatchObject({ perTask: 215.5, totalConnections: 862, perTaskTasks: 4 });
    expect(report.causes.find((c) => c.id === 'missing-pooling')).toMatchObject({ confidence: 0.3 });
    expect(report.proposals.map((p) => p.remediationId)).toEqual(['reset-failure-mode', 'force-new-deployment']);
    for (const p of report.proposals) expect(p.targetKey).toBe(`ecs:${ACCOUNT}/us-east-1/${CLUSTER}/${SERVICE}`);

    // Diagnosis only reads.
    expect(mocks.ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
    expect(mocks.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('asks CloudWatch for the writer against the limit and the sum over instances, and Logs Insights what the runbook asks', async () => {
    const report = await runDiagnosis(goldenPath());
    const connectionsCall = mocks.cloudwatch
      .commandCalls(GetMetricDataCommand)
      .map((c) => c.args[0].input)
      .find((i) => i.MetricDataQueries?.length === 4)!;
    const cluster = [{ Name: 'DBClusterIdentifier', Value: DB_CLUSTER }];
    const writer = { Namespace: 'AWS/RDS', MetricName: 'DatabaseConnections', Dimensions: [...cluster, { Name: 'Role', Value: 'WRITER' }] };
    const all = { Namespace: 'AWS/RDS', MetricName: 'DatabaseConnections', Dimensions: cluster };
    expect(connectionsCall.MetricDataQueries).toEqual([
      { Id: 'writer1m', MetricStat: { Metric: writer, Period: 60, Stat: 'Maximum' }, ReturnData: true },
      { Id: 'writermax5m', MetricStat: { Metric: writer, Period: 300, Stat: 'Maximum' }, ReturnData: true },
      { Id: 'writeravg5m', MetricStat: { Metric: writer, Period: 300, Stat: 'Average' }, ReturnData: true },
      { Id: 'total1m', MetricStat: { Metric: all, Period: 60, Stat: 'Sum' }, ReturnData: true },
    ]);
    expect(connectionsCall.EndTime!.getTime() - connectionsCall.StartTime!.getTime()).toBe(60 * 60_000);
    const tasksCall = mocks.cloudwatch
      .commandCalls(GetMetricDataCommand)
      .map((c) => c.args[0].input)
      .find((i) => i.MetricDataQueries?.some((q) => q.Id === 'tasks'))!;
    expect(tasksCall.MetricDataQueries![0]).toEqual({ Id: 'conns', MetricStat: { Metric: all, Period: 60, Stat: 'Sum' }, ReturnData: true });
    const clis = finding(report.findings, 'db-connections').evidence.map((e) => e.cli).join('\n');
    expect(clis).toContain(`--dimensions Name=DBClusterIdentifier,Value=${DB_CLUSTER} Name=Role,Value=WRITER`);
    expect(clis).toContain('--period 60 --statistics Sum');

    const widget = JSON.parse(mocks.cloudwatch.commandCalls(GetMetricWidgetImageCommand)[0]!.args[0].input.MetricWidget!);
    expect(widget.annotations.horizontal[0]).toMatchObject({ value: 1000, label: 'max_connections 1000 (per instance)' });
    expect(widget.metrics[0].slice(0, 6)).toEqual(['AWS/RDS', 'DatabaseConnections', 'DBClusterIdentifier', DB_CLUSTER, 'Role', 'WRITER']);
    expect(widget.metrics[1].slice(0, 4)).toEqual(['AWS/RDS', 'DatabaseConnections', 'DBClusterIdentifier', DB_CLUSTER]);

    const queries = mocks.logs.commandCalls(StartQueryCommand).map((c) => c.args[0].input);
    expect(queries).toHaveLength(2);
    for (const q of queries) {
      expect(q.logGroupName).toBe(LOG_GROUP);
      expect(q.endTime! - q.startTime!).toBe(15 * 60);
    }
    expect(queries.map((q) => q.queryString)).toContain(
      'fields @timestamp, requestId, path, status, errorType | filter path = "/db" and (errorType = "connection_error" or ispresent(errorType)) | sort @timestamp desc | limit 20',
    );
    expect(mocks.logs.commandCalls(StopQueryCommand)).toHaveLength(0);
  });

  it('shows the example log lines in a code block, so markup in the logs cannot restyle the message', async () => {
    fake.state.logs.lines = [
      { '@timestamp': '2025-11-24 17:58:12.301', requestId: '7f1c2a9e', path: '/db', status: '500', errorType: '*bold* _it_ ~gone~ `code` <!channel>' },
    ];
    const logs = finding((await runDiagnosis(goldenPath())).findings, 'app-logs');
    const texts = findingBlocks(logs).map((b) => (b as { text?: { text?: string } }).text?.text ?? '');
    const examples = texts.find((t) => t.startsWith('Latest /db errors'))!;
    expect(examples.split('\n').slice(0, 2)).toEqual(['Latest /db errors (1 of 1)', '```']);
    expect(examples.endsWith('\n```')).toBe(true);
    // Inside the fence: no formatting, a backtick cannot close it, and nothing can mention the channel.
    expect(examples).toContain("*bold* _it_ ~gone~ 'code' &lt;!channel&gt;");
    expect(examples.match(/```/g)).toHaveLength(2);
  });

  it('fills the long-term steps with this env’s names', async () => {
    const report = await runDiagnosis(goldenPath());
    const [proxy, alarm, pooling] = report.manualSteps;
    expect(proxy!.commands[0]).toContain('--db-proxy-name golden-path-proxy-prod');
    expect(proxy!.commands[0]).toContain('--vpc-security-group-ids sg-0a1b2c3d4e5f67890');
    expect(proxy!.commands[0]).toContain('--role-arn arn:aws:iam::123456789012:role/rds-proxy-role-prod');
    expect(proxy!.commands[0]).toContain('--db-subnet-group-name golden-path-db-subnets-prod');
    expect(proxy!.commands[1]).toContain(`--db-cluster-identifiers ${DB_CLUSTER}`);
    expect(alarm!.commands[0]).toContain('--threshold 800 ');
    expect(alarm!.commands[0]).toContain('--alarm-name golden-path-rds-connections-warning-prod');
    // 80% of 1000 over ecs.maxTasks 20: 40 per task, so the runbook's 10 + 20 fits.
    expect(pooling!.why).toContain('at most 40 connections');
    expect(pooling!.commands[1]).toContain('pool_size=10, max_overflow=20');
  });

  it('resets the parameter, then forces one deployment, watches it to COMPLETED, and verifies on datapoints from after it', async () => {
    const resolved = goldenPath({ params: REAL_TIMINGS });
    const report = await runDiagnosis(resolved);
    const plan = report.proposals.find((p) => p.remediationId === 'reset-failure-mode')!;
    expect(plan.steps[0]).toContain('aws ssm put-parameter --region us-east-1');
    expect(plan.steps[1]).toContain('--force-new-deployment');
    expect(plan.steps[2]).toContain("aws ecs describe-services --region us-east-1");
    expect(plan.steps[2]).toContain('Rollout:rolloutState');
    expect(mocks.ssm.commandCalls(PutParameterCommand)).toHaveLength(0);

    // The deployment takes 150 s, the settle 90 s, and RDS publishes each minute a minute late.
    const outcome = await inSimulatedTime(applyRemediation(resolved, plan));
    expect(outcome.error).toBeUndefined();
    expect(outcome.executed).toBe(true);

    const puts = mocks.ssm.commandCalls(PutParameterCommand);
    expect(puts.map((c) => c.args[0].input)).toEqual([{ Name: PARAM, Value: 'none', Type: 'String', Overwrite: true }]);
    const updates = mocks.ecs.commandCalls(UpdateServiceCommand);
    expect(updates.map((c) => c.args[0].input)).toEqual([{ cluster: CLUSTER, service: SERVICE, forceNewDeployment: true }]);
    expect(puts[0]!.calledBefore(updates[0]!)).toBe(true);

    expect(outcome.execution!.summary).toBe(
      'Set /golden/failure_mode to none (version 8); forced a new deployment of golden-path-service-prod; service stable after 150 s (deployment ecs-svc/9182736450918273645 COMPLETED, 4/4 running)',
    );
    // Watched with DescribeServices every 15 s: 18:00:20 … 18:02:50.
    const describes = mocks.ecs.commandCalls(DescribeServicesCommand).map((c) => c.args[0].input);
    expect(describes.length).toBeGreaterThanOrEqual(11);

    // The change finished at 18:02:50; after the 90 s settle the first minute from then on (18:03) is published
    // at 18:05 — 4 fresh tasks × 15 connections.
    const after = outcome.after.find((f) => f.checkId === 'db-connections')!;
    expect(after.data).toMatchObject({ postChange: true, current: 60, changeFinishedAt: Date.parse('2025-11-24T18:02:50.000Z') });
    expect(new Date(after.data.currentAt as number).toISOString()).toBe('2025-11-24T18:03:00.000Z');
    expect(outcome.verification).toMatchObject({ ok: true });
    expect(outcome.verification!.summary).toBe(
      'improved — deployment ecs-svc/9182736450918273645 COMPLETED at 18:02:50 UTC; DatabaseConnections 853 → 60 of 1000 (ok); ' +
        'service stable: 4/4 running, 1 deployment(s); failure mode none',
    );
  });

  it('says there is no post-change datapoint yet, and does not verify, when RDS has not published one in time', async () => {
    const resolved = goldenPath({ params: { ...REAL_TIMINGS, verifySettleSeconds: 0, postChangeWaitSeconds: 60 } });
    const plan = (await runDiagnosis(resolved)).proposals.find((p) => p.remediationId === 'reset-failure-mode')!;
    const outcome = await inSimulatedTime(applyRemediation(resolved, plan));
    expect(outcome.execution!.summary).toContain('service stable after 150 s');
    const after = outcome.after.find((f) => f.checkId === 'db-connections')!;
    expect(after.status).toBe('unknown');
    expect(after.data).toMatchObject({ postChange: false, changeFinishedAt: Date.parse('2025-11-24T18:02:50.000Z') });
    expect(after.summary).toMatch(
      /^no post-change datapoint yet: the change finished at 18:02:50 UTC and the newest DatabaseConnections datapoint is for the minute from 18:01 UTC \(RDS publishes each minute about a minute late; asked 5 time\(s\) over 60 s\)$/,
    );
    expect(outcome.verification!.ok).toBe(false);
    expect(outcome.verification!.summary).toContain(
      'DatabaseConnections 853 → no post-change datapoint yet (the change finished 18:02:50 UTC; the newest datapoint is for the minute from 18:01 UTC)',
    );
  });

  it('executes nothing on a dry run', async () => {
    const resolved = goldenPath();
    const plan = (await runDiagnosis(resolved)).proposals[0]!;
    const outcome = await applyRemediation(resolved, plan, { dryRun: true });
    expect(outcome.executed).toBe(false);
    expect(mocks.ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
    expect(mocks.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });
});
