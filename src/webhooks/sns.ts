import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Runtime } from '../app/runtime.js';
import { alertFromSnsNotification, deliveryKey } from '../alerts/incoming-alert.js';
import { jsonBody } from '../alerts/parse-payload.js';
import { routeAlert } from '../alerts/route-alert.js';
import { parseSnsEnvelope } from '../alerts/sns-envelope.js';
import { ConnbotError, errorMessage } from '../errors.js';
import { jobId } from '../jobs/queue-names.js';
import { reviveIfFailed } from '../jobs/revive-failed.js';
import { sendJson } from '../web/http-server.js';
import { readBody } from '../web/read-body.js';
import { SnsVerifier, type SnsVerifierOptions } from './sns-verify.js';
import { durably, requireQueueConnection, respondWithError } from './respond.js';

export interface SnsWebhookOptions {
  verifier?: Omit<SnsVerifierOptions, 'allowedTopicArns'>;
  /** GET the SubscribeURL of a verified confirmation (tests point it at a local server). */
  confirm?: (url: URL) => Promise<void>;
}

async function defaultConfirm(url: URL): Promise<void> {
  const r = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!r.ok) throw new ConnbotError('INTEGRATION_FAILED', `SNS subscription confirmation answered ${r.status}`);
}

/**
 * POST /webhooks/sns: CloudWatch alarms delivered by SNS. Topic allow-list, certificate host and signature are
 * checked before anything else; a SubscriptionConfirmation for an allowed topic is confirmed by fetching its
 * SubscribeURL; a Notification is enqueued, keyed by MessageId so SNS retries run once.
 */
export function snsWebhook(rt: Runtime, opts: SnsWebhookOptions = {}) {
  const verifier = new SnsVerifier({ ...opts.verifier, allowedTopicArns: rt.env.SNS_TOPIC_ARNS });
  const confirm = opts.confirm ?? defaultConfirm;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let status = 200;
    try {
      const envelope = parseSnsEnvelope(jsonBody(await readBody(req), 'SNS message'));
      await verifier.verify(envelope);
      if (envelope.Type === 'SubscriptionConfirmation') {
        await confirm(verifier.subscribeUrl(envelope));
        rt.log.info({ topic: envelope.TopicArn }, 'SNS subscription confirmed');
        sendJson(res, 200, { confirmed: envelope.TopicArn });
        return;
      }
      if (envelope.Type === 'UnsubscribeConfirmation') {
        rt.log.warn({ topic: envelope.TopicArn }, 'SNS unsubscribed this endpoint');
        sendJson(res, 200, { ok: true });
        return;
      }
      const alert = alertFromSnsNotification(envelope);
      requireQueueConnection(rt.redis);
      const data = { kind: 'alert' as const, alert, receivedAtMs: Date.now(), deliveryId: randomUUID() };
      const job = await durably(rt.alertQueue.add('alert', data, { jobId: jobId('alert', deliveryKey(alert)) }));
      await durably(reviveIfFailed(rt.redis, rt.alertQueue, [job], () => data));
      rt.metrics.alerts.inc({ source: 'cloudwatch', mapped: String('service' in routeAlert(rt.catalog, alert)) });
      sendJson(res, 200, { accepted: 1 });
    } catch (err) {
      status = respondWithError(res, err);
      rt.log.warn({ err: errorMessage(err), status }, 'SNS delivery not accepted');
    } finally {
      rt.metrics.webhooks.inc({ endpoint: 'sns', code: String(status) });
    }
  };
}
