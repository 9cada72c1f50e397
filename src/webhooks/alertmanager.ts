import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Runtime } from '../app/runtime.js';
import { parseAlertmanagerWebhook } from '../alerts/alertmanager-payload.js';
import { alertsFromAlertmanager, deliveryKey } from '../alerts/incoming-alert.js';
import { jsonBody } from '../alerts/parse-payload.js';
import { routeAlert } from '../alerts/route-alert.js';
import { ConnbotError } from '../errors.js';
import { jobId } from '../jobs/queue-names.js';
import { sendJson } from '../web/http-server.js';
import { readBody } from '../web/read-body.js';
import { durably, respondWithError } from './respond.js';

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
      await durably(
        rt.alertQueue.addBulk(
          alerts.map((alert) => ({
            name: 'alert',
            data: { kind: 'alert' as const, alert, receivedAtMs },
            opts: { jobId: jobId('alert', deliveryKey(alert)) },
          })),
        ),
      );
      for (const alert of alerts) rt.metrics.alerts.inc({ source: 'prometheus', mapped: String('service' in routeAlert(rt.catalog, alert)) });
      sendJson(res, 200, { accepted: alerts.length });
    } catch (err) {
      status = respondWithError(res, err);
      if (status >= 500) rt.log.warn({ err: String(err) }, 'alertmanager delivery not accepted');
    } finally {
      rt.metrics.webhooks.inc({ endpoint: 'alertmanager', code: String(status === 200 ? res.statusCode : status) });
    }
  };
}
