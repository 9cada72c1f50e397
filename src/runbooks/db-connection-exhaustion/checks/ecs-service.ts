import type { AwsTarget } from '../../../catalog/schema.js';
import type { Evidence, Status } from '../../../domain/finding.js';
import { redactSecrets } from '../../../domain/redact-secrets.js';
import type { Check } from '../../types.js';
import type { DbConnectionParams } from '../params.js';
import { changeData, clock, rolloutUnderVerification, type ChangeData } from '../after-change.js';
import { awsFailure } from '../aws-finding.js';
import { describeServiceCli } from '../cli.js';
import { classifyEvents, scaleOutEvents } from '../service-events.js';

/**
 * Runbook step 5 and "Monitor deployment progress": tasks, deployments, and what the service did lately. When it
 * re-runs to verify a remediation (ctx.afterRemediation) it also says how the deployment that change created
 * ended, as the execution result reports it, and whether it is still the service's.
 */
export const ecsServiceCheck: Check<DbConnectionParams> = {
  id: 'ecs-service',
  title: 'ECS service tasks and deployments',
  timeoutMs: 15_000,
  skipUnless: (ctx) => (ctx.target.aws?.ecs ? undefined : 'no aws.ecs service in the catalog'),
  evidence: (ctx) => serviceEvidence(ctx.target.aws!, ctx.params),
  async run(ctx) {
    const aws = ctx.target.aws!;
    const ref = { cluster: aws.ecs!.cluster, service: aws.ecs!.service };
    const p = ctx.params;
    const evidence = serviceEvidence(aws, p);
    try {
      const client = ctx.integrations.aws();
      const svc = await client.describeService(ref, ctx.signal);
      const verifying = rolloutUnderVerification(ctx);
      const change = verifying ? changeData(verifying, svc) : undefined;
      const since = Date.now() - p.lookbackMinutes * 60_000;
      const events = classifyEvents(svc.events.filter((e) => e.at >= since));
      const scaleOuts = scaleOutEvents(events, svc.deployments);
      const primary = svc.deployments.find((d) => d.status === 'PRIMARY');
      const failedTasks = primary?.failedTasks ?? 0;
      const steady = svc.deployments.length === 1 && svc.running === svc.desired;
      const problems = events.filter((e) => e.kind === 'unable-to-place' || e.kind === 'unhealthy' || e.kind === 'deployment-failed');

      let status: Status = 'ok';
      if (svc.status !== 'ACTIVE' || primary?.rolloutState === 'FAILED') status = 'crit';
      else if (svc.running < svc.desired || failedTasks > 0 || problems.length > 0) status = 'warn';
      if (change && status === 'ok' && !(change.end === 'completed' && change.present)) status = 'warn';

      const rollout = svc.deployments.map((d) => `${d.status} ${d.rolloutState ?? '?'}`).join(', ');
      const summary =
        `${svc.running}/${svc.desired} tasks running (pending ${svc.pending}); ${svc.deployments.length} deployment(s): ${rollout}` +
        (primary?.rolloutState === 'FAILED' ? ` — ${primary.rolloutStateReason ?? 'rollout failed'}` : '') +
        (scaleOuts.length > 0 ? `; ${scaleOuts.reduce((n, e) => n + e.tasks, 0)} task(s) added by scale-out in ${p.lookbackMinutes} min` : '') +
        (failedTasks > 0 ? `; ${failedTasks} failed task(s)` : '') +
        (change ? `; the change's deployment ${describeChange(change)}` : '');
      return {
        status,
        summary: svc.status !== 'ACTIVE' ? `service ${ref.service} is ${svc.status}, not ACTIVE` : summary,
        details: [
          {
            kind: 'table',
            caption: 'Deployments',
            columns: ['id', 'status', 'rollout', 'running/desired', 'pending', 'failed', 'task definition', 'created'],
            rows: svc.deployments.map((d) => [
              d.id,
              d.status,
              d.rolloutState ?? '',
              `${d.running}/${d.desired}`,
              String(d.pending),
              String(d.failedTasks),
              d.taskDefinition,
              d.createdAt ? new Date(d.createdAt).toISOString() : '',
            ]),
          },
          {
            kind: 'table',
            caption: `Service events, last ${p.lookbackMinutes} min (newest first)`,
            columns: ['time (UTC)', 'kind', 'message'],
            rows: events
              .slice(0, p.serviceEventsShown)
              .map((e) => [new Date(e.at).toISOString().slice(11, 19), e.kind, redactSecrets(e.message).slice(0, 300)]),
          },
        ],
        evidence,
        data: {
          desired: svc.desired,
          running: svc.running,
          pending: svc.pending,
          steady,
          deploymentCount: svc.deployments.length,
          primaryDeploymentId: primary?.id,
          primaryRolloutState: primary?.rolloutState,
          failedTasks,
          scaleOuts: scaleOuts.map((e) => ({ at: e.at, tasks: e.tasks })),
          problemEvents: problems.length,
          ...(change ? { change } : {}),
        },
      };
    } catch (err) {
      return awsFailure(err, evidence);
    }
  },
};

function serviceEvidence(aws: AwsTarget, p: DbConnectionParams): Evidence[] {
  const ref = { cluster: aws.ecs!.cluster, service: aws.ecs!.service };
  return [
    { call: `ECS DescribeServices cluster=${ref.cluster} services=[${ref.service}] (${aws.region})`, cli: describeServiceCli(aws) },
    {
      call: 'the same DescribeServices answer: deployments and events',
      cli: describeServiceCli(aws, `'services[0].{Deployments:deployments[*].{Id:id,Status:status,Rollout:rolloutState,Running:runningCount},Events:events[:${p.serviceEventsShown}]}'`),
    },
  ];
}

function describeChange(c: ChangeData): string {
  const id = c.deploymentId ?? '?';
  const now = c.present ? `now ${c.rolloutStateNow ?? 'without a rollout state'}` : 'no longer in the service';
  switch (c.end) {
    case 'completed':
      return `${id} completed at ${clock(c.finishedAt)} UTC, ${now}`;
    case 'failed':
      return `${id} FAILED (${c.reason ?? 'no reason given'}), ${now}`;
    case 'rolled-back':
      return `${id} rolled back, ${now}`;
    case 'timed-out':
      return `${id} had not finished when the wait ended at ${clock(c.finishedAt)} UTC, ${now}`;
    case 'not-watched':
      return `${id} could not be watched (${c.reason ?? 'no DescribeServices answer'}), ${now}`;
  }
}
