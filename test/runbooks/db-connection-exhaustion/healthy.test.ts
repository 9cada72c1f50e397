import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runDiagnosis } from '../../../src/diagnosis/run-diagnosis.js';
import { FakeGoldenPath, mocks } from './fake-golden-path.js';
import { goldenPath, healthyState } from './scenarios.js';
import { useSimulatedClock } from './sim-clock.js';

describe('db-connection-exhaustion: a healthy Golden Path', () => {
  beforeEach(() => {
    useSimulatedClock();
    new FakeGoldenPath(healthyState()).install();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reports every check ok, no cause and nothing to approve', async () => {
    const report = await runDiagnosis(goldenPath());
    expect(report.status).toBe('ok');
    expect(Object.fromEntries(report.findings.map((f) => [f.checkId, f.status]))).toEqual({
      'db-connections': 'ok',
      'db-cpu': 'ok',
      'app-logs': 'ok',
      'db-cluster': 'ok',
      'ecs-service': 'ok',
      'tasks-vs-connections': 'ok',
      'failure-mode': 'ok',
    });
    const conns = report.findings.find((f) => f.checkId === 'db-connections')!;
    expect(conns.summary).toBe('43 connections of 1000 (4.3%) on the writer, not climbing');
    expect(conns.data.etaMinutes).toBeUndefined();
    expect(report.findings.find((f) => f.checkId === 'app-logs')!.summary).toBe('no errors logged in the last 15 min');
    expect(report.causes).toEqual([]);
    expect(report.proposals).toEqual([]);
    expect(mocks.ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
    expect(mocks.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });
});
