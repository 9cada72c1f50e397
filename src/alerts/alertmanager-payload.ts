import { z } from 'zod';
import { jsonBody, parsePayload } from './parse-payload.js';

const labels = z.record(z.string(), z.string());

/** One alert of a webhook: https://prometheus.io/docs/alerting/latest/configuration/#webhook_config */
export const AlertmanagerAlertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: labels.refine((l) => typeof l.alertname === 'string' && l.alertname.length > 0, 'must carry alertname'),
  annotations: labels.default({}),
  startsAt: z.string().min(1),
  /** `0001-01-01T00:00:00Z` while firing. */
  endsAt: z.string().default('0001-01-01T00:00:00Z'),
  generatorURL: z.string().default(''),
  fingerprint: z.string().regex(/^[0-9a-f]{1,32}$/, 'must be a hex fingerprint'),
});

/** Alertmanager webhook payload, version 4. Extra fields from newer Alertmanagers are tolerated. */
export const AlertmanagerWebhookSchema = z.object({
  version: z.literal('4'),
  groupKey: z.string(),
  truncatedAlerts: z.number().int().min(0).default(0),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string(),
  groupLabels: labels.default({}),
  commonLabels: labels.default({}),
  commonAnnotations: labels.default({}),
  externalURL: z.string().default(''),
  alerts: z.array(AlertmanagerAlertSchema).min(1),
});

export type AlertmanagerAlert = z.infer<typeof AlertmanagerAlertSchema>;
export type AlertmanagerWebhook = z.infer<typeof AlertmanagerWebhookSchema>;

/** Parse a webhook body (text or parsed JSON); PAYLOAD_INVALID names what is wrong. */
export function parseAlertmanagerWebhook(body: unknown): AlertmanagerWebhook {
  return parsePayload(AlertmanagerWebhookSchema, jsonBody(body, 'Alertmanager webhook'), 'Alertmanager webhook (version 4)');
}
