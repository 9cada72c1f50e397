import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Runtime } from '../app/runtime.js';
import { parseAlertmanagerWebhook } from '../alerts/alertmanager-payload.js';
import { alertsFromAlertmanager, deliveryKey } from '../alerts/incoming-alert.js';
import { jsonBody } from '../alerts/parse-payload.js';
import { routeAlert } from '../alerts/route-alert.js';
import { ConnbotError } from '../errors.js';
import { jobId } from '../jobs/queue-names.js';
import { reviveIfFailed } from '../jobs/revive-failed.js';
import { escapeCode } from '../render/slack/mrkdwn.js';
import { sendJson } from '../web/http-server.js';
import { readBody } from '../web/read-body.js';
import { durably, requireQueueConnection, respondWithError } from './respond.js';

/** Constant-time, and length-independent: both sides are hashed first. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer\s+(.+)$/i.exec(header ?? '')?.[1] ?? '';
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b) && given.length > 0;
}

/**
 * POST /webhooks/alertmanager (webhook v4). Verifies the bearer token, validates, and enqueues each alert of the
 * group on its own, all in one Redis transaction; 200 only after that, 503 if Redis cannot take it.
 */
export function alertmanagerWebhook(rt: Runtime) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const token = rt.env.ALERTMANAGER_TOKEN;
    let status = 200;
    try {
      if (!token) throw new ConnbotError('UNAUTHORIZED', 'this endpoint is disabled: ALERTMANAGER_TOKEN is not set');
      if (!bearerMatches(req.headers.authorization, token)) throw new ConnbotError('UNAUTHORIZED', 'missing or wrong bearer token');
      const payload = parseAlertmanagerWebhook(jsonBody(await readBody(req), 'Alertmanager webhook body'));
      const alerts = alertsFromAlertmanager(payload);
      const receivedAtMs = Date.now();
      requireQueueConnection(rt.redis);
      const batch = alerts.map((alert) => ({
        name: 'alert',
        data: { kind: 'alert' as const, alert, receivedAtMs, deliveryId: randomUUID() },
        opts: { jobId: jobId('alert', deliveryKey(alert)) },
      }));
      const jobs = await durably(rt.alertQueue.addBulk(batch));
      // A delivery whose earlier processing failed for good (Slack down for long) gets processed again, as this one.
      await durably(reviveIfFailed(rt.redis, rt.alertQueue, jobs, (i) => batch[i]!.data));
      for (const alert of alerts) rt.metrics.alerts.inc({ source: 'prometheus', mapped: String('service' in routeAlert(rt.catalog, alert)) });
      if (payload.truncatedAlerts > 0) await reportTruncated(rt, payload.groupKey, payload.truncatedAlerts);
      sendJson(res, 200, { accepted: alerts.length });
    } catch (err) {
      status = respondWithError(res, err);
      if (status >= 500) rt.log.warn({ err: String(err) }, 'alertmanager delivery not accepted');
    } finally {
      rt.metrics.webhooks.inc({ endpoint: 'alertmanager', code: String(status === 200 ? res.statusCode : status) });
    }
  };
}

/**
 * Alertmanager's max_alerts cut alerts out of the notification: we never see them, so say so where people look
 * rather than let them vanish. One note per group per minute.
 */
async function reportTruncated(rt: Runtime, groupKey: string, truncated: number): Promise<void> {
  rt.metrics.alertsTruncated.inc(truncated);
  rt.log.warn({ groupKey, truncated }, 'Alertmanager truncated the alert group');
  const channel = rt.catalog.defaults?.channel;
  if (!channel) return;
  const text = `:warning: Alertmanager left ${truncated} alert(s) out of a notification (its \`max_alerts\` for this receiver): they get no thread. Group: \`${escapeCode(groupKey)}\``;
  const minute = String(Math.floor(Date.now() / 60_000));
  const id = createHash('sha256').update(groupKey).digest('hex').slice(0, 16);
  await durably(rt.outbox.enqueue({ method: 'chat.postMessage', args: { channel, text } }, jobId('truncated', id, minute)));
}
