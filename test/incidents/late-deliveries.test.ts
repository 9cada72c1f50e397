import { randomUUID } from 'node:crypto';
import type { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrometheusAlert } from '../../src/alerts/incoming-alert.js';
import type { AlertJob } from '../../src/incidents/alert-jobs.js';
import { IncidentStore } from '../../src/incidents/incident-store.js';
import { processAlertJob } from '../../src/incidents/process-alert-job.js';
import { startRedis, type PrivateRedis } from '../support/redis-server.js';
import { startTestBot, type TestBot } from '../support/start-test-bot.js';

const base: PrometheusAlert = {
  source: 'prometheus',
  alertname: 'Flapping',
  status: 'firing',
  labels: { alertname: 'Flapping' },
  annotations: {},
  startsAt: '2026-11-23T03:00:00.000Z',
  endsAt: '0001-01-01T00:00:00Z',
  fingerprint: '00000000000000aa',
  generatorURL: 'http://prometheus:9090/graph',
};

/** A job as the alert worker hands it over: each call is a different job (a retry keeps its deliveryId). */
function job(alert: PrometheusAlert): Job<AlertJob> {
  return { id: `alert_${randomUUID()}`, timestamp: Date.now(), data: { kind: 'alert', alert, receivedAtMs: Date.now(), deliveryId: randomUUID() } } as unknown as Job<AlertJob>;
}

describe('alert jobs processed out of order', () => {
  let state: PrivateRedis;
  let t: TestBot;

  beforeAll(async () => {
    state = await startRedis();
    t = await startTestBot({ stateRedisUrl: state.url, catalog: { version: 1, defaults: { channel: 'C0ALERTS' }, services: {} } });
  });
  afterAll(async () => {
    await t?.stop();
    await state?.stop();
  });

  it('a resolve of an earlier episode, processed after the next firing, leaves the new episode firing', async () => {
    const rt = t.bot.runtime;
    const episodeA = base;
    const episodeB = { ...base, startsAt: '2026-11-23T03:20:00.000Z' };
    expect((await processAlertJob(rt, job(episodeA))).action).toBe('opened');
    expect((await processAlertJob(rt, job({ ...episodeA, status: 'resolved', endsAt: '2026-11-23T03:10:00.000Z' }))).action).toBe('resolved');
    expect((await processAlertJob(rt, job(episodeB))).action).toBe('opened');
    // A's resolve again, as another job (its first attempt's Slack edit failed and it was retried late).
    expect((await processAlertJob(rt, job({ ...episodeA, status: 'resolved', endsAt: '2026-11-23T03:10:00.000Z' }))).action).toBe('ignored');
    const incident = await new IncidentStore(rt.redis, rt.keys).get('am-00000000000000aa');
    expect(incident?.state).toBe('firing');
    expect(incident?.startedAtMs).toBe(Date.parse(episodeB.startsAt));
    // B's own resolve does end it, and says for how long B fired.
    expect((await processAlertJob(rt, job({ ...episodeB, status: 'resolved', endsAt: '2026-11-23T03:25:00.000Z' }))).action).toBe('resolved');
    expect((await new IncidentStore(rt.redis, rt.keys).get('am-00000000000000aa'))?.firedMs).toBe(5 * 60_000);
  });
});
