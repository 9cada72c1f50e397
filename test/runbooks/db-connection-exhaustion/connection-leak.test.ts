import { GetMetricDataCommand, GetMetricWidgetImageCommand } from '@aws-sdk/client-cloudwatch';
import { StartQueryCommand, StopQueryCommand } from '@aws-sdk/client-cloudwatch-logs';
import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { beforeEach, describe, expect, it } from 'vitest';
import { runDiagnosis } from '../../../src/diagnosis/run-diagnosis.js';
import { applyRemediation } from '../../../src/remediation/apply-remediation.js';
import type { DetailBlock, Finding } from '../../../src/domain/finding.js';
import { CLUSTER, DB_CLUSTER, FakeGoldenPath, LOG_GROUP, PARAM, PNG, SERVICE, mocks } from './fake-golden-path.js';
import { goldenPath, leakState } from './scenarios.js';

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
    fake = new FakeGoldenPath(leakState());
    fake.install();
  });

  it('finds the climb to the limit, the switch, and ranks the failure-mode leak first', async () => {
    const report = await runDiagnosis(goldenPath());
    expect(report.status).toBe('crit');

    const conns = finding(report.findings, 'db-connections');
    expect(conns.status).toBe('crit');
    expect(conns.data).toMatchObject({ current: 853, maxConnections: 1000, maxConnectionsSource: 'catalog (rds.maxConnections)', climbing: true });
    expect(conns.data.slopePerMinute).toBeCloseTo(11, 1);
    expect(conns.data.etaMinutes).toBeCloseTo(13.4, 0);
    expect(conns.summary).toMatch(/853 connections of 1000 \(85\.3%\), climbing 11\/min; at this rate the limit is reached in ~13 min/);
    const series = block(conns, 'series')!;
    expect(series.limit).toBe(1000);
    expect(series.points).toHaveLength(60);
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
    const lines = logs.details.filter((d) => d.kind === 'text').map((d) => (d as { text: string }).text).join('\n');
    expect(lines).toContain('request 51be09d4');
    expect(lines).not.toContain('hunter2');

    expect(report.causes[0]).toMatchObject({ id: 'failure-mode-leak', confidence: 0.95 });
    expect(report.causes[0]!.supportedBy).toEqual(expect.arrayContaining(['failure-mode', 'db-connections']));
    expect(report.causes.map((c) => c.id)).not.toContain('task-count-overload');
    expect(report.proposals.map((p) => p.remediationId)).toEqual(['reset-failure-mode', 'force-new-deployment']);
    for (const p of report.proposals) expect(p.targetKey).toBe(`ecs:us-east-1/${CLUSTER}/${SERVICE}`);

    // Diagnosis only reads.
    expect(mocks.ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
    expect(mocks.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('asks CloudWatch and Logs Insights exactly what the runbook asks', async () => {
    await runDiagnosis(goldenPath());
    const connectionsCall = mocks.cloudwatch
      .commandCalls(GetMetricDataCommand)
      .map((c) => c.args[0].input)
      .find((i) => i.MetricDataQueries?.length === 4)!;
    const metric = { Namespace: 'AWS/RDS', MetricName: 'DatabaseConnections', Dimensions: [{ Name: 'DBClusterIdentifier', Value: DB_CLUSTER }] };
    expect(connectionsCall.MetricDataQueries).toEqual([
      { Id: 'max1m', MetricStat: { Metric: metric, Period: 60, Stat: 'Maximum' }, ReturnData: true },
      { Id: 'avg1m', MetricStat: { Metric: metric, Period: 60, Stat: 'Average' }, ReturnData: true },
      { Id: 'max5m', MetricStat: { Metric: metric, Period: 300, Stat: 'Maximum' }, ReturnData: true },
      { Id: 'avg5m', MetricStat: { Metric: metric, Period: 300, Stat: 'Average' }, ReturnData: true },
    ]);
    expect(connectionsCall.EndTime!.getTime() - connectionsCall.StartTime!.getTime()).toBe(60 * 60_000);

    const widget = JSON.parse(mocks.cloudwatch.commandCalls(GetMetricWidgetImageCommand)[0]!.args[0].input.MetricWidget!);
    expect(widget.annotations.horizontal[0]).toMatchObject({ value: 1000, label: 'max_connections 1000' });
    expect(widget.metrics[0].slice(0, 4)).toEqual(['AWS/RDS', 'DatabaseConnections', 'DBClusterIdentifier', DB_CLUSTER]);

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

  it('resets the parameter, then forces one deployment, waits for it, and verifies before → after', async () => {
    const resolved = goldenPath();
    const report = await runDiagnosis(resolved);
    const plan = report.proposals.find((p) => p.remediationId === 'reset-failure-mode')!;
    expect(plan.steps[0]).toContain('aws ssm put-parameter --region us-east-1');
    expect(plan.steps[1]).toContain('--force-new-deployment');
    expect(mocks.ssm.commandCalls(PutParameterCommand)).toHaveLength(0);

    const outcome = await applyRemediation(resolved, plan, { settleMs: 0 });
    expect(outcome.error).toBeUndefined();
    expect(outcome.executed).toBe(true);

    const puts = mocks.ssm.commandCalls(PutParameterCommand);
    expect(puts.map((c) => c.args[0].input)).toEqual([{ Name: PARAM, Value: 'none', Type: 'String', Overwrite: true }]);
    const updates = mocks.ecs.commandCalls(UpdateServiceCommand);
    expect(updates.map((c) => c.args[0].input)).toEqual([{ cluster: CLUSTER, service: SERVICE, forceNewDeployment: true }]);
    expect(puts[0]!.calledBefore(updates[0]!)).toBe(true);

    expect(outcome.execution!.summary).toMatch(
      /^Set \/golden\/failure_mode to none \(version 8\); forced a new deployment of golden-path-service-prod; service stable after \d+ s \(deployment ecs-svc\/9182736450918273645 COMPLETED, 4\/4 running\)$/,
    );
    expect(outcome.verification).toMatchObject({ ok: true });
    expect(outcome.verification!.summary).toContain('DatabaseConnections 853 → 62 of 1000 (ok)');
    expect(outcome.verification!.summary).toContain('failure mode none');
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
