import type { EcsDeployment, EcsEvent } from '../../integrations/aws/ecs-service.js';

export type ServiceEventKind =
  | 'started'
  | 'stopped'
  | 'steady'
  | 'deployment-completed'
  | 'deployment-failed'
  | 'unable-to-place'
  | 'unhealthy'
  | 'other';

export interface ServiceEvent extends EcsEvent {
  kind: ServiceEventKind;
  /** Tasks started or stopped, for those kinds. */
  tasks: number;
}

// ECS writes these in English, in a stable form: "(service x) has started 2 tasks: (task a) (task b)."
const PATTERNS: Array<[ServiceEventKind, RegExp]> = [
  ['started', /has started (\d+) tasks?/],
  ['stopped', /has stopped (\d+) running tasks?/],
  ['steady', /has reached a steady state/],
  ['deployment-failed', /deployment failed|rolling back|circuit breaker/i],
  ['deployment-completed', /deployment completed/],
  ['unable-to-place', /unable to place a task/],
  ['unhealthy', /unhealthy|failed container health checks|failed ELB health checks|Essential container .* exited/i],
];

export function classifyEvents(events: readonly EcsEvent[]): ServiceEvent[] {
  return events.map((e) => {
    for (const [kind, re] of PATTERNS) {
      const m = e.message.match(re);
      if (m) return { ...e, kind, tasks: m[1] ? Number(m[1]) : 0 };
    }
    return { ...e, kind: 'other', tasks: 0 };
  });
}

const PAIRING_WINDOW_MS = 5 * 60_000;
const DEPLOYMENT_WINDOW_MS = 15 * 60_000;

/**
 * Task starts that grew the service, rather than replaced tasks. ECS's events do not name autoscaling, so this
 * reads them the way a person would: a start with no stop near it and no deployment just created is a scale-out.
 */
export function scaleOutEvents(events: readonly ServiceEvent[], deployments: readonly EcsDeployment[]): ServiceEvent[] {
  return events.filter(
    (e) =>
      e.kind === 'started' &&
      !events.some((s) => s.kind === 'stopped' && Math.abs(s.at - e.at) <= PAIRING_WINDOW_MS) &&
      !deployments.some((d) => d.createdAt !== undefined && d.createdAt <= e.at && e.at - d.createdAt <= DEPLOYMENT_WINDOW_MS),
  );
}

/**
 * Running tasks over time, rebuilt from the events backwards from today's runningCount: before a "started N"
 * there were N fewer, before a "stopped N" N more. Used when Container Insights has no RunningTaskCount.
 */
export function taskCountTimeline(runningNow: number, events: readonly ServiceEvent[]): (at: number) => number {
  const newestFirst = [...events].filter((e) => e.kind === 'started' || e.kind === 'stopped').sort((a, b) => b.at - a.at);
  const steps: Array<{ at: number; after: number }> = [];
  let count = runningNow;
  for (const e of newestFirst) {
    steps.push({ at: e.at, after: count });
    count = Math.max(0, count + (e.kind === 'started' ? -e.tasks : e.tasks));
  }
  const before = count;
  return (at) => steps.find((s) => s.at <= at)?.after ?? before;
}
