import { z } from 'zod';
import { parseDuration } from './duration.js';

const duration = z.string().transform((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration (like 90s, 15m, 1h)` });
    return z.NEVER;
  }
  return ms;
});

const slackChannel = z.string().regex(/^[CGD][A-Z0-9]{2,}$/, 'must be a Slack channel id (C…)');
const approverId = z.string().regex(/^[UWS][A-Z0-9]{2,}$/, 'must be a Slack user id (U…/W…) or user-group id (S…)');

export const ApprovalsSchema = z.strictObject({
  approvers: z.array(approverId).optional(),
  selfApprove: z.boolean().optional(),
  required: z.number().int().min(1).max(5).optional(),
  /** Approvals needed for a remediation with risk: high (default: `required`). */
  requiredHighRisk: z.number().int().min(1).max(5).optional(),
  expiresAfter: duration.optional(),
});

const ecs = z.strictObject({
  cluster: z.string().min(1),
  service: z.string().min(1),
  minTasks: z.number().int().min(0).optional(),
  maxTasks: z.number().int().min(1).optional(),
});

export const AwsTargetSchema = z.strictObject({
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region like us-east-1'),
  roleArn: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'must be an IAM role ARN').optional(),
  ecs: ecs.optional(),
  rds: z
    .strictObject({
      cluster: z.string().min(1),
      maxConnections: z.number().int().min(1).optional(),
    })
    .optional(),
  logs: z.strictObject({ group: z.string().min(1) }).optional(),
  ssm: z.strictObject({ failureModeParameter: z.string().startsWith('/') }).optional(),
});

export const RedisTargetSchema = z.strictObject({
  url: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL'),
  passwordFromEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name').optional(),
});

const k8sClient = z.strictObject({
  namespace: z.string().min(1),
  deployment: z.string().min(1).optional(),
  statefulset: z.string().min(1).optional(),
  poolSize: z.number().int().min(1),
});

export const K8sTargetSchema = z
  .strictObject({
    context: z.string().min(1).optional(),
    namespace: z.string().min(1).optional(),
    deployment: z.string().min(1).optional(),
    statefulset: z.string().min(1).optional(),
    selector: z.string().min(1).optional(),
    container: z.string().min(1).optional(),
    minReplicas: z.number().int().min(0).optional(),
    maxReplicas: z.number().int().min(1).optional(),
    clients: z.array(k8sClient).optional(),
  })
  .superRefine((k, ctx) => {
    if (k.deployment && k.statefulset)
      ctx.addIssue({ code: 'custom', message: 'name either deployment or statefulset, not both', path: ['statefulset'] });
    if ((k.deployment || k.statefulset) && !k.namespace)
      ctx.addIssue({ code: 'custom', message: 'required when a workload is named', path: ['namespace'] });
    if (k.minReplicas !== undefined && k.maxReplicas !== undefined && k.minReplicas > k.maxReplicas)
      ctx.addIssue({ code: 'custom', message: 'must not exceed maxReplicas', path: ['minReplicas'] });
    k.clients?.forEach((c, i) => {
      if (!c.deployment === !c.statefulset)
        ctx.addIssue({ code: 'custom', message: 'name exactly one of deployment or statefulset', path: ['clients', i] });
    });
  });

export const HttpTargetSchema = z.strictObject({
  health: z.url().optional(),
  detailedHealth: z.url().optional(),
  metrics: z.url().optional(),
  websocket: z.string().regex(/^wss?:\/\//, 'must be a ws:// or wss:// URL').optional(),
  /** The same endpoint as clients reach it, through the ingress / proxy: tells a proxy fault from the app's. */
  publicWebsocket: z.string().regex(/^wss?:\/\//, 'must be a ws:// or wss:// URL').optional(),
});

export const PrometheusTargetSchema = z.strictObject({
  url: z.url(),
  selector: z
    .string()
    .regex(/^\{.*\}$/, 'must be a PromQL label selector in braces, like {service="x"}')
    .optional(),
});

const escalation = z.strictObject({
  tiers: z.array(z.strictObject({ after: duration, notify: z.array(approverId).min(1) })).min(1),
});

export const EnvTargetSchema = z.strictObject({
  description: z.string().optional(),
  channel: slackChannel.optional(),
  aws: AwsTargetSchema.optional(),
  redis: RedisTargetSchema.optional(),
  k8s: K8sTargetSchema.optional(),
  http: HttpTargetSchema.optional(),
  prometheus: PrometheusTargetSchema.optional(),
  params: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).optional(),
  approvals: ApprovalsSchema.optional(),
  escalation: escalation.optional(),
});

const labelMatchers = z.record(z.string(), z.string());

const alertRule = z.union([
  z.strictObject({
    prometheus: z.strictObject({ alertname: z.string().min(1), matchers: labelMatchers.optional() }),
    env: z.string().optional(),
    envFromLabel: z.string().optional(),
    runbook: z.string().optional(),
  }),
  z.strictObject({
    cloudwatch: z.strictObject({ alarmName: z.string().min(1) }),
    env: z.string().optional(),
    envFromLabel: z.string().optional(),
    runbook: z.string().optional(),
  }),
]);

export const ServiceSchema = z.strictObject({
  description: z.string().optional(),
  runbooks: z.array(z.string().min(1)).min(1),
  envs: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'env names are lower-case words'), EnvTargetSchema),
  alerts: z.array(alertRule).optional(),
});

export const CatalogSchema = z.strictObject({
  version: z.literal(1),
  defaults: z
    .strictObject({
      channel: slackChannel.optional(),
      approvals: ApprovalsSchema.optional(),
      cooldown: duration.optional(),
      alerts: z
        .strictObject({
          /** A firing alert with no notification for this long is marked stale. */
          staleAfter: duration.optional(),
          /** A repeated firing re-runs the diagnosis only this long after the last one. */
          rediagnoseAfter: duration.optional(),
          /** New incidents per channel per minute above which a storm summary replaces threads. */
          stormThreshold: z.number().int().min(1).optional(),
        })
        .optional(),
    })
    .optional(),
  services: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'service names are lower-case words'), ServiceSchema),
});

export type Catalog = z.infer<typeof CatalogSchema>;
export type ServiceEntry = z.infer<typeof ServiceSchema>;
export type EnvTarget = z.infer<typeof EnvTargetSchema>;
export type AwsTarget = z.infer<typeof AwsTargetSchema>;
export type RedisTarget = z.infer<typeof RedisTargetSchema>;
export type K8sTarget = z.infer<typeof K8sTargetSchema>;
export type HttpTarget = z.infer<typeof HttpTargetSchema>;
export type PrometheusTarget = z.infer<typeof PrometheusTargetSchema>;
export type AlertRule = z.infer<typeof alertRule>;
