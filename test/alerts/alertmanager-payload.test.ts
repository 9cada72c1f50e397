import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAlertmanagerWebhook } from '../../src/alerts/alertmanager-payload.js';
import { alertKey, alertsFromAlertmanager, deliveryKey, isProblem } from '../../src/alerts/incoming-alert.js';
import { ConnbotError } from '../../src/errors.js';

// Captured from a real Alertmanager 0.25 (shared/samples).
const firingText = readFileSync(new URL('./fixtures/alertmanager-firing-real.json', import.meta.url), 'utf8');
const resolvedText = readFileSync(new URL('./fixtures/alertmanager-resolved-real.json', import.meta.url), 'utf8');

function payloadError(body: unknown): ConnbotError {
  try {
    parseAlertmanagerWebhook(body);
  } catch (err) {
    expect(err).toBeInstanceOf(ConnbotError);
    return err as ConnbotError;
  }
  throw new Error('expected PAYLOAD_INVALID');
}

describe('Alertmanager webhook payloads', () => {
  it('parses the real firing payload from text', () => {
    const payload = parseAlertmanagerWebhook(firingText);
    expect(payload).toMatchObject({ version: '4', status: 'firing', receiver: 'bot', truncatedAlerts: 0 });
    const [alert] = alertsFromAlertmanager(payload);
    expect(alert).toMatchObject({
      source: 'prometheus',
      alertname: 'TickStormConnectionDropRate',
      status: 'firing',
      labels: { env: 'prod', service: 'tickstorm', severity: 'high' },
      fingerprint: 'f642092d5960404f',
      startsAt: '2026-11-23T03:54:45.344Z',
    });
    expect(isProblem(alert!)).toBe(true);
  });

  it('keeps the identity of an alert across firing and resolved, but not its delivery key', () => {
    const [firing] = alertsFromAlertmanager(parseAlertmanagerWebhook(JSON.parse(firingText)));
    const [resolved] = alertsFromAlertmanager(parseAlertmanagerWebhook(JSON.parse(resolvedText)));
    expect(isProblem(resolved!)).toBe(false);
    expect(alertKey(resolved!)).toBe(alertKey(firing!));
    expect(alertKey(firing!)).toBe('am-f642092d5960404f');
    expect(deliveryKey(firing!)).toBe(`am-f642092d5960404f-${Date.parse('2026-11-23T03:54:45.344Z')}-firing`);
    expect(deliveryKey(resolved!)).toBe(`am-f642092d5960404f-${Date.parse('2026-11-23T03:54:45.344Z')}-resolved`);
    // BullMQ refuses custom job ids with ':'.
    expect(deliveryKey(firing!)).not.toContain(':');
  });

  it('gives a re-sent firing alert the same delivery key and a new episode a new one', () => {
    const doc = JSON.parse(firingText);
    const again = alertsFromAlertmanager(parseAlertmanagerWebhook(structuredClone(doc)))[0]!;
    doc.alerts[0].startsAt = '2026-11-23T05:00:00.000Z';
    const later = alertsFromAlertmanager(parseAlertmanagerWebhook(doc))[0]!;
    const first = alertsFromAlertmanager(parseAlertmanagerWebhook(firingText))[0]!;
    expect(deliveryKey(again)).toBe(deliveryKey(first));
    expect(deliveryKey(later)).not.toBe(deliveryKey(first));
    expect(alertKey(later)).toBe(alertKey(first));
  });

  it('refuses other versions, alerts without alertname, bad fingerprints and non-JSON', () => {
    const doc = () => JSON.parse(firingText);
    expect(payloadError({ ...doc(), version: '3' }).message).toMatch(/^not a valid Alertmanager webhook \(version 4\): version:/);
    const noName = doc();
    delete noName.alerts[0].labels.alertname;
    expect(payloadError(noName).message).toContain('alerts.0.labels: must carry alertname');
    const badFp = doc();
    badFp.alerts[0].fingerprint = '../../etc';
    expect(payloadError(badFp).message).toContain('alerts.0.fingerprint');
    expect(payloadError({ ...doc(), alerts: [] }).message).toContain('alerts');
    expect(payloadError('{"version":').code).toBe('PAYLOAD_INVALID');
  });

  it('tolerates fields a newer Alertmanager may add', () => {
    const doc = JSON.parse(firingText);
    doc.newField = { x: 1 };
    doc.alerts[0].silencedBy = [];
    expect(parseAlertmanagerWebhook(doc).alerts).toHaveLength(1);
  });
});
