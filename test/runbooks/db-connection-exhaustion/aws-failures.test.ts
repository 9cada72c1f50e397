import { CloudWatchServiceException, GetMetricDataCommand, GetMetricWidgetImageCommand } from '@aws-sdk/client-cloudwatch';
import { StartQueryCommand, StopQueryCommand } from '@aws-sdk/client-cloudwatch-logs';
import { AccessDeniedException, DescribeServicesCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { DescribeDBClustersCommand, DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { GetParameterCommand, SSMServiceException } from '@aws-sdk/client-ssm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runDiagnosis } from '../../../src/diagnosis/run-diagnosis.js';
import { applyRemediation } from '../../../src/remediation/apply-remediation.js';
import type { Finding } from '../../../src/domain/finding.js';
import { CLUSTER, DB_CLUSTER, FakeGoldenPath, SERVICE, SERVICE_ARN, mocks } from './fake-golden-path.js';
import { REAL_TIMINGS, goldenPath, leakState } from './scenarios.js';
import { inSimulatedTime, useSimulatedClock } from './sim-clock.js';

function finding(findings: Finding[], id: string): Finding {
  return findings.find((x) => x.checkId === id)!;
}

const ROLE_SESSION = 'arn:aws:sts::123456789012:assumed-role/connbot-diagnostics/connbot';

function leak(change: (s: ReturnType<typeof leakState>) => void = () => {}): FakeGoldenPath {
  const state = leakState();
  change(state);
  const fake = new FakeGoldenPath(state);
  fake.install();
  return fake;
}

describe('db-connection-exhaustion: when AWS says no', () => {
  it('turns AccessDenied on GetMetricData into error findings naming the IAM action, and keeps the rest', async () => {
    leak();
    mocks.cloudwatch.on(GetMetricDataCommand).rejects(
      new CloudWatchServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403, requestId: '5f0e2c1a-3b4d-4e6f-8a9b-0c1d2e3f4a5b' },
        message: `User: ${ROLE_SESSION} is not authorized to perform: cloudwatch:GetMetricData because no identity-based policy allows the cloudwatch:GetMetricData action (key AKIAIOSFODNN7EXAMPLE)`,
      }),
    );
    const report = await runDiagnosis(goldenPath());
    for (const id of ['db-connections', 'db-cpu', 'tasks-vs-connections']) {
      const f = finding(report.findings, id);
      expect(f.status).toBe('error');
      expect(f.summary).toBe('permission denied (AccessDenied): needs cloudwatch:GetMetricData on *');
      expect(f.data.awsError).toMatchObject({ kind: 'denied', action: 'cloudwatch:GetMetricData' });
      expect(f.evidence[0]!.cli).toContain('aws cloudwatch get-metric-statistics --region us-east-1');
      const text = JSON.stringify(f);
      expect(text).toContain('grant role arn:aws:iam::123456789012:role/connbot-diagnostics the IAM action cloudwatch:GetMetricData on *');
      expect(text).not.toContain('AKIAIOSFODNN7EXAMPLE');
    }
    // The switch is still read, and still explains the incident on its own.
    expect(finding(report.findings, 'failure-mode').status).toBe('crit');
    expect(report.causes[0]).toMatchObject({ id: 'failure-mode-leak', confidence: 0.7 });
  });

  it('names the ECS action and service ARN when DescribeServices is refused', async () => {
    leak();
    mocks.ecs.on(DescribeServicesCommand).rejects(
      new AccessDeniedException({
        $metadata: { httpStatusCode: 400 },
        message: `User: ${ROLE_SESSION} is not authorized to perform: ecs:DescribeServices on resource: ${SERVICE_ARN}`,
      }),
    );
    const report = await runDiagnosis(goldenPath());
    expect(finding(report.findings, 'ecs-service')).toMatchObject({
      status: 'error',
      summary: `permission denied (AccessDeniedException): needs ecs:DescribeServices on ${SERVICE_ARN}`,
    });
  });

  it('says throttled when SSM keeps throttling after the SDK retries', async () => {
    leak();
    mocks.ssm.on(GetParameterCommand).rejects(
      new SSMServiceException({
        name: 'ThrottlingException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400, attempts: 3 },
        message: 'Rate exceeded',
      }),
    );
    const report = await runDiagnosis(goldenPath());
    expect(finding(report.findings, 'failure-mode')).toMatchObject({
      status: 'unknown',
      summary: "throttled by AWS on ssm:GetParameter (ThrottlingException) after the SDK's retries; try again shortly",
    });
  });

  it('reports a Logs Insights query still running at the limit as partial, and stops it once', async () => {
    leak((s) => (s.logs.neverCompletes = true));
    const report = await runDiagnosis(goldenPath());
    const logs = finding(report.findings, 'app-logs');
    expect(logs.data.partial).toBe(true);
    expect(logs.summary).toMatch(/\(partial: query c0ffee00-\S+ still Running at the wait limit, stopped, 1 row\(s\) so far; query facade00-\S+ still Running/);
    // What it found before the limit still counts.
    expect(logs.data.connectionErrors).toBe(12);
    const started = await Promise.all(mocks.logs.commandCalls(StartQueryCommand).map((c) => c.returnValue));
    const stopped = mocks.logs.commandCalls(StopQueryCommand).map((c) => c.args[0].input.queryId);
    expect(stopped.sort()).toEqual(started.map((s) => s.queryId).sort());
    expect(logs.data.stoppedQueries).toHaveLength(2);
  });

  it('keeps the connections finding when the chart cannot be rendered', async () => {
    leak();
    mocks.cloudwatch.on(GetMetricWidgetImageCommand).rejects(
      new CloudWatchServiceException({ name: 'InternalServiceError', $fault: 'server', $metadata: { httpStatusCode: 500 }, message: 'Internal failure' }),
    );
    const conns = finding((await runDiagnosis(goldenPath())).findings, 'db-connections');
    expect(conns.status).toBe('crit');
    expect(conns.details.some((d) => d.kind === 'image')).toBe(false);
    expect(conns.details.some((d) => d.kind === 'text' && d.text.startsWith('Chart unavailable: cloudwatch:GetMetricWidgetImage failed'))).toBe(true);
  });

  it('turns a DescribeDBClusters that never answers into an unknown finding with the call it made, and still completes the diagnosis', async () => {
    useSimulatedClock();
    try {
      leak();
      mocks.rds.on(DescribeDBClustersCommand).callsFake(() => new Promise(() => {}));
      const report = await inSimulatedTime(runDiagnosis(goldenPath()));
      const cluster = finding(report.findings, 'db-cluster');
      expect(cluster).toMatchObject({ status: 'unknown', summary: 'no answer within 15000 ms' });
      // The call that hung, and the command to run it by hand, are still in the finding.
      expect(cluster.evidence[0]).toMatchObject({ call: `RDS DescribeDBClusters DBClusterIdentifier=${DB_CLUSTER} (us-east-1)` });
      expect(cluster.evidence[0]!.cli).toContain(`aws rds describe-db-clusters --region us-east-1`);
      // Everything else was measured, and the report ranks causes and proposes as usual.
      expect(report.findings.filter((f) => f.checkId !== 'db-cluster').every((f) => f.status !== 'unknown' && f.status !== 'error')).toBe(true);
      expect(report.status).toBe('crit');
      expect(report.causes[0]!.id).toBe('failure-mode-leak');
      expect(report.proposals.map((p) => p.remediationId)).toEqual(['reset-failure-mode', 'force-new-deployment']);
      // The long-term steps fall back to placeholders for what only the cluster description knew.
      expect(report.manualSteps[0]!.commands[0]).toContain('--vpc-security-group-ids <sg-id>');
    } finally {
      vi.useRealTimers();
    }
  });

  it('ends the connections check after 20 s when GetMetricData hangs, not after the time a verification may wait', async () => {
    useSimulatedClock();
    try {
      leak();
      mocks.cloudwatch.on(GetMetricDataCommand).callsFake(() => new Promise(() => {}));
      const started = Date.now();
      const report = await inSimulatedTime(runDiagnosis(goldenPath({ params: REAL_TIMINGS })));
      expect(Date.now() - started).toBeLessThanOrEqual(21_000);
      expect(finding(report.findings, 'db-connections')).toMatchObject({ status: 'unknown', summary: 'CloudWatch GetMetricData: no answer within 20 s' });
      expect(finding(report.findings, 'db-connections').evidence[0]!.cli).toContain('Name=Role,Value=WRITER');
      expect(finding(report.findings, 'failure-mode').status).toBe('crit');
    } finally {
      vi.useRealTimers();
    }
  });

  it('derives max_connections from the writer’s instance class when the catalog does not give it', async () => {
    leak();
    const conns = finding((await runDiagnosis(goldenPath({ maxConnections: null }))).findings, 'db-connections');
    // 16 GiB / 9531392 bytes per connection.
    expect(conns.data.maxConnections).toBe(1802);
    expect(conns.data.maxConnectionsSource).toMatch(/^derived from writer golden-path-aurora-prod-1 \(db\.r6g\.large, 16 GiB\): LEAST\(16 GiB \/ 9531392, 5000\) = 1802/);
    expect(mocks.rds.commandCalls(DescribeDBClustersCommand, { DBClusterIdentifier: DB_CLUSTER })).not.toHaveLength(0);
    expect(mocks.rds.commandCalls(DescribeDBInstancesCommand, { DBInstanceIdentifier: `${DB_CLUSTER}-1` }, true)).toHaveLength(1);
    expect(conns.evidence.map((e) => e.cli).join('\n')).toContain(`--db-instance-identifier ${DB_CLUSTER}-1`);
  });
});

describe('db-connection-exhaustion: rollouts that do not end well', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Diagnose, then force a new deployment with the runbook's own timings on a simulated clock. */
  async function forceDeployment(prepare: () => void = () => {}) {
    const resolved = goldenPath({ params: REAL_TIMINGS });
    const plan = (await runDiagnosis(resolved)).proposals.find((p) => p.remediationId === 'force-new-deployment')!;
    prepare();
    return inSimulatedTime(applyRemediation(resolved, plan));
  }

  it('reports a service that does not settle within the bound as not stable, and not verified', async () => {
    useSimulatedClock();
    leak((s) => (s.rollout = 'stuck'));
    const outcome = await forceDeployment();
    expect(mocks.ecs.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input)).toEqual([
      { cluster: CLUSTER, service: SERVICE, forceNewDeployment: true },
    ]);
    expect(outcome.execution!.summary).toBe(
      'Forced a new deployment of golden-path-service-prod; service NOT stable: not stable within 600 s ' +
        '(deployment ecs-svc/9182736450918273645 IN_PROGRESS, 0/4 running, 2 deployment(s))',
    );
    expect(outcome.verification).toMatchObject({ ok: false });
    expect(outcome.verification!.summary).toContain('deployment ecs-svc/9182736450918273645 did not finish in time');
    expect(outcome.verification!.summary).toContain('service not stable: 4/4 running, 2 deployment(s)');
  });

  it('stops watching at FAILED (circuit breaker) and reports it, not verified', async () => {
    useSimulatedClock();
    leak((s) => (s.rollout = 'fails'));
    const outcome = await forceDeployment();
    expect(mocks.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(1);
    expect(outcome.execution!.summary).toBe(
      'Forced a new deployment of golden-path-service-prod; deployment ecs-svc/9182736450918273645 FAILED: ECS deployment circuit breaker: tasks failed to start.',
    );
    expect(outcome.verification!.ok).toBe(false);
    expect(outcome.verification!.summary).toContain('deployment ecs-svc/9182736450918273645 FAILED: ECS deployment circuit breaker');
    expect(outcome.verification!.summary).toContain('deployment FAILED');
  });

  it('reports FAILED with the rollback ECS started, when the circuit breaker rolls back', async () => {
    useSimulatedClock();
    leak((s) => (s.rollout = 'rolls-back'));
    const outcome = await forceDeployment();
    expect(outcome.execution!.summary).toBe(
      'Forced a new deployment of golden-path-service-prod; deployment ecs-svc/9182736450918273645 FAILED: ECS deployment circuit breaker: tasks failed to start.; ' +
        'ECS is rolling back to ecs-svc/5647382910564738291 (golden-path-app-prod:42)',
    );
    expect(outcome.verification!.ok).toBe(false);
  });

  it('never calls a rolled-back deployment improved, though the rollback restarted the tasks and connections fell', async () => {
    useSimulatedClock();
    // FAILED at 18:02:40 and rolled back by 18:02:45, between two DescribeServices (18:02:35, 18:02:50).
    leak((s) => {
      s.rollout = 'rolls-back';
      s.rolloutSeconds = 140;
      s.rollbackSeconds = 5;
    });
    const outcome = await forceDeployment();
    expect(outcome.execution!.summary).toBe(
      'Forced a new deployment of golden-path-service-prod; deployment ecs-svc/9182736450918273645 is gone (rolled back): ' +
        'deployment ecs-svc/9182736450918273645 is no longer in the service; ecs-svc/5647382910564738291 (golden-path-app-prod:42) is PRIMARY, COMPLETED',
    );
    // What the old services-stable check saw: one deployment, every task running, and far fewer connections.
    const ecs = outcome.after.find((f) => f.checkId === 'ecs-service')!;
    expect(ecs.data).toMatchObject({ steady: true, deploymentCount: 1, primaryRolloutState: 'COMPLETED', change: { end: 'rolled-back', present: false } });
    expect(ecs.summary).toContain("the change's deployment ecs-svc/9182736450918273645 rolled back, no longer in the service");
    expect(outcome.verification!.summary).toContain('DatabaseConnections 853 → 60 of 1000 (ok)');
    // … and still not verified: the change did not land.
    expect(outcome.verification!.ok).toBe(false);
    expect(outcome.verification!.summary).toMatch(/^not improved — deployment ecs-svc\/9182736450918273645 rolled back: /);
  });

  it('says the deployment could not be watched, naming ecs:DescribeServices, when that is refused after the update', async () => {
    useSimulatedClock();
    leak();
    let diagnosisCalls = 0;
    const outcome = await forceDeployment(() => {
      diagnosisCalls = mocks.ecs.commandCalls(DescribeServicesCommand).length;
      mocks.ecs.on(DescribeServicesCommand).rejects(
        new AccessDeniedException({ $metadata: { httpStatusCode: 400 }, message: `User: ${ROLE_SESSION} is not authorized to perform: ecs:DescribeServices on resource: ${SERVICE_ARN}` }),
      );
    });
    expect(outcome.executed).toBe(true);
    expect(mocks.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(1);
    expect(outcome.execution!.summary).toContain(
      `Forced a new deployment of golden-path-service-prod; the service was updated (deployment ecs-svc/9182736450918273645), but how the deployment ends could not be read: ` +
        `AWS refused ecs:DescribeServices on ${SERVICE_ARN} (AccessDeniedException)`,
    );
    expect(outcome.execution!.summary).toContain(`(next: grant role arn:aws:iam::123456789012:role/connbot-diagnostics the IAM action ecs:DescribeServices on ${SERVICE_ARN})`);
    // One refused call, not ten minutes of retrying it: before, the watch, after.
    expect(mocks.ecs.commandCalls(DescribeServicesCommand).length - diagnosisCalls).toBe(3);
    expect(outcome.verification!.ok).toBe(false);
    expect(outcome.verification!.summary).toContain('how the ECS deployment ended was not measured');
  });

  it('returns the refusal, naming ecs:UpdateService, when the role may not update the service', async () => {
    leak();
    mocks.ecs.on(UpdateServiceCommand).rejects(
      new AccessDeniedException({ $metadata: { httpStatusCode: 400 }, message: `User: ${ROLE_SESSION} is not authorized to perform: ecs:UpdateService` }),
    );
    const resolved = goldenPath();
    const plan = (await runDiagnosis(resolved)).proposals.find((p) => p.remediationId === 'force-new-deployment')!;
    const outcome = await applyRemediation(resolved, plan, { settleMs: 0 });
    expect(outcome.executed).toBe(false);
    expect(outcome.error).toMatch(new RegExp(`^AWS refused ecs:UpdateService on ${SERVICE_ARN} \\(AccessDeniedException\\)`));
  });
});
