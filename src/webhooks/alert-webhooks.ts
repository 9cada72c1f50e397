import type { Runtime } from '../app/runtime.js';
import type { RouteHandler } from '../web/http-server.js';
import { alertmanagerWebhook } from './alertmanager.js';
import { snsWebhook, type SnsWebhookOptions } from './sns.js';

/** POST /webhooks/alertmanager and /webhooks/sns. */
export function alertWebhooks(rt: Runtime, opts: { sns?: SnsWebhookOptions } = {}): Map<string, RouteHandler> {
  return new Map<string, RouteHandler>([
    ['/webhooks/alertmanager', alertmanagerWebhook(rt)],
    ['/webhooks/sns', snsWebhook(rt, opts.sns)],
  ]);
}
