import type { SnsEnvelope } from '../../alerts/sns-envelope.js';

/**
 * The string SNS signs: chosen fields in byte order of their names, each as `Name\nValue\n`
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html). Subject is part of it only
 * when the Notification has one.
 */
export function canonicalString(m: SnsEnvelope): string {
  const fields: Array<[string, string | undefined]> =
    m.Type === 'Notification'
      ? [
          ['Message', m.Message],
          ['MessageId', m.MessageId],
          ['Subject', m.Subject],
          ['Timestamp', m.Timestamp],
          ['TopicArn', m.TopicArn],
          ['Type', m.Type],
        ]
      : [
          ['Message', m.Message],
          ['MessageId', m.MessageId],
          ['SubscribeURL', m.SubscribeURL],
          ['Timestamp', m.Timestamp],
          ['Token', m.Token],
          ['TopicArn', m.TopicArn],
          ['Type', m.Type],
        ];
  return fields
    .filter((f): f is [string, string] => f[1] !== undefined)
    .map(([k, v]) => `${k}\n${v}\n`)
    .join('');
}
