import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startDaemon, type Daemon } from './prometheus.js';

/**
 * The Debian `prometheus-alertmanager` binary with one webhook receiver (bearer token, send_resolved) and short
 * group_wait/group_interval so a notification arrives within seconds. Clustering is off (no gossip port).
 */
export async function startAlertmanager(opts: {
  webhookUrl: string;
  bearerToken: string;
  groupBy?: string[];
  groupWait?: string;
  groupInterval?: string;
}): Promise<Daemon> {
  const config = {
    route: {
      receiver: 'bot',
      group_by: opts.groupBy ?? ['alertname', 'service', 'env'],
      group_wait: opts.groupWait ?? '1s',
      group_interval: opts.groupInterval ?? '1s',
      repeat_interval: '1h',
    },
    receivers: [
      {
        name: 'bot',
        webhook_configs: [
          {
            url: opts.webhookUrl,
            send_resolved: true,
            http_config: { authorization: { type: 'Bearer', credentials: opts.bearerToken } },
          },
        ],
      },
    ],
  };
  return startDaemon({
    name: 'prometheus-alertmanager',
    bin: 'prometheus-alertmanager',
    readyPath: '/-/ready',
    files: () => ({ 'alertmanager.yml': stringify(config) }),
    args: (port, dir) => [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
  });
}

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Resolves with the first delivery `accept` likes (already received or future). */
  next(accept?: (w: ReceivedWebhook) => boolean, timeoutMs?: number): Promise<ReceivedWebhook>;
  stop(): Promise<void>;
}

/** A local HTTP server standing in for connbot's webhook endpoint: records every POST and answers 200. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const waiters: Array<() => void> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(200).end();
      waiters.splice(0).forEach((w) => w());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/webhooks/alertmanager`,
    received,
    async next(accept = () => true, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = received.find(accept);
        if (hit) return hit;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no matching webhook within ${timeoutMs} ms (got ${received.length})`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
