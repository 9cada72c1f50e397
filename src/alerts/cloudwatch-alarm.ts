import { z } from 'zod';
import { ConnbotError } from '../errors.js';
import { parsePayload } from './parse-payload.js';

export const AlarmStateSchema = z.enum(['ALARM', 'OK', 'INSUFFICIENT_DATA']);
export type AlarmState = z.infer<typeof AlarmStateSchema>;

const dimension = z.object({ name: z.string(), value: z.string() });

/** Single-metric alarms name the metric; metric-math alarms carry `Metrics` instead; composite alarms neither. */
const TriggerSchema = z.object({
  MetricName: z.string().optional(),
  Namespace: z.string().optional(),
  Statistic: z.string().nullish(),
  Dimensions: z.array(dimension).default([]),
  Period: z.number().optional(),
  EvaluationPeriods: z.number().optional(),
  ComparisonOperator: z.string().optional(),
  Threshold: z.number().optional(),
  Metrics: z.array(z.unknown()).optional(),
});

/** The JSON CloudWatch puts in an SNS Notification's `Message` when an alarm changes state. */
export const CloudWatchAlarmMessageSchema = z.object({
  AlarmName: z.string().min(1),
  AlarmDescription: z.string().nullish(),
  AWSAccountId: z.string().optional(),
  NewStateValue: AlarmStateSchema,
  NewStateReason: z.string().default(''),
  /** CloudWatch writes `2024-05-01T12:00:00.000+0000`, not strict ISO 8601. */
  StateChangeTime: z.string().min(1),
  Region: z.string().optional(),
  AlarmArn: z.string().regex(/^arn:aws[a-z-]*:cloudwatch:[a-z0-9-]+:\d{12}:alarm:.+$/, 'must be a CloudWatch alarm ARN'),
  OldStateValue: AlarmStateSchema.optional(),
  Trigger: TriggerSchema.optional(),
});

export type CloudWatchAlarmMessage = z.infer<typeof CloudWatchAlarmMessageSchema>;

/** Parse the `Message` text of an SNS Notification as a CloudWatch alarm state change. */
export function parseCloudWatchAlarm(message: string): CloudWatchAlarmMessage {
  let doc: unknown;
  try {
    doc = JSON.parse(message);
  } catch {
    throw new ConnbotError('PAYLOAD_INVALID', 'SNS Message is not JSON, so not a CloudWatch alarm');
  }
  return parsePayload(CloudWatchAlarmMessageSchema, doc, 'CloudWatch alarm message');
}

/** `Trigger.Dimensions` as a map, for env-from-dimension routing and reports. */
export function alarmDimensions(alarm: CloudWatchAlarmMessage): Record<string, string> {
  return Object.fromEntries((alarm.Trigger?.Dimensions ?? []).map((d) => [d.name, d.value]));
}
