import { randomUUID } from 'node:crypto';
import type { Job } from 'bullmq';
import type { Runtime } from '../app/runtime.js';
import { alertKey, alertName, deliveryKey, isProblem, type IncomingAlert } from '../alerts/incoming-alert.js';
import { routeAlert } from '../alerts/route-alert.js';
import { jobId, type DiagnoseJob } from '../jobs/queue-names.js';
import { alertInsufficientDataReply, alertResolvedReply, alertRootMessage, alertStaleReply, stormSummaryMessage } from '../render/slack/alert-blocks.js';
import type { AlertJob } from './alert-jobs.js';
import { incidentPolicy } from './incident-policy.js';
import { IncidentStore, type Incident, type LastJob } from './incident-store.js';
import { StormTracker } from './storm-tracker.js';

const STORM_REFRESH_MS = 2000;
const STORM_SUMMARY_RETRY_MS = 30_000;
const STORM_SUMMARY_RETRY_FOR_MS = 3600_000;

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
  // The job's id is the delivery's, and is reused when the same delivery comes again (after the job was removed,
  // or revived after it failed): the webhook's nonce tells this job's retries apart from a later notification.
  const delivery: Omit<LastJob, 'action'> = { id: data.deliveryId ?? `${job.id ?? deliveryKey(alert)}@${job.timestamp}`, receivedAtMs, delivery: deliveryKey(alert) };
  return store.withLock(key, async () => {
    const existing = await store.get(key);
    // An earlier attempt of this very job changed the incident and then failed on Slack or the queue: finish what
    // it started (every step below is idempotent) rather than count the notification twice.
    if (existing?.lastJob?.id === delivery.id) return followUp(rt, store, storms, existing, alert);
    const late = await lateDelivery(store, key, existing, alert);
    if (late) {
      rt.log.info({ alert: alertName(alert), why: late }, 'alert delivery ignored');
      return { action: 'ignored', key };
    }
    if (isProblem(alert)) {
      if (existing && existing.state !== 'resolved') return repeat(rt, store, storms, existing, alert, delivery);
      return open(rt, store, storms, alert, delivery);
    }
    if (alert.source === 'cloudwatch' && alert.state === 'INSUFFICIENT_DATA') return insufficientData(rt, store, storms, existing, alert, delivery);
    return resolve(rt, store, storms, existing, alert, delivery);
  });
}

/** Epoch ms of an ISO time the alert carries, when it carries a real one (Alertmanager sends 0001-01-01 for "none"). */
function timeOf(iso: string | undefined): number | undefined {
  const ms = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/** A CloudWatch alarm's StateChangeTime: the order of its changes. */
function changeTime(alert: IncomingAlert): number | undefined {
  return alert.source === 'cloudwatch' ? timeOf(alert.stateChangeTime) : undefined;
}

/** When the alert says its episode started: startsAt, or the alarm's StateChangeTime. */
function startedAt(alert: IncomingAlert): number | undefined {
  return timeOf(alert.source === 'prometheus' ? alert.startsAt : alert.stateChangeTime);
}

/**
 * Deliveries can come late or out of order (SNS does not promise order; a retried job can be overtaken). A firing
 * for an episode already resolved, or an alarm change older than the newest one applied, changes nothing.
 */
async function lateDelivery(store: IncidentStore, key: string, existing: Incident | undefined, alert: IncomingAlert): Promise<string | undefined> {
  if (alert.source === 'cloudwatch') {
    const change = timeOf(alert.stateChangeTime);
    const newest = existing?.lastChangeMs ?? (existing ? undefined : (await store.resolvedMark(key))?.changeMs);
    if (change !== undefined && newest !== undefined && change <= newest) return `state change at ${alert.stateChangeTime} is not newer than the last one applied`;
    return undefined;
  }
  if (!isProblem(alert)) return undefined;
  const started = startedAt(alert);
  if (started === undefined) return undefined;
  if (existing?.state === 'resolved' && existing.startedAtMs === started) return 'firing for an episode that has already resolved';
  if (!existing && (await store.resolvedMark(key))?.startedAtMs === started) return 'firing for an episode whose resolve came first';
  return undefined;
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
    ...(i.firedMs !== undefined ? { firedMs: i.firedMs } : {}),
    ...(i.insufficientData ? { insufficientData: true } : {}),
  });
}

async function open(rt: Runtime, store: IncidentStore, storms: StormTracker, alert: IncomingAlert, delivery: Omit<LastJob, 'action'>): Promise<AlertJobResult> {
  const key = alertKey(alert);
  const now = delivery.receivedAtMs;
  const d = describe(rt, alert);
  if (!d.mapped) rt.log.warn({ alert: alertName(alert), reason: 'unmapped' in d.route ? d.route.unmapped : '' }, 'alert has no runbook');
  if (!d.channel) {
    rt.log.error({ alert: alertName(alert) }, 'no channel for alert: set defaults.channel in the catalog');
    throw new Error(`no Slack channel for alert ${alertName(alert)}: set defaults.channel in the catalog`);
  }
  const started = startedAt(alert);
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
    ...(started !== undefined ? { startedAtMs: started } : {}),
    ...(alert.source === 'cloudwatch' && started !== undefined ? { lastChangeMs: started } : {}),
    count: 1,
    episode: deliveryKey(alert),
  };
  const policy = incidentPolicy(rt.catalog);
  const admission = await storms.admit(d.channel, policy.stormThreshold, incident.episode, now);
  if (admission.mode === 'storm') {
    incident.stormId = admission.stormId;
    incident.lastJob = { ...delivery, action: 'storm' };
    await store.put(incident);
    const result = await followUp(rt, store, storms, incident, alert);
    // The alert that starts the storm posts its summary; should that fail, the next refresh posts it.
    if (admission.started) await ensureStormSummary(rt, storms, d.channel, admission.stormId, policy.stormThreshold);
    return result;
  }
  // Deduplicated by episode: a retry after a lost answer gets the same message back, not a second root.
  const posted = await rt.outbox.send({ method: 'chat.postMessage', args: { channel: d.channel, ...rootOf(incident) } }, jobId('incident', incident.episode));
  incident.ts = posted.ts!;
  if (d.mapped) incident.lastDiagnosisMs = now;
  incident.lastJob = { ...delivery, action: 'opened' };
  await store.put(incident);
  return followUp(rt, store, storms, incident, alert);
}

async function repeat(
  rt: Runtime,
  store: IncidentStore,
  storms: StormTracker,
  incident: Incident,
  alert: IncomingAlert,
  delivery: Omit<LastJob, 'action'>,
): Promise<AlertJobResult> {
  const now = delivery.receivedAtMs;
  const policy = incidentPolicy(rt.catalog);
  incident.count += 1;
  incident.lastSeenMs = now;
  incident.state = 'firing';
  delete incident.insufficientData;
  const change = changeTime(alert);
  if (change !== undefined) incident.lastChangeMs = change;
  const rediagnose = incident.runbookId !== undefined && incident.ts !== undefined && now - (incident.lastDiagnosisMs ?? 0) >= policy.rediagnoseAfterMs;
  if (rediagnose) incident.lastDiagnosisMs = now;
  incident.lastJob = { ...delivery, action: 'repeated', ...(rediagnose ? { rediagnose } : {}) };
  await store.put(incident);
  return followUp(rt, store, storms, incident, alert);
}

async function resolve(
  rt: Runtime,
  store: IncidentStore,
  storms: StormTracker,
  incident: Incident | undefined,
  alert: IncomingAlert,
  delivery: Omit<LastJob, 'action'>,
): Promise<AlertJobResult> {
  const key = alertKey(alert);
  if (!incident || incident.state === 'resolved') {
    // The resolve came first (out of order), or after INSUFFICIENT_DATA → OK with nothing open: remember it so
    // the late firing opens no thread for something already over; say so in the log, never drop it silently.
    const change = changeTime(alert);
    const started = alert.source === 'prometheus' ? startedAt(alert) : undefined;
    if (!incident) await store.markResolved(key, { ...(started !== undefined ? { startedAtMs: started } : {}), ...(change !== undefined ? { changeMs: change } : {}) });
    else if (change !== undefined) await store.put({ ...incident, lastChangeMs: change });
    rt.log.info({ alert: alertName(alert) }, 'resolve for an alert with no open incident');
    return { action: 'ignored', key };
  }
  const started = alert.source === 'prometheus' ? startedAt(alert) : undefined;
  if (started !== undefined && incident.startedAtMs !== undefined && started < incident.startedAtMs) {
    // The resolve of an earlier episode, delivered late (a retried job overtaken by a new firing): the episode
    // firing now is not over. (A new episode merged into an open thread keeps the thread's first start.)
    rt.log.info({ alert: alertName(alert) }, 'resolve for an earlier episode ignored');
    return { action: 'ignored', key };
  }
  const now = delivery.receivedAtMs;
  incident.state = 'resolved';
  incident.resolvedAtMs = now;
  incident.lastSeenMs = now;
  delete incident.insufficientData;
  const ended = timeOf(alert.source === 'prometheus' ? alert.endsAt : alert.stateChangeTime);
  if (alert.source === 'cloudwatch' && ended !== undefined) incident.lastChangeMs = ended;
  // How long it fired by the alert's own clock when it gives both ends; by when we heard otherwise.
  incident.firedMs = incident.startedAtMs !== undefined && ended !== undefined && ended >= incident.startedAtMs ? ended - incident.startedAtMs : now - incident.firstSeenMs;
  incident.lastJob = { ...delivery, action: 'resolved' };
  await store.put(incident);
  return followUp(rt, store, storms, incident, alert);
}

/** CloudWatch INSUFFICIENT_DATA: not a recovery. An open incident says so and stays open; OK resolves it. */
async function insufficientData(
  rt: Runtime,
  store: IncidentStore,
  storms: StormTracker,
  incident: Incident | undefined,
  alert: IncomingAlert,
  delivery: Omit<LastJob, 'action'>,
): Promise<AlertJobResult> {
  const change = changeTime(alert);
  if (!incident || incident.state === 'resolved') {
    if (incident && change !== undefined) await store.put({ ...incident, lastChangeMs: change });
    rt.log.info({ alert: alertName(alert) }, 'INSUFFICIENT_DATA for an alarm with no open incident');
    return { action: 'ignored', key: alertKey(alert) };
  }
  incident.insufficientData = true;
  incident.lastSeenMs = delivery.receivedAtMs;
  if (change !== undefined) incident.lastChangeMs = change;
  incident.lastJob = { ...delivery, action: 'insufficient-data' };
  await store.put(incident);
  return followUp(rt, store, storms, incident, alert);
}

/**
 * The Slack writes and scheduled jobs that follow a state change. Each one is idempotent (deduplicated job ids,
 * edits of the same message, whole-row storm entries), so a retried job can run them again safely.
 */
async function followUp(rt: Runtime, store: IncidentStore, storms: StormTracker, incident: Incident, alert: IncomingAlert): Promise<AlertJobResult> {
  const last = incident.lastJob!;
  const policy = incidentPolicy(rt.catalog);
  if (!incident.ts) {
    // Counted in a storm summary instead of a thread of its own.
    if (!incident.stormId) return { action: 'ignored', key: incident.key };
    await storms.record(incident.channel, incident.stormId, { key: incident.key, ...rowOf(incident), state: incident.state, count: incident.count });
    await scheduleStormRefresh(rt, incident.channel, incident.stormId);
    if (incident.state === 'firing') await scheduleStaleCheck(rt, incident, policy.staleAfterMs);
    return { action: 'storm', key: incident.key };
  }
  const thread = { channel: incident.channel, thread_ts: incident.ts };
  switch (last.action) {
    case 'opened':
      await scheduleStaleCheck(rt, incident, policy.staleAfterMs);
      if (incident.runbookId) {
        await enqueueDiagnosis(rt, incident, `${incident.episode}-first`);
        await scheduleEscalations(rt, incident);
      }
      return { action: 'opened', key: incident.key, ts: incident.ts };
    case 'repeated':
      await rt.outbox.send({ method: 'chat.update', args: { channel: incident.channel, ts: incident.ts, ...rootOf(incident) } });
      await scheduleStaleCheck(rt, incident, policy.staleAfterMs);
      if (last.rediagnose) await enqueueDiagnosis(rt, incident, `${last.delivery}-${last.receivedAtMs}`);
      return { action: 'repeated', key: incident.key, ts: incident.ts };
    case 'insufficient-data':
      await rt.outbox.send({ method: 'chat.update', args: { channel: incident.channel, ts: incident.ts, ...rootOf(incident) } });
      await rt.outbox.send(
        { method: 'chat.postMessage', args: { ...thread, ...alertInsufficientDataReply(incident.name, alert.source === 'cloudwatch' ? alert.reason : '') } },
        jobId('insufficient', last.delivery),
      );
      return { action: 'repeated', key: incident.key, ts: incident.ts };
    case 'storm':
      // Storm incidents have no thread; handled above.
      return { action: 'storm', key: incident.key };
    case 'resolved':
      await rt.outbox.send({ method: 'chat.update', args: { channel: incident.channel, ts: incident.ts, ...rootOf(incident) } });
      await rt.outbox.send(
        { method: 'chat.postMessage', args: { ...thread, ...alertResolvedReply(incident.name, incident.firedMs ?? (incident.resolvedAtMs ?? Date.now()) - incident.firstSeenMs) } },
        jobId('resolved', last.delivery),
      );
      return { action: 'resolved', key: incident.key, ts: incident.ts };
  }
}

async function markStale(rt: Runtime, store: IncidentStore, key: string, lastSeenMs: number): Promise<AlertJobResult> {
  return store.withLock(key, async () => {
    const incident = await store.get(key);
    if (!incident || incident.state !== 'firing' || incident.lastSeenMs !== lastSeenMs) return { action: 'ignored', key };
    incident.state = 'stale';
    await store.put(incident);
    if (!incident.ts) {
      if (incident.stormId) {
        const storms = new StormTracker(rt.redis, rt.keys);
        await storms.record(incident.channel, incident.stormId, { key: incident.key, ...rowOf(incident), state: 'stale', count: incident.count });
        await scheduleStormRefresh(rt, incident.channel, incident.stormId);
      }
      return { action: 'stale', key };
    }
    await rt.outbox.send({ method: 'chat.update', args: { channel: incident.channel, ts: incident.ts, ...rootOf(incident) } });
    await rt.outbox.send({ method: 'chat.postMessage', args: { channel: incident.channel, thread_ts: incident.ts, ...alertStaleReply(incident.name, Date.now() - lastSeenMs) } });
    return { action: 'stale', key, ts: incident.ts };
  });
}

function rowOf(i: Incident) {
  return { name: i.name, ...(i.service ? { service: i.service, env: i.env } : {}) };
}

const STORM_NOTE = 'Too many new alerts in this channel.';

async function stormMessage(storms: StormTracker, channel: string, stormId: string, threaded: number) {
  return stormSummaryMessage({ channelNote: STORM_NOTE, since: new Date(Number(stormId)), threaded, rows: await storms.rows(channel, stormId) });
}

/**
 * The storm's one summary message, posted by the alert that starts the storm and, failing that, by the next
 * refresh (the post is deduplicated by storm): a failed first post cannot leave a storm without its summary.
 */
async function ensureStormSummary(rt: Runtime, storms: StormTracker, channel: string, stormId: string, threaded: number): Promise<void> {
  if ((await storms.summary(channel, stormId)).ts) return;
  const msg = await stormMessage(storms, channel, stormId, threaded);
  const posted = await rt.outbox.send({ method: 'chat.postMessage', args: { channel, ...msg } }, jobId('storm', channel, stormId));
  await storms.setSummary(channel, stormId, { ts: posted.ts!, threaded });
}

async function refreshStorm(rt: Runtime, storms: StormTracker, channel: string, stormId: string): Promise<AlertJobResult> {
  const s = await storms.summary(channel, stormId);
  if (!s.ts) {
    // Not posted yet (the storm's first alert is posting it, or failed to): post it now, with the latest counts.
    // Another attempt is booked first, so a Slack outage longer than this job's retries cannot leave the storm
    // without a summary; it stops once the summary exists, or after an hour of trying.
    if (Date.now() - Number(stormId) < STORM_SUMMARY_RETRY_FOR_MS) {
      const next = Math.floor(Date.now() / STORM_SUMMARY_RETRY_MS) + 1;
      await rt.alertQueue.add(
        'storm-refresh',
        { kind: 'storm-refresh', channel, stormId },
        { jobId: jobId('storm-summary', channel, stormId, String(next)), delay: STORM_SUMMARY_RETRY_MS },
      );
    }
    await ensureStormSummary(rt, storms, channel, stormId, incidentPolicy(rt.catalog).stormThreshold);
    await scheduleStormRefresh(rt, channel, stormId);
    return { action: 'refreshed' };
  }
  const msg = await stormMessage(storms, channel, stormId, s.threaded ?? 0);
  await rt.outbox.send({ method: 'chat.update', args: { channel, ts: s.ts, ...msg } });
  return { action: 'refreshed', ts: s.ts };
}

/**
 * Coalesced: at most one summary edit per channel every STORM_REFRESH_MS, however many alerts arrive. The slot is
 * taken from the time of processing, not of receipt: a backlog processed late must still reach a later edit.
 */
async function scheduleStormRefresh(rt: Runtime, channel: string, stormId: string): Promise<void> {
  const slot = Math.floor(Date.now() / STORM_REFRESH_MS);
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
