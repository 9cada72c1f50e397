import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runDiagnosis } from '../../../src/diagnosis/run-diagnosis.js';
import { applyRemediation } from '../../../src/remediation/apply-remediation.js';
import type { Finding } from '../../../src/domain/finding.js';
import type { RemediationPlan } from '../../../src/runbooks/types.js';
import { CLUSTER, FakeGoldenPath, SERVICE, mocks } from './fake-golden-path.js';
import { ACCOUNT } from './golden-path-names.js';
import { REAL_TIMINGS, goldenPath, overloadState } from './scenarios.js';
import { inSimulatedTime, useSimulatedClock } from './sim-clock.js';

function finding(findings: Finding[], id: string): Finding {
  return findings.find((x) => x.checkId === id)!;
}

async function scalePlan(resolved = goldenPath()): Promise<RemediationPlan> {
  const report = await runDiagnosis(resolved);
  const plan = report.proposals.find((p) => p.remediationId === 'scale-service');
  if (!plan) throw new Error(`no scale-service proposal: ${report.proposals.map((p) => p.remediationId).join(', ')}`);
  return plan;
}

describe('db-connection-exhaustion: task-count overload after scale-outs', () => {
  beforeEach(() => {
    useSimulatedClock();
    new FakeGoldenPath(overloadState()).install();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sees the scale-outs and connections following task count, and ranks task overload first', async () => {
    const report = await runDiagnosis(goldenPath());
    const ecs = finding(report.findings, 'ecs-service');
    expect(ecs.data.scaleOuts).toHaveLength(2);
    expect(ecs.summary).toContain('12 task(s) added by scale-out in 60 min');

    const tasks = finding(report.findings, 'tasks-vs-connections');
    expect(tasks.data).toMatchObject({ taskSource: 'container-insights', tracksTaskCount: true, scaledOut: true, tasksStart: 6, tasksEnd: 18 });
    expect(tasks.data.r as number).toBeGreaterThan(0.99);
    // The cluster's Sum over instances (writer 830 + reader 9) over the 18 tasks of that minute.
    expect(tasks.data).toMatchObject({ totalConnections: 839, perTaskTasks: 18, perTask: 46.6 });
    expect(tasks.summary).toMatch(/^46\.6 connections per task \(839 on all instances over 18 tasks\)/);
    // The limit is compared with the writer alone.
    expect(finding(report.findings, 'db-connections').data).toMatchObject({ current: 830, totalCurrent: 839, utilisationPct: 83 });

    expect(finding(report.findings, 'failure-mode').status).toBe('ok');
    expect(report.causes.map((c) => c.id)).toEqual(['task-count-overload', 'missing-pooling']);
    expect(report.causes[0]).toMatchObject({ confidence: 0.85 });
    expect(report.causes[0]!.explanation).toContain('Tasks went 6→18 (2 scale-out event(s))');
    // Many connections per task, but the tasks also multiplied: pooling is the lesser suspect, and turnover is not claimed.
    expect(report.causes[1]).toMatchObject({ id: 'missing-pooling', confidence: 0.4 });
    expect(report.causes[1]!.explanation).toBe(
      '46.6 connections per task over 18 task(s), more than a pool of 10 + 20 overflow holds (30); tasks also grew 6→18, which adds to it. ' +
        'Connection turnover is not measured (DatabaseConnections counts open connections, not new ones).',
    );
    expect(report.proposals.map((p) => p.remediationId)).toEqual(['force-new-deployment', 'scale-service']);
  });

  it('rebuilds the task count from service events when Container Insights is off', async () => {
    new FakeGoldenPath(overloadState({ containerInsights: false })).install();
    const report = await runDiagnosis(goldenPath());
    const tasks = finding(report.findings, 'tasks-vs-connections');
    expect(tasks.data).toMatchObject({ taskSource: 'service-events', tracksTaskCount: true, tasksStart: 6, tasksEnd: 18 });
    expect(report.causes[0]!.id).toBe('task-count-overload');
  });

  it('offers a menu of task counts within the catalog bounds, defaulting to the count before the scale-out', async () => {
    const plan = await scalePlan();
    expect(plan.params).toMatchObject({ desiredCount: 6, currentDesiredCount: 18, minTasks: 2, maxTasks: 20 });
    const choices = plan.params.choices as number[];
    expect(choices.length).toBeLessThanOrEqual(10);
    expect(choices).toEqual([...choices].sort((a, b) => a - b));
    expect(choices).toEqual(expect.arrayContaining([2, 6, 9, 17]));
    for (const n of choices) expect(n >= 2 && n < 18).toBe(true);
    expect(plan.steps[0]).toContain('--desired-count 6');
    expect(plan.targetKey).toBe(`ecs:${ACCOUNT}/us-east-1/${CLUSTER}/${SERVICE}`);
    expect(mocks.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('scales to the N the approver picked, once, and verifies the service settled with fewer connections', async () => {
    const resolved = goldenPath({ params: REAL_TIMINGS });
    const plan = await scalePlan(resolved);
    const picked = { ...plan, params: { ...plan.params, desiredCount: 9 } };
    // ECS stops 9 tasks within 120 s; the settle is 90 s; RDS publishes a minute late.
    const outcome = await inSimulatedTime(applyRemediation(resolved, picked));
    expect(outcome.error).toBeUndefined();
    expect(mocks.ecs.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input)).toEqual([
      { cluster: CLUSTER, service: SERVICE, desiredCount: 9 },
    ]);
    expect(mocks.ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
    // A resize keeps the deployment: the watch waits for its running count, not for a new deployment.
    expect(outcome.execution!.summary).toBe(
      'Set desired count of golden-path-service-prod to 9 (was 18); service stable after 120 s (deployment ecs-svc/4837261950384756102 COMPLETED, 9/9 running)',
    );
    // 9 remaining tasks × 46 connections, from the first minute after the resize finished (18:02:20).
    expect(outcome.verification!.summary).toContain('DatabaseConnections 830 → 414 of 1000 (ok)');
    expect(outcome.verification!.summary).toContain('desired count 9 (asked 9)');
    expect(outcome.verification!.ok).toBe(true);
  });

  it.each([1, 21, 2.5, '6'])('refuses to scale to %s (outside ecs.minTasks..maxTasks 2..20) and sends nothing', async (n) => {
    const resolved = goldenPath();
    const plan = await scalePlan();
    const outcome = await applyRemediation(resolved, { ...plan, params: { ...plan.params, desiredCount: n } }, { settleMs: 0 });
    expect(outcome.executed).toBe(false);
    expect(outcome.error).toMatch(/refusing to scale golden-path-service-prod to .* tasks: allowed 2\.\.20/);
    expect(mocks.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('refuses a plan made for another service', async () => {
    const resolved = goldenPath();
    const plan = await scalePlan();
    const outcome = await applyRemediation(resolved, { ...plan, params: { ...plan.params, service: 'other-service' } }, { settleMs: 0 });
    expect(outcome.executed).toBe(false);
    expect(outcome.error).toMatch(/plan is for other-service/);
    expect(mocks.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });
});
