import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { beforeEach, describe, expect, it } from 'vitest';
import { runDiagnosis } from '../../../src/diagnosis/run-diagnosis.js';
import { applyRemediation } from '../../../src/remediation/apply-remediation.js';
import type { Finding } from '../../../src/domain/finding.js';
import type { RemediationPlan } from '../../../src/runbooks/types.js';
import { CLUSTER, FakeGoldenPath, SERVICE, mocks } from './fake-golden-path.js';
import { goldenPath, overloadState } from './scenarios.js';

function finding(findings: Finding[], id: string): Finding {
  return findings.find((x) => x.checkId === id)!;
}

async function scalePlan(): Promise<RemediationPlan> {
  const report = await runDiagnosis(goldenPath());
  const plan = report.proposals.find((p) => p.remediationId === 'scale-service');
  if (!plan) throw new Error(`no scale-service proposal: ${report.proposals.map((p) => p.remediationId).join(', ')}`);
  return plan;
}

describe('db-connection-exhaustion: task-count overload after scale-outs', () => {
  beforeEach(() => new FakeGoldenPath(overloadState()).install());

  it('sees the scale-outs and connections following task count, and ranks task overload first', async () => {
    const report = await runDiagnosis(goldenPath());
    const ecs = finding(report.findings, 'ecs-service');
    expect(ecs.data.scaleOuts).toHaveLength(2);
    expect(ecs.summary).toContain('12 task(s) added by scale-out in 60 min');

    const tasks = finding(report.findings, 'tasks-vs-connections');
    expect(tasks.data).toMatchObject({ taskSource: 'container-insights', tracksTaskCount: true, scaledOut: true, tasksStart: 6, tasksEnd: 18 });
    expect(tasks.data.r as number).toBeGreaterThan(0.99);
    expect(tasks.data.perTask).toBeCloseTo(45.9, 1);

    expect(finding(report.findings, 'failure-mode').status).toBe('ok');
    expect(report.causes.map((c) => c.id)).toEqual(['task-count-overload', 'missing-pooling']);
    expect(report.causes[0]).toMatchObject({ confidence: 0.85 });
    expect(report.causes[0]!.explanation).toContain('Tasks went 6→18 (2 scale-out event(s))');
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
    expect(plan.targetKey).toBe(`ecs:us-east-1/${CLUSTER}/${SERVICE}`);
    expect(mocks.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('scales to the N the approver picked, once, and verifies the service settled with fewer connections', async () => {
    const resolved = goldenPath();
    const plan = await scalePlan();
    const picked = { ...plan, params: { ...plan.params, desiredCount: 9 } };
    const outcome = await applyRemediation(resolved, picked, { settleMs: 0 });
    expect(outcome.error).toBeUndefined();
    expect(mocks.ecs.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input)).toEqual([
      { cluster: CLUSTER, service: SERVICE, desiredCount: 9 },
    ]);
    expect(mocks.ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
    expect(outcome.execution!.summary).toMatch(/^Set desired count of golden-path-service-prod to 9 \(was 18\); service stable after \d+ s/);
    // 9 fresh tasks × 46 connections (+2 on the minute's Maximum).
    expect(outcome.verification!.summary).toContain('DatabaseConnections 829 → 416 of 1000 (ok)');
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
