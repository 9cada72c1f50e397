import type { AlertmanagerWebhook } from './alertmanager-payload.js';
import { alarmDimensions, parseCloudWatchAlarm, type AlarmState } from './cloudwatch-alarm.js';
import type { SnsNotification } from './sns-envelope.js';

/** One Prometheus alert out of an Alertmanager group. */
export interface PrometheusAlert {
  source: 'prometheus';
  alertname: string;
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  fingerprint: string;
  generatorURL: string;
}

/** One CloudWatch alarm state change delivered by SNS. */
export interface CloudWatchAlert {
  source: 'cloudwatch';
  alarmName: string;
  alarmArn: string;
  state: AlarmState;
  previousState: AlarmState | undefined;
  reason: string;
  stateChangeTime: string;
  region: string | undefined;
  accountId: string | undefined;
  /** Trigger.Dimensions by name (DBClusterIdentifier, …). */
  dimensions: Record<string, string>;
  /** The SNS delivery it came in. */
  snsMessageId: string;
  topicArn: string;
}

export type IncomingAlert = PrometheusAlert | CloudWatchAlert;

export function alertsFromAlertmanager(payload: AlertmanagerWebhook): PrometheusAlert[] {
  return payload.alerts.map((a) => ({
    source: 'prometheus',
    alertname: a.labels.alertname!,
    status: a.status,
    labels: a.labels,
    annotations: a.annotations,
    startsAt: a.startsAt,
    endsAt: a.endsAt,
    fingerprint: a.fingerprint,
    generatorURL: a.generatorURL,
  }));
}

/** A verified SNS Notification whose Message is a CloudWatch alarm; PAYLOAD_INVALID otherwise. */
export function alertFromSnsNotification(n: SnsNotification): CloudWatchAlert {
  const alarm = parseCloudWatchAlarm(n.Message);
  return {
    source: 'cloudwatch',
    alarmName: alarm.AlarmName,
    alarmArn: alarm.AlarmArn,
    state: alarm.NewStateValue,
    previousState: alarm.OldStateValue,
    reason: alarm.NewStateReason,
    stateChangeTime: alarm.StateChangeTime,
    region: alarm.AlarmArn.split(':')[3],
    accountId: alarm.AWSAccountId,
    dimensions: alarmDimensions(alarm),
    snsMessageId: n.MessageId,
    topicArn: n.TopicArn,
  };
}

/** Is the alert telling us something is wrong (firing / ALARM) rather than that it recovered? */
export function isProblem(alert: IncomingAlert): boolean {
  return alert.source === 'prometheus' ? alert.status === 'firing' : alert.state === 'ALARM';
}

/**
 * The alert's identity across deliveries and state changes — one Slack thread per identity. Alertmanager's
 * fingerprint is a hash of the label set; an alarm's ARN names it uniquely across accounts and regions.
 * Contains no ':' so it can be part of a BullMQ job id.
 */
export function alertKey(alert: IncomingAlert): string {
  if (alert.source === 'prometheus') return `am-${alert.fingerprint}`;
  return `cw-${alert.alarmArn.replace(/:/g, '/')}`;
}

/**
 * One delivery: retries of the same delivery get the same key (so they start no second run), a new episode or
 * the resolution gets a new one. Alertmanager re-sends a firing alert with the same fingerprint and startsAt;
 * SNS retries keep the MessageId.
 */
export function deliveryKey(alert: IncomingAlert): string {
  if (alert.source === 'prometheus') {
    const started = Date.parse(alert.startsAt);
    return `am-${alert.fingerprint}-${Number.isNaN(started) ? alert.startsAt.replace(/:/g, '') : started}-${alert.status}`;
  }
  return `sns-${alert.snsMessageId.replace(/:/g, '')}`;
}

/** The alert's name as people know it. */
export function alertName(alert: IncomingAlert): string {
  return alert.source === 'prometheus' ? alert.alertname : alert.alarmName;
}
