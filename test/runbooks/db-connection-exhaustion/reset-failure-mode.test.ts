import { AccessDeniedException, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { runDiagnosis } from '../../../src/diagnosis/run-diagnosis.js';
import { applyRemediation } from '../../../src/remediation/apply-remediation.js';
import { outcomeMessage } from '../../../src/render/slack/remediation-blocks.js';
import { outcomeText } from '../../../src/render/terminal/remediation-text.js';
import { FakeGoldenPath, PARAM, SERVICE_ARN, mocks } from './fake-golden-path.js';
import { goldenPath, leakState } from './scenarios.js';

const ROLE_SESSION = 'arn:aws:sts::123456789012:assumed-role/connbot-diagnostics/connbot';

async function resetPlan() {
  const resolved = goldenPath();
  const plan = (await runDiagnosis(resolved)).proposals.find((p) => p.remediationId === 'reset-failure-mode')!;
  return { resolved, plan };
}

describe('reset-failure-mode: a half-finished run', () => {
  it('reports the parameter as changed when UpdateService is then refused, and still verifies', async () => {
    const fake = new FakeGoldenPath(leakState());
    fake.install();
    mocks.ecs.on(UpdateServiceCommand).rejects(
      new AccessDeniedException({ $metadata: { httpStatusCode: 400 }, message: `User: ${ROLE_SESSION} is not authorized to perform: ecs:UpdateService` }),
    );
    const { resolved, plan } = await resetPlan();
    const outcome = await applyRemediation(resolved, plan, { settleMs: 0 });

    expect(mocks.ssm.commandCalls(PutParameterCommand)).toHaveLength(1);
    expect(fake.state.failureMode).toBe('none');
    expect(outcome.error).toBeUndefined();
    expect(outcome.executed).toBe(true);
    expect(outcome.partial!.done).toEqual([`set ${PARAM} to none (version 8)`]);
    expect(outcome.partial!.failed).toMatch(
      new RegExp(`^forcing a new deployment of golden-path-service-prod: AWS refused ecs:UpdateService on ${SERVICE_ARN} \\(AccessDeniedException\\)`),
    );
    // The IAM hint travels with the failed step.
    expect(outcome.partial!.failed).toContain('next: grant role arn:aws:iam::123456789012:role/connbot-diagnostics the IAM action ecs:UpdateService');
    expect(outcome.execution!.summary).toMatch(/^partly done — done: set \/golden\/failure_mode to none \(version 8\); failed: forcing a new deployment/);
    // The after-checks ran: the switch is off now, the connections are still where they were.
    expect(outcome.after.find((f) => f.checkId === 'failure-mode')).toMatchObject({ status: 'ok' });
    expect(outcome.after.find((f) => f.checkId === 'db-connections')?.status).toBe('crit');
    expect(outcome.verification).toMatchObject({ ok: false });
    expect(outcome.verification!.summary).toContain('failure mode none');

    const slack = outcomeMessage({ plan, outcome, approvedBy: 'U0APPROVER' });
    expect(slack.text).toBe('Turn off the connection-leak failure mode and restart the tasks: partly done');
    const headline = JSON.stringify(slack.blocks[0]);
    expect(headline).toContain('was only partly done');
    expect(headline).toContain('*Done (changed):*');
    expect(headline).toContain('set /golden/failure_mode to none (version 8)');
    expect(headline).toContain('*Failed:*');
    expect(headline).toContain('AWS refused ecs:UpdateService');

    const text = outcomeText(plan, outcome);
    expect(text).toContain('Partly done: Turn off the connection-leak failure mode and restart the tasks');
    expect(text).toContain('  done:   set /golden/failure_mode to none (version 8)');
    expect(text).toMatch(/ {2}failed: forcing a new deployment of golden-path-service-prod/);
    expect(text).toContain('Verification (before → after)');
  });

  it('reports both changes when the whole plan ran', async () => {
    new FakeGoldenPath(leakState()).install();
    const { resolved, plan } = await resetPlan();
    const outcome = await applyRemediation(resolved, plan, { settleMs: 0 });
    expect(outcome.partial).toBeUndefined();
    expect(outcome.changes).toEqual([`set ${PARAM} to none (version 8)`, 'forced a new deployment of golden-path-service-prod']);
  });

  it('is a plain failure, nothing changed, when PutParameter itself is refused', async () => {
    const fake = new FakeGoldenPath(leakState());
    fake.install();
    const { resolved, plan } = await resetPlan();
    mocks.ssm.on(PutParameterCommand).rejects(
      new AccessDeniedException({ $metadata: { httpStatusCode: 400 }, message: `User: ${ROLE_SESSION} is not authorized to perform: ssm:PutParameter` }),
    );
    const outcome = await applyRemediation(resolved, plan, { settleMs: 0 });
    expect(outcome.executed).toBe(false);
    expect(outcome.partial).toBeUndefined();
    expect(outcome.changes).toEqual([]);
    expect(outcome.error).toMatch(/ssm:PutParameter/);
    expect(mocks.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    expect(fake.state.failureMode).toBe('connection_leak');
  });
});
