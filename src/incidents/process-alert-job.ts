import { randomUUID } from 'node:crypto';
import type { Job } from 'bullmq';
import type { Runtime } from '../app/runtime.js';
import { alertKey, alertName, deliveryKey, isProblem, type IncomingAlert } from '../alerts/incoming-alert.js';
import { routeAlert } from '../alerts/route-alert.js';
import { jobId, type DiagnoseJob } from '../jobs/queue-names.js';
import { alertResolvedReply, alertRootMessage, alertStaleReply, stormSummaryMessage } from '../render/slack/alert-blocks.js';
import type { AlertJob } from './alert-jobs.js';
import { incidentPolicy } from './incident-policy.js';
import { IncidentStore, type Incident } from './incident-store.js';
import { StormTracker } from './storm-tracker.js';

const STORM_REFRESH_MS = 2000;

export interface AlertJobResult {
  action: 'opened' | 'repeated' | 'resolved' | 'stale' | 'storm' | 'ignored' | 'refreshed';
  key?: string;
  ts?: string;
}

/** The incidents side of the alert queue: one thread per alert identity, repeats, resolves, staleness, storms. */
export async function processAlertJob(rt: Runtime, job: Job<AlertJob>): Promise<AlertJobResult> {
  const store = new IncidentStore(rt.redis, rt.keys);
  const storms = new StormTracker(rt.redis, rt.keys);
  const data = job.data;
  if (data.kind === 'stale-check') return markStale(rt, store, data.key, data.lastSeenMs);
  if (data.kind === 'storm-refresh') return refreshStorm(rt, storms, data.channel, data.stormId);
  if (data.kind === 'escalate') return escalate(rt, store, data.key, data.episode, data.tier);
  const { alert, receivedAtMs } = data;
  const key = alertKey(alert);
  return store.withLock(key, async () => {
    const existing = await store.get(key);
    if (isProblem(alert)) {
      if (existing && existing.state !== 'resolved') return repeat(rt, store, storms, existing, receivedAtMs, alert);
      return open(rt, store, storms, alert, receivedAtMs);
    }
    return resolve(rt, store, storms, existing, alert, receivedAtMs);
  });
}

function describe(rt: Runtime, alert: IncomingAlert) {
  const route = routeAlert(rt.catalog, alert);
  const mapped = 'service' in route ? route : undefined;
  const channel =
    (mapped ? rt.catalog.services[mapped.service]?.envs[mapped.env]?.channel : undefined) ?? rt.catalog.defaults?.channel;
  const labels = alert.source === 'prometheus' ? alert.labels : { ...alert.dimensions, AlarmName: alert.alarmName };
  const annotations = alert.source === 'prometheus' ? alert.annotations : {};
  const links: Array<{ label: string; url: string }> = [];
  if (annotations.runbook_url) links.push({ label: 'runbook', url: annotations.runbook_url });
  if (alert.source === 'prometheus' && alert.generatorURL) links.push({ label: 'graph', url: alert.generatorURL });
  const dashboard = annotations.dashboard_url ?? annotations.dashboard ?? annotations.grafana_url;
  if (dashboard) links.push({ label: 'dashboard', url: dashboard });
  if (alert.source === 'cloudwatch' && alert.region) {
    links.push({
      label: 'alarm',
      url: `https://${alert.region}.console.aws.amazon.com/cloudwatch/home?region=${alert.region}#alarmsV2:alarm/${encodeURIComponent(alert.alarmName)}`,
    });
  }
  return {
    route,
    mapped,
    channel,
    labels,
    links,
    severity: alert.source === 'prometheus' ? alert.labels.severity : undefined,
    summary: alert.source === 'prometheus' ? (annotations.summary ?? annotations.description) : alert.reason,
  };
}

function rootOf(i: Incident) {
  return alertRootMessage({
    name: i.name,
    source: i.source,
    state: i.state,
    ...(i.service ? { service: i.service, env: i.env } : {}),
    ...(i.severity ? { severity: i.severity } : {}),
    ...(i.summary ? { summary: i.summary } : {}),
    ...(i.unmapped ? { unmapped: i.unmapped } : {}),
    labels: i.labels,
    links: i.links,
    firstSeen: new Date(i.firstSeenMs),
    lastSeen: new Date(i.lastSeenMs),
    count: i.count,
    ...(i.resolvedAtMs ? { resolvedAt: new Date(i.resolvedAtMs) } : {}),
  });
}

async function open(rt: Runtime, store: IncidentStore, storms: StormTracker, alert: IncomingAlert, now: number): Promise<AlertJobResult> {
  const key = alertKey(alert);
  const d = describe(rt, alert);
  if (!d.mapped) rt.log.warn({ alert: alertName(alert), reason: 'unmapped' in d.route ? d.route.unmapped : '' }, 'alert has no runbook');
  if (!d.channel) {
    rt.log.error({ alert: alertName(alert) }, 'no channel for alert: set defaults.channel in the catalog');
    throw new Error(`no Slack channel for alert ${alertName(alert)}: set defaults.channel in the catalog`);
  }
  const incident: Incident = {
    key,
    name: alertName(alert),
    source: alert.source,
    state: 'firing',
    channel: d.channel,
    ...(d.mapped ? { service: d.mapped.service, env: d.mapped.env, runbookId: d.mapped.runbookId } : {}),
    ...('unmapped' in d.route ? { unmapped: `no runbook mapped: ${d.route.unmapped}` } : {}),
    ...(d.severity ? { severity: d.severity } : {}),
    ...(d.summary ? { summary: d.summary } : {}),
    labels: d.labels,
    links: d.links,
    firstSeenMs: now,
    lastSeenMs: now,
    count: 1,
    episode: deliveryKey(alert),
  };
  const policy = incidentPolicy(rt.catalog);
  const admission = await storms.admit(d.channel, policy.stormThreshold, now);
  if (admission.mode === 'storm') {
    const { stormId } = admission;
    incident.stormId = stormId;
    await store.put(incident);
    await storms.count(d.channel, stormId, rowOf(incident), 'firing');
    if (admission.started) {
      const msg = stormSummaryMessage({ channelNote: 'Too many new alerts in this channel.', since: new Date(now), threaded: policy.stormThreshold, rows: await storms.rows(d.channel, stormId) });
      const posted = await rt.outbox.send({ method: 'chat.postMessage', args: { channel: d.channel, ...msg } }, jobId('storm', d.channel, stormId));
      await storms.setSummary(d.channel, stormId, { ts: posted.ts!, sinceMs: now, threaded: policy.stormThreshold });
    }
    // Also after the summary exists: counts made while it was being posted must reach it.
    await scheduleStormRefresh(rt, d.channel, stormId, Date.now());
    return { action: 'storm', key };
  }
  const posted = await rt.outbox.send({ method: 'chat.postMessage', args: { channel: d.channel, ...rootOf(incident) } }, jobId('incident', incident.episode));
  incident.ts = posted.ts!;
  if (d.mapped) incident.lastDiagnosisMs = now;
  await store.put(incident);
  await scheduleStaleCheck(rt, incident, policy.staleAfterMs);
  if (d.mapped) {
    await enqueueDiagnosis(rt, incident, `${incident.episode}-first`);
    await scheduleEscalations(rt, incident);
  }
  return { action: 'opened', key, ts: incident.ts };
}

async function repeat(
  rt: Runtime,
  store: IncidentStore,
  storms: StormTracker,
  incident: Incident,
  now: number,
  alert: IncomingAlert,
): Promise<AlertJobResult> {
  const policy = incidentPolicy(rt.catalog);
  incident.count += 1;
  incident.lastSeenMs = now;
  incident.state = 'firing';
  const rediagnose = incident.runbookId !== undefined && incident.ts !== undefined && now - (incident.lastDiagnosisMs ?? 0) >= policy.rediagnoseAfterMs;
  if (rediagnose) incident.lastDiagnosisMs = now;
  await store.put(incident);
  if (!incident.ts) {
    if (incident.stormId) {
      await storms.count(incident.channel, incident.stormId, rowOf(incident), 'firing');
      await scheduleStormRefresh(rt, incident.channel, incident.stormId, now);
    }
    return { action: 'storm', key: incident.key };
  }
  await rt.outbox.send({ method: 'chat.update', args: { channel: incident.channel, ts: incident.ts, ...rootOf(incident) } });
  await scheduleStaleCheck(rt, incident, policy.staleAfterMs);
  if (rediagnose) await enqueueDiagnosis(rt, incident, `${deliveryKey(alert)}-${now}`);
  return { action: 'repeated', key: incident.key, ts: incident.ts };
}

async function resolve(
  rt: Runtime,
  store: IncidentStore,
  storms: StormTracker,
  incident: Incident | undefined,
  alert: IncomingAlert,
  now: number,
): Promise<AlertJobResult> {
  if (!incident || incident.state === 'resolved') {
    // Nothing open for it (state lost, or INSUFFICIENT_DATA → OK): say so once, never drop it silently.
    rt.log.info({ alert: alertName(alert) }, 'resolve for an alert with no open incident');
    return { action: 'ignored', key: alertKey(alert) };
  }
  incident.state = 'resolved';
  incident.resolvedAtMs = now;
  incident.lastSeenMs = now;
  await store.put(incident);
  if (!incident.ts) {
    if (incident.stormId) {
      await storms.count(incident.channel, incident.stormId, rowOf(incident), 'resolved');
      await scheduleStormRefresh(rt, incident.channel, incident.stormId, now);
    }
    return { action: 'storm', key: incident.key };
  }
  await rt.outbox.send({ method: 'chat.update', args: { channel: incident.channel, ts: incident.ts, ...rootOf(incident) } });
  await rt.outbox.send(
    { method: 'chat.postMessage', args: { channel: incident.channel, thread_ts: incident.ts, ...alertResolvedReply(incident.name, now - incident.firstSeenMs) } },
    jobId('resolved', deliveryKey(alert)),
  );
  return { action: 'resolved', key: incident.key, ts: incident.ts };
}

async function markStale(rt: Runtime, store: IncidentStore, key: string, lastSeenMs: number): Promise<AlertJobResult> {
  return store.withLock(key, async () => {
    const incident = await store.get(key);
    if (!incident || incident.state !== 'firing' || incident.lastSeenMs !== lastSeenMs || !incident.ts) return { action: 'ignored', key };
    incident.state = 'stale';
    await store.put(incident);
    await rt.outbox.send({ method: 'chat.update', args: { channel: incident.channel, ts: incident.ts, ...rootOf(incident) } });
    await rt.outbox.send({ method: 'chat.postMessage', args: { channel: incident.channel, thread_ts: incident.ts, ...alertStaleReply(incident.name, Date.now() - lastSeenMs) } });
    return { action: 'stale', key, ts: incident.ts };
  });
}

function rowOf(i: Incident) {
  return { name: i.name, ...(i.service ? { service: i.service, env: i.env } : {}) };
}

async function refreshStorm(rt: Runtime, storms: StormTracker, channel: string, stormId: string): Promise<AlertJobResult> {
  const s = await storms.summary(channel, stormId);
  // Not posted yet: the storm's first alert schedules another refresh once it is.
  if (!s.ts) return { action: 'ignored' };
  const msg = stormSummaryMessage({ channelNote: 'Too many new alerts in this channel.', since: new Date(s.sinceMs ?? Date.now()), threaded: s.threaded ?? 0, rows: await storms.rows(channel, stormId) });
  await rt.outbox.send({ method: 'chat.update', args: { channel, ts: s.ts, ...msg } });
  return { action: 'refreshed', ts: s.ts };
}

/** Coalesced: at most one summary edit per channel every STORM_REFRESH_MS, however many alerts arrive. */
async function scheduleStormRefresh(rt: Runtime, channel: string, stormId: string, now: number): Promise<void> {
  const slot = Math.floor(now / STORM_REFRESH_MS);
  await rt.alertQueue.add('storm-refresh', { kind: 'storm-refresh', channel, stormId }, { jobId: jobId('storm-refresh', channel, stormId, String(slot)), delay: STORM_REFRESH_MS });
}

async function scheduleStaleCheck(rt: Runtime, incident: Incident, staleAfterMs: number): Promise<void> {
  await rt.alertQueue.add(
    'stale-check',
    { kind: 'stale-check', key: incident.key, lastSeenMs: incident.lastSeenMs },
    { jobId: jobId('stale', incident.key, String(incident.lastSeenMs)), delay: staleAfterMs },
  );
}

function escalationTiers(rt: Runtime, incident: Incident) {
  if (!incident.service || !incident.env) return [];
  return rt.catalog.services[incident.service]?.envs[incident.env]?.escalation?.tiers ?? [];
}

/** The runbook's "escalate if still bad after 15 minutes": one delayed re-check per tier of the env. */
async function scheduleEscalations(rt: Runtime, incident: Incident): Promise<void> {
  const tiers = escalationTiers(rt, incident);
  for (const [tier, t] of tiers.entries()) {
    await rt.alertQueue.add(
      'escalate',
      { kind: 'escalate', key: incident.key, episode: incident.episode, tier },
      { jobId: jobId('escalate', incident.episode, String(tier)), delay: t.after },
    );
  }
}

async function escalate(rt: Runtime, store: IncidentStore, key: string, episode: string, tier: number): Promise<AlertJobResult> {
  const incident = await store.get(key);
  // Resolved, stale, or a new episode since: nothing to escalate.
  if (!incident || incident.episode !== episode || incident.state !== 'firing' || !incident.ts) return { action: 'ignored', key };
  const t = escalationTiers(rt, incident)[tier];
  if (!t) return { action: 'ignored', key };
  await enqueueDiagnosis(rt, incident, `${episode}-escalate-${tier}`, { tier, afterMs: t.after, notify: t.notify });
  return { action: 'repeated', key, ts: incident.ts };
}

async function enqueueDiagnosis(rt: Runtime, incident: Incident, identity: string, escalation?: DiagnoseJob['escalation']): Promise<void> {
  const data: DiagnoseJob = {
    runId: randomUUID(),
    service: incident.service!,
    env: incident.env!,
    runbookId: incident.runbookId!,
    trigger: { kind: 'alert', alertKey: incident.key, source: incident.source === 'prometheus' ? 'alertmanager' : 'cloudwatch' },
    thread: { channel: incident.channel, ts: incident.ts! },
    ...(escalation ? { escalation } : {}),
  };
  await rt.diagnoseQueue.add('diagnose', data, { jobId: jobId('alert-diagnose', identity) });
}
