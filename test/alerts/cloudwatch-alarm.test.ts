import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSnsEnvelope } from '../../src/alerts/sns-envelope.js';
import { parseCloudWatchAlarm } from '../../src/alerts/cloudwatch-alarm.js';
import { alertFromSnsNotification, alertKey, deliveryKey, isProblem } from '../../src/alerts/incoming-alert.js';

// Shaped like an SNS delivery of a CloudWatch alarm (AWS's documented format; the signature is not real).
const snsText = readFileSync(new URL('./fixtures/sns-cloudwatch-alarm.json', import.meta.url), 'utf8');

describe('SNS envelopes carrying CloudWatch alarms', () => {
  it('parses the envelope (sent as text/plain) and the alarm inside', () => {
    const envelope = parseSnsEnvelope(snsText);
    expect(envelope.Type).toBe('Notification');
    if (envelope.Type !== 'Notification') throw new Error('unreachable');
    const alert = alertFromSnsNotification(envelope);
    expect(alert).toMatchObject({
      source: 'cloudwatch',
      alarmName: 'golden-path-rds-connections-prod',
      alarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:golden-path-rds-connections-prod',
      state: 'ALARM',
      previousState: 'OK',
      region: 'us-east-1',
      accountId: '123456789012',
      dimensions: { DBClusterIdentifier: 'golden-path-aurora-prod' },
      snsMessageId: '5f0c2a8e-4a3b-5c1d-9e2f-1a2b3c4d5e6f',
      stateChangeTime: '2026-11-23T03:53:08.417+0000',
    });
    expect(alert.reason).toMatch(/^Threshold Crossed/);
    expect(isProblem(alert)).toBe(true);
    expect(alertKey(alert)).toBe('cw-arn/aws/cloudwatch/us-east-1/123456789012/alarm/golden-path-rds-connections-prod');
    expect(deliveryKey(alert)).toBe('sns-5f0c2a8e-4a3b-5c1d-9e2f-1a2b3c4d5e6f');
  });

  it('reads OK and INSUFFICIENT_DATA transitions, and alarms without a Trigger', () => {
    const base = JSON.parse(JSON.parse(snsText).Message);
    const ok = parseCloudWatchAlarm(JSON.stringify({ ...base, NewStateValue: 'OK', OldStateValue: 'ALARM' }));
    expect(ok.NewStateValue).toBe('OK');
    const { Trigger: _t, ...composite } = base;
    const missing = parseCloudWatchAlarm(JSON.stringify({ ...composite, NewStateValue: 'INSUFFICIENT_DATA' }));
    expect(missing.NewStateValue).toBe('INSUFFICIENT_DATA');
    expect(missing.Trigger).toBeUndefined();
  });

  it('parses subscription and unsubscribe confirmations', () => {
    const confirm = {
      Type: 'SubscriptionConfirmation',
      MessageId: '165545c9-2a5c-472c-8df2-7ff2be2b3b1b',
      Token: '2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594eeac82c01f235d0e717736',
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:connbot-alarms',
      Message: 'You have chosen to subscribe to the topic arn:aws:sns:us-east-1:123456789012:connbot-alarms.',
      SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:connbot-alarms&Token=2336',
      Timestamp: '2026-11-23T03:50:00.000Z',
      SignatureVersion: '2',
      Signature: 'c2ln',
      SigningCertURL: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem',
    };
    expect(parseSnsEnvelope(confirm).Type).toBe('SubscriptionConfirmation');
    expect(parseSnsEnvelope({ ...confirm, Type: 'UnsubscribeConfirmation' }).Type).toBe('UnsubscribeConfirmation');
    expect(() => parseSnsEnvelope({ ...confirm, Token: undefined })).toThrow(/Token/);
  });

  it('refuses envelopes and messages that are not what they claim', () => {
    const envelope = JSON.parse(snsText);
    expect(() => parseSnsEnvelope({ ...envelope, Type: 'Other' })).toThrow(/not a valid SNS message/);
    expect(() => parseSnsEnvelope({ ...envelope, SignatureVersion: '3' })).toThrow(/SignatureVersion/);
    expect(() => parseSnsEnvelope({ ...envelope, TopicArn: 'not-an-arn' })).toThrow(/TopicArn: must be an SNS topic ARN/);
    expect(() => parseCloudWatchAlarm('hello')).toThrow('SNS Message is not JSON, so not a CloudWatch alarm');
    const alarm = JSON.parse(envelope.Message);
    expect(() => parseCloudWatchAlarm(JSON.stringify({ ...alarm, NewStateValue: 'BROKEN' }))).toThrow(/NewStateValue/);
  });
});
