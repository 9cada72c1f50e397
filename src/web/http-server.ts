import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ConnbotMetrics } from './metrics.js';
import { MAX_BODY_BYTES } from './read-body.js';
import { errorMessage } from '../errors.js';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

export interface WebRoutes {
  /** Bolt's receiver for POST /slack/events (HTTP mode); absent in Socket Mode. */
  slack?: RequestListener;
  /** POST handlers by path: /webhooks/alertmanager, /webhooks/sns. */
  webhooks: Map<string, RouteHandler>;
}

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The web role: one server for Slack, webhooks, health and metrics. It verifies and enqueues; it never diagnoses. */
export function createWebServer(opts: { routes: WebRoutes; redis: Redis; metrics: ConnbotMetrics; log: Logger }): Server {
  const { routes, redis, metrics, log } = opts;
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const handle = async () => {
      if (req.method === 'GET' && path === '/healthz') return sendJson(res, 200, { ok: true });
      if (req.method === 'GET' && path === '/readyz') {
        const ok = await Promise.race([
          redis.ping().then(() => true, () => false),
          new Promise<boolean>((r) => setTimeout(() => r(false), 1000).unref()),
        ]);
        return sendJson(res, ok ? 200 : 503, { ok, redis: ok ? 'reachable' : 'unreachable' });
      }
      if (req.method === 'GET' && path === '/metrics') {
        const body = await metrics.registry.metrics();
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        return void res.end(body);
      }
      if (path === '/slack/events' && routes.slack) {
        if (req.method !== 'POST') return sendJson(res, 405, { error: 'use POST' });
        // A declared oversize body is refused before anything reads it (Bolt also stops reading at the limit).
        if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) return sendJson(res, 413, { error: `request body over ${MAX_BODY_BYTES} bytes` });
        return routes.slack(req, res);
      }
      const webhook = routes.webhooks.get(path);
      if (webhook) {
        if (req.method !== 'POST') return sendJson(res, 405, { error: 'use POST' });
        return webhook(req, res);
      }
      sendJson(res, 404, { error: 'not found' });
    };
    Promise.resolve(handle()).catch((err: unknown) => {
      // The message only: an error object from a receiver can carry the whole request, headers and tokens included.
      log.error({ err: errorMessage(err), path }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.end();
    });
  });
}
