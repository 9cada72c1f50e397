import type { Evidence, Status } from '../../../domain/finding.js';
import type { Check } from '../../types.js';
import type { DbConnectionParams } from '../params.js';
import { awsFailure } from '../aws-finding.js';
import { minuteWindow } from '../metric-window.js';
import { describeServiceCli, rdsMetricCli, runningTasksCli } from '../cli.js';
import { classifyEvents, scaleOutEvents, taskCountTimeline } from '../service-events.js';
import { pearson, round } from '../trend.js';

/**
 * Cause 2's investigation, "correlate task count with connection count", and Cause 3's "connections per task".
 *
 * Connections are the total over every instance of the cluster: the cluster dimension's Sum at a 60 s period
 * (each instance publishes one sample a minute). Its Average would be the mean per instance and its Maximum the
 * busiest instance, neither of which is what the tasks hold.
 *
 * Task count over time comes from Container Insights' RunningTaskCount (ECS/ContainerInsights, per service),
 * fetched in the same GetMetricData call as the connections so both share timestamps. Container Insights is
 * opt-in per cluster; without it the series is empty, and the count is rebuilt from the service's own events
 * ("has started N tasks" / "has stopped N running tasks"), walking back from today's runningCount.
 */
export const tasksVsConnectionsCheck: Check<DbConnectionParams> = {
  id: 'tasks-vs-connections',
  title: 'Connections per task, and whether connections follow task count',
  timeoutMs: 20_000,
  skipUnless: (ctx) =>
    ctx.target.aws?.rds && ctx.target.aws.ecs ? undefined : 'needs both aws.rds and aws.ecs in the catalog',
  async run(ctx) {
    const aws = ctx.target.aws!;
    const ecs = aws.ecs!;
    const p = ctx.params;
    const client = ctx.integrations.aws();
    const { start, end } = minuteWindow(p.lookbackMinutes);
    const evidence: Evidence[] = [
      {
        call:
          `CloudWatch GetMetricData AWS/RDS DatabaseConnections DBClusterIdentifier=${aws.rds!.cluster} (Sum over instances, 60 s) + ECS/ContainerInsights RunningTaskCount ` +
          `ClusterName=${ecs.cluster} ServiceName=${ecs.service} (Average, 60 s), last ${p.lookbackMinutes} min`,
        cli: `${rdsMetricCli(aws, 'DatabaseConnections', p.lookbackMinutes, 60, 'Sum')}\n${runningTasksCli(aws, p.lookbackMinutes)}`,
      },
      { call: `ECS DescribeServices cluster=${ecs.cluster} services=[${ecs.service}]`, cli: describeServiceCli(aws) },
    ];
    try {
      const [series, svc] = await Promise.all([
        client.metricData(
          [
            { id: 'conns', namespace: 'AWS/RDS', metricName: 'DatabaseConnections', dimensions: { DBClusterIdentifier: aws.rds!.cluster }, stat: 'Sum', periodSeconds: 60 },
            { id: 'tasks', namespace: 'ECS/ContainerInsights', metricName: 'RunningTaskCount', dimensions: { ClusterName: ecs.cluster, ServiceName: ecs.service }, stat: 'Average', periodSeconds: 60 },
          ],
          { start, end },
          ctx.signal,
        ),
        client.describeService({ cluster: ecs.cluster, service: ecs.service }, ctx.signal),
      ]);
      const conns = series.get('conns')?.points ?? [];
      const taskPoints = series.get('tasks')?.points ?? [];
      const events = classifyEvents(svc.events.filter((e) => e.at >= start.getTime()));
      const fromInsights = taskPoints.length > 0;
      const timeline = taskCountTimeline(svc.running, events);
      const taskAt = fromInsights ? nearest(taskPoints) : timeline;
      const source = fromInsights ? 'Container Insights RunningTaskCount' : 'rebuilt from the service events (Container Insights has no RunningTaskCount)';

      if (conns.length === 0) {
        return { status: 'unknown', summary: `no DatabaseConnections datapoints in the last ${p.lookbackMinutes} min`, evidence };
      }
      const pairs = conns.map(([t, c]) => ({ t, conns: c, tasks: taskAt(t) }));
      const r = pearson(pairs.map((x) => x.tasks), pairs.map((x) => x.conns));
      // The newest datapoint is a minute or two old: divide by the tasks running in that minute.
      const newest = pairs[pairs.length - 1]!;
      const nowConns = newest.conns;
      const nowTasks = Math.round(newest.tasks);
      const perTask = nowTasks > 0 ? nowConns / nowTasks : undefined;
      const tasksStart = pairs[0]!.tasks;
      const tasksEnd = svc.running;
      const tasksMax = Math.max(...pairs.map((x) => x.tasks), tasksEnd);
      const scaleOuts = scaleOutEvents(events, svc.deployments);
      const scaledOut = tasksEnd > tasksStart || scaleOuts.length > 0;
      const tracks = r !== undefined && r >= p.taskCorrelationMin;

      const status: Status = perTask === undefined ? 'unknown' : perTask > p.connectionsPerTaskWarn ? 'warn' : 'ok';
      const perTaskText =
        perTask === undefined
          ? 'no running tasks'
          : `${round(perTask)} connections per task (${round(nowConns)} on all instances over ${nowTasks} tasks)`;
      const rText = r === undefined ? 'task count did not change, so no correlation' : `r = ${round(r, 2)} between task count and connections${tracks ? ': connections track task count' : ''}`;
      const scaleText = scaledOut ? `; tasks ${tasksStart}→${tasksEnd} in ${p.lookbackMinutes} min` : '';
      const every5 = pairs.filter((_, i) => i % 5 === 0 || i === pairs.length - 1);
      return {
        status,
        summary: `${perTaskText}; ${rText}${scaleText}`,
        details: [
          {
            kind: 'table',
            caption: `Tasks (${source}) and connections`,
            columns: ['time (UTC)', 'tasks', 'connections', 'per task'],
            rows: every5.map((x) => [
              new Date(x.t).toISOString().slice(11, 16),
              String(round(x.tasks)),
              String(round(x.conns)),
              x.tasks > 0 ? String(round(x.conns / x.tasks)) : '-',
            ]),
          },
          {
            kind: 'text',
            text:
              `Task count source: ${source}. ` +
              `Pooled tasks hold about the same number of connections each, so total connections follow task count (r near 1); ` +
              `a leak climbs while task count stays put.`,
          },
        ],
        evidence,
        data: {
          r: r === undefined ? undefined : round(r, 3),
          tracksTaskCount: tracks,
          perTask: perTask === undefined ? undefined : round(perTask),
          running: svc.running,
          perTaskTasks: nowTasks,
          totalConnections: round(nowConns),
          desired: svc.desired,
          tasksStart,
          tasksEnd,
          tasksMax,
          scaledOut,
          scaleOutEvents: scaleOuts.length,
          taskSource: fromInsights ? 'container-insights' : 'service-events',
        },
      };
    } catch (err) {
      return awsFailure(err, evidence);
    }
  },
};

/** The task count at the closest Container Insights sample. */
function nearest(points: ReadonlyArray<readonly [number, number]>): (at: number) => number {
  return (at) => {
    let best = points[0]!;
    for (const p of points) if (Math.abs(p[0] - at) < Math.abs(best[0] - at)) best = p;
    return best[1];
  };
}
