import { z } from 'zod';
import { jsonBody, parsePayload } from './parse-payload.js';

const common = {
  MessageId: z.string().min(1),
  TopicArn: z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:.+$/, 'must be an SNS topic ARN'),
  Message: z.string(),
  Timestamp: z.string().min(1),
  SignatureVersion: z.enum(['1', '2']),
  Signature: z.string().min(1),
  SigningCertURL: z.string().min(1),
};

/** What SNS POSTs to an HTTPS subscription (https://docs.aws.amazon.com/sns/latest/dg/http-header.html). */
export const SnsNotificationSchema = z.object({
  Type: z.literal('Notification'),
  ...common,
  Subject: z.string().optional(),
  UnsubscribeURL: z.string().optional(),
  MessageAttributes: z.record(z.string(), z.unknown()).optional(),
});

const confirmation = {
  ...common,
  Token: z.string().min(1),
  SubscribeURL: z.string().min(1),
};

export const SnsSubscriptionConfirmationSchema = z.object({ Type: z.literal('SubscriptionConfirmation'), ...confirmation });
export const SnsUnsubscribeConfirmationSchema = z.object({ Type: z.literal('UnsubscribeConfirmation'), ...confirmation });

export const SnsEnvelopeSchema = z.discriminatedUnion('Type', [
  SnsNotificationSchema,
  SnsSubscriptionConfirmationSchema,
  SnsUnsubscribeConfirmationSchema,
]);

export type SnsNotification = z.infer<typeof SnsNotificationSchema>;
export type SnsSubscriptionConfirmation = z.infer<typeof SnsSubscriptionConfirmationSchema>;
export type SnsUnsubscribeConfirmation = z.infer<typeof SnsUnsubscribeConfirmationSchema>;
export type SnsEnvelope = z.infer<typeof SnsEnvelopeSchema>;

/** Parse an SNS delivery body (SNS sends JSON as text/plain). */
export function parseSnsEnvelope(body: unknown): SnsEnvelope {
  return parsePayload(SnsEnvelopeSchema, jsonBody(body, 'SNS message'), 'SNS message');
}
