import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildContext, runDiagnosis } from '../../../src/diagnosis/run-diagnosis.js';
import { runCheck } from '../../../src/diagnosis/run-checks.js';
import type { Finding } from '../../../src/domain/finding.js';
import { Integrations } from '../../../src/integrations/integrations.js';
import { silentLogger } from '../../../src/log.js';
import { dbConnectionsCheck } from '../../../src/runbooks/db-connection-exhaustion/checks/db-connections.js';
import { ecsServiceCheck } from '../../../src/runbooks/db-connection-exhaustion/checks/ecs-service.js';
import type { RolloutData } from '../../../src/runbooks/db-connection-exhaustion/after-change.js';
import { forceNewDeployment } from '../../../src/runbooks/db-connection-exhaustion/remediations/force-new-deployment.js';
import type { DbConnectionParams } from '../../../src/runbooks/db-connection-exhaustion/params.js';
import type { Check, ExecutionResult, RemediationPlan, RunbookContext } from '../../../src/runbooks/types.js';
import { CLUSTER, FakeGoldenPath, SERVICE, mocks } from './fake-golden-path.js';
import { goldenPath, leakState } from './scenarios.js';
import { useSimulatedClock } from './sim-clock.js';

const CURRENT_DEPLOYMENT = 'ecs-svc/4837261950384756102';

/**
 * The verifying checks and verify() learn how a change went from the execution result alone: here no
 * UpdateService is ever sent, and each check runs on Integrations of its own, yet they judge the change the
 * result describes.
 */
describe('db-connection-exhaustion: verification reads the execution result', () => {
  let fake: FakeGoldenPath;
  beforeEach(() => {
    useSimulatedClock();
    fake = new FakeGoldenPath(leakState());
    fake.install();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function rollout(over: Partial<RolloutData> = {}): RolloutData {
    // Finished at 17:50:00: the minutes 17:50 … 17:58 are published and count.
    const finishedAt = fake.epoch - 10 * 60_000;
    return { cluster: CLUSTER, service: SERVICE, deploymentId: CURRENT_DEPLOYMENT, end: 'completed', requestedAt: finishedAt - 150_000, finishedAt, ...over };
  }

  async function rerun(check: Check<DbConnectionParams>, execution: ExecutionResult | undefined, plan: RemediationPlan): Promise<Finding> {
    const resolved = goldenPath();
    const integrations = new Integrations(resolved.target, 'services.golden-path.envs.prod');
    try {
      const ctx = buildContext(resolved, integrations, silentLogger, new AbortController().signal);
      return await runCheck(check, { ...ctx, ...(execution ? { afterRemediation: { plan, execution } } : {}) } as RunbookContext<DbConnectionParams>);
    } finally {
      await integrations.close();
    }
  }

  it('keeps only the datapoints from after the change the execution result reports, and says how its deployment ended', async () => {
    const plan = (await runDiagnosis(goldenPath())).proposals.find((p) => p.remediationId === 'force-new-deployment')!;
    const execution = { summary: 'forced', data: { rollout: rollout() } };

    const conns = await rerun(dbConnectionsCheck, execution, plan);
    expect(conns.data).toMatchObject({ postChange: true, changeFinishedAt: fake.epoch - 10 * 60_000, current: 853 });
    expect((conns.details.find((d) => d.kind === 'series') as { points: unknown[] }).points).toHaveLength(9);

    const ecs = await rerun(ecsServiceCheck, execution, plan);
    expect(ecs.data.change).toEqual({
      deploymentId: CURRENT_DEPLOYMENT,
      end: 'completed',
      reason: undefined,
      finishedAt: fake.epoch - 10 * 60_000,
      present: true,
      rolloutStateNow: 'COMPLETED',
    });
    expect(mocks.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);

    // Without an execution result, or with one for another service, the same checks measure as a diagnosis does.
    expect((await rerun(dbConnectionsCheck, undefined, plan)).data.postChange).toBeUndefined();
    const elsewhere = { summary: 'forced', data: { rollout: rollout({ service: 'another-service' }) } };
    expect((await rerun(dbConnectionsCheck, elsewhere, plan)).data.postChange).toBeUndefined();
    expect((await rerun(ecsServiceCheck, elsewhere, plan)).data.change).toBeUndefined();
  });

  it('judges the rollout by the execution result handed to verify()', async () => {
    const report = await runDiagnosis(goldenPath());
    const plan = report.proposals.find((p) => p.remediationId === 'force-new-deployment')!;
    const before = new Map(report.findings.map((f) => [f.checkId, f]));
    const execution = { summary: 'forced', data: { rollout: rollout({ end: 'failed', reason: 'ECS deployment circuit breaker: tasks failed to start.' }) } };
    const after = new Map(
      (await Promise.all([dbConnectionsCheck, ecsServiceCheck].map((c) => rerun(c, execution, plan)))).map((f) => [f.checkId, f]),
    );
    // The service itself looks steady: only the execution result says the change FAILED.
    const failed = forceNewDeployment.verify!(plan, before, after, execution);
    expect(failed).toEqual({
      ok: false,
      summary:
        `not improved — deployment ${CURRENT_DEPLOYMENT} FAILED: ECS deployment circuit breaker: tasks failed to start.; ` +
        'DatabaseConnections 853 → 853 of 1000 (warn); service stable: 4/4 running, 1 deployment(s)',
    });
    // No execution result: how the deployment ended is not known, so nothing is verified.
    expect(forceNewDeployment.verify!(plan, before, after).summary).toMatch(/^not improved — how the ECS deployment ended was not measured; /);
  });
});
