import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runDiagnosis } from '../../../src/diagnosis/run-diagnosis.js';
import type { Finding } from '../../../src/domain/finding.js';
import { AwsTargetClient } from '../../../src/integrations/aws/aws-target.js';
import { minuteWindow } from '../../../src/runbooks/db-connection-exhaustion/metric-window.js';
import { DB_CLUSTER, FakeGoldenPath, mocks } from './fake-golden-path.js';
import { goldenPath, leakState } from './scenarios.js';
import { useSimulatedClock } from './sim-clock.js';

function cpu(findings: Finding[]): Finding {
  return findings.find((f) => f.checkId === 'db-cpu')!;
}

describe('db-connection-exhaustion: database CPU on an Aurora cluster with a writer and a reader', () => {
  beforeEach(() => useSimulatedClock());
  afterEach(() => {
    vi.useRealTimers();
  });

  it('calls a pegged writer crit though the cluster average, with an idle reader, reads about 50 %', async () => {
    new FakeGoldenPath({ ...leakState(), writerCpu: () => 97, readerCpu: () => 4 }).install();
    const resolved = goldenPath();

    // What the cluster dimension alone says: the mean over the two instances.
    const clusterAvg = await new AwsTargetClient(resolved.target.aws!).metricData(
      [{ id: 'avg', namespace: 'AWS/RDS', metricName: 'CPUUtilization', dimensions: { DBClusterIdentifier: DB_CLUSTER }, stat: 'Average', periodSeconds: 300 }],
      minuteWindow(60),
    );
    expect(clusterAvg.get('avg')!.points.at(-1)![1]).toBe(50.5);
    mocks.cloudwatch.resetHistory();

    const f = cpu((await runDiagnosis(resolved)).findings);
    expect(f.status).toBe('crit');
    expect(f.data).toMatchObject({ current: 97, peak: 97, busiestCurrent: 97, busiestPeak: 97 });
    expect(f.summary).toBe('writer CPU 97% (last 5-min average), peak 97% in 60 min; busiest instance peak 97%');

    const call = mocks.cloudwatch
      .commandCalls(GetMetricDataCommand)
      .map((c) => c.args[0].input)
      .find((i) => i.MetricDataQueries?.some((q) => q.MetricStat?.Metric?.MetricName === 'CPUUtilization'))!;
    const cluster = [{ Name: 'DBClusterIdentifier', Value: DB_CLUSTER }];
    const writer = { Namespace: 'AWS/RDS', MetricName: 'CPUUtilization', Dimensions: [...cluster, { Name: 'Role', Value: 'WRITER' }] };
    const all = { Namespace: 'AWS/RDS', MetricName: 'CPUUtilization', Dimensions: cluster };
    // One call: the writer judged, the busiest instance shown.
    expect(call.MetricDataQueries).toEqual([
      { Id: 'writeravg', MetricStat: { Metric: writer, Period: 300, Stat: 'Average' }, ReturnData: true },
      { Id: 'writermax', MetricStat: { Metric: writer, Period: 300, Stat: 'Maximum' }, ReturnData: true },
      { Id: 'busiestmax', MetricStat: { Metric: all, Period: 300, Stat: 'Maximum' }, ReturnData: true },
    ]);
    expect(call.EndTime!.getTime() - call.StartTime!.getTime()).toBe(60 * 60_000);

    // The commands to re-run it by hand ask the same: the writer's Average and Maximum, the cluster's Maximum.
    expect(f.evidence.map((e) => e.call)).toEqual([
      `CloudWatch GetMetricData AWS/RDS CPUUtilization DBClusterIdentifier=${DB_CLUSTER} Role=WRITER Average+Maximum at 300 s, last 60 min (us-east-1)`,
      `CloudWatch GetMetricData AWS/RDS CPUUtilization DBClusterIdentifier=${DB_CLUSTER} Maximum at 300 s (the busiest instance), same call`,
    ]);
    expect(f.evidence[0]!.cli).toContain(`--metric-name CPUUtilization`);
    expect(f.evidence[0]!.cli).toContain(`--dimensions Name=DBClusterIdentifier,Value=${DB_CLUSTER} Name=Role,Value=WRITER`);
    expect(f.evidence[0]!.cli).toContain('--period 300 --statistics Average,Maximum');
    expect(f.evidence[1]!.cli).toContain(`--dimensions Name=DBClusterIdentifier,Value=${DB_CLUSTER} \\`);
    expect(f.evidence[1]!.cli).not.toContain('Name=Role');
    expect(f.evidence[1]!.cli).toContain('--period 300 --statistics Maximum');
  });

  it('judges the writer, and says so, when a reader is the hot instance', async () => {
    new FakeGoldenPath({ ...leakState(), writerCpu: () => 40, readerCpu: () => 92 }).install();
    const f = cpu((await runDiagnosis(goldenPath())).findings);
    expect(f.status).toBe('ok');
    expect(f.data).toMatchObject({ current: 40, busiestCurrent: 92 });
    expect(f.summary).toBe(
      'writer CPU 40% (last 5-min average), peak 40% in 60 min; busiest instance peak 92%; another instance reached 92% in the last 5 min, more than the writer',
    );
  });

  it('reads the usual scenario (writer ~36 %, reader ~5 %) as ok, on the writer', async () => {
    new FakeGoldenPath(leakState()).install();
    const f = cpu((await runDiagnosis(goldenPath())).findings);
    expect(f.status).toBe('ok');
    expect(f.data.current as number).toBeGreaterThanOrEqual(35);
    expect(f.data.current as number).toBeLessThanOrEqual(38);
    expect(f.data.busiestPeak).toBe(38);
  });
});
