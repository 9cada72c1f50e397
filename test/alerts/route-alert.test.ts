import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CatalogSchema, type Catalog } from '../../src/catalog/schema.js';
import { parseAlertmanagerWebhook } from '../../src/alerts/alertmanager-payload.js';
import { alertFromSnsNotification, alertsFromAlertmanager, type PrometheusAlert } from '../../src/alerts/incoming-alert.js';
import { parseSnsEnvelope, type SnsNotification } from '../../src/alerts/sns-envelope.js';
import { routeAlert } from '../../src/alerts/route-alert.js';

const catalog: Catalog = CatalogSchema.parse({
  version: 1,
  services: {
    'golden-path': {
      runbooks: ['db-connection-exhaustion'],
      envs: { prod: {}, staging: {} },
      alerts: [
        { cloudwatch: { alarmName: 'golden-path-rds-connections-prod' }, env: 'prod' },
        { cloudwatch: { alarmName: 'golden-path-rds-connections-staging' }, env: 'staging' },
        { cloudwatch: { alarmName: 'golden-path-shared-alarm' }, envFromLabel: 'Environment' },
      ],
    },
    tickstorm: {
      runbooks: ['connection-drop-rate'],
      envs: { prod: {}, staging: {} },
      alerts: [{ prometheus: { alertname: 'TickStormConnectionDropRate' }, envFromLabel: 'env' }],
    },
    'redis-master': {
      runbooks: ['redis-pool-exhaustion', 'connection-errors'],
      envs: { prod: {} },
      alerts: [
        { prometheus: { alertname: 'RedisConnectionPoolExhausted', matchers: { cluster: 'main' } }, runbook: 'redis-pool-exhaustion' },
        { prometheus: { alertname: 'RedisDown' }, runbook: 'connection-errors' },
      ],
    },
  },
});

const firing = alertsFromAlertmanager(
  parseAlertmanagerWebhook(readFileSync(new URL('./fixtures/alertmanager-firing-real.json', import.meta.url), 'utf8')),
)[0]!;
const sns = parseSnsEnvelope(readFileSync(new URL('./fixtures/sns-cloudwatch-alarm.json', import.meta.url), 'utf8')) as SnsNotification;

const withLabels = (alertname: string, labels: Record<string, string>): PrometheusAlert => ({
  ...firing,
  alertname,
  labels: { alertname, ...labels },
});

function alarm(alarmName: string, dimensions: Array<{ name: string; value: string }> = []) {
  const message = JSON.parse(sns.Message);
  message.AlarmName = alarmName;
  message.AlarmArn = `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${alarmName}`;
  message.Trigger.Dimensions = dimensions;
  return alertFromSnsNotification({ ...sns, Message: JSON.stringify(message) });
}

describe('routeAlert', () => {
  it('routes the real TickStorm alert by alertname, with the env from its label', () => {
    expect(routeAlert(catalog, firing)).toEqual({ service: 'tickstorm', env: 'prod', runbookId: 'connection-drop-rate' });
    expect(routeAlert(catalog, withLabels('TickStormConnectionDropRate', { env: 'staging' }))).toMatchObject({ env: 'staging' });
  });

  it('routes a CloudWatch alarm by name to its fixed env', () => {
    expect(routeAlert(catalog, alertFromSnsNotification(sns))).toEqual({
      service: 'golden-path',
      env: 'prod',
      runbookId: 'db-connection-exhaustion',
    });
    expect(routeAlert(catalog, alarm('golden-path-rds-connections-staging'))).toMatchObject({ env: 'staging' });
  });

  it('takes a CloudWatch env from the trigger dimension named by envFromLabel', () => {
    expect(routeAlert(catalog, alarm('golden-path-shared-alarm', [{ name: 'Environment', value: 'staging' }]))).toMatchObject({
      service: 'golden-path',
      env: 'staging',
    });
  });

  it('applies label matchers and the rule runbook; a single-env service needs no env', () => {
    expect(routeAlert(catalog, withLabels('RedisConnectionPoolExhausted', { cluster: 'main' }))).toEqual({
      service: 'redis-master',
      env: 'prod',
      runbookId: 'redis-pool-exhaustion',
    });
    expect(routeAlert(catalog, withLabels('RedisDown', {}))).toMatchObject({ runbookId: 'connection-errors' });
    expect(routeAlert(catalog, withLabels('RedisConnectionPoolExhausted', { cluster: 'cache' }))).toEqual({
      unmapped: 'no catalog alerts: rule matches Prometheus alert "RedisConnectionPoolExhausted"',
    });
  });

  it('says why an alert that matched a rule could not be routed', () => {
    expect(routeAlert(catalog, withLabels('TickStormConnectionDropRate', {}))).toEqual({
      unmapped:
        'Prometheus alert "TickStormConnectionDropRate" matched a catalog rule but services.tickstorm: the alert has no "env" label to pick the env from',
    });
    expect(routeAlert(catalog, withLabels('TickStormConnectionDropRate', { env: 'qa' }))).toEqual({
      unmapped:
        'Prometheus alert "TickStormConnectionDropRate" matched a catalog rule but services.tickstorm: alert env "qa" is not one of prod, staging',
    });
    expect(routeAlert(catalog, alarm('golden-path-shared-alarm'))).toMatchObject({ unmapped: expect.stringContaining('no "Environment" dimension') });
  });

  it('does not route an alert by a name from the other source', () => {
    expect(routeAlert(catalog, alarm('TickStormConnectionDropRate'))).toEqual({
      unmapped: 'no catalog alerts: rule matches CloudWatch alarm "TickStormConnectionDropRate"',
    });
  });
});
