import type { CheckResult, Status } from '../../../domain/finding.js';
import { describeWebSocketProbe, type WebSocketProbeResult } from '../../../integrations/websocket/websocket-probe.js';
import type { WebSocketTargetClient } from '../../../integrations/websocket/websocket-target.js';
import type { Check, RunbookContext } from '../../types.js';
import { workloadRef } from '../../shared/k8s-workload/workload-ref.js';
import type { WebSocketParams } from '../params.js';

/** In the cluster, to the Service: the app itself (`ws://websocket:8003/ws`). */
export const HANDSHAKE = 'websocket-handshake';
/** From outside, through the ingress / proxy: what the ECG dashboards reach. */
export const PUBLIC_HANDSHAKE = 'public-websocket-handshake';

const PING = '{"type":"ping"}';
/** Close codes that mean the server is failing, not that it chose to end the session. */
const SERVER_FAILURE_CLOSE = new Set([1011, 1012, 1013, 1014]);

interface Endpoint {
  id: string;
  title: string;
  /** The catalog key, for the skip reason. */
  key: 'websocket' | 'publicWebsocket';
  client(ctx: RunbookContext<WebSocketParams>): WebSocketTargetClient;
  /** The runbook's command for this vantage point. */
  runbookCli(ctx: RunbookContext<WebSocketParams>, url: string): string;
}

/**
 * "Test WebSocket Connection": a real upgrade to the catalog's ws:// URL, then `{"type":"ping"}` (and a ping
 * frame) and the first reply. A refused upgrade reports its HTTP status.
 */
function websocketHandshakeCheck(e: Endpoint): Check<WebSocketParams> {
  return {
    id: e.id,
    title: e.title,
    skipUnless: (ctx) => (ctx.target.http?.[e.key] ? undefined : `the catalog names no http.${e.key} URL for this env`),
    timeoutMs: (p) => p.handshakeTimeoutMs + p.replyTimeoutMs + 1000,
    async run(ctx): Promise<CheckResult> {
      const p = ctx.params;
      const r = await e.client(ctx).probe({ handshakeTimeoutMs: p.handshakeTimeoutMs, replyTimeoutMs: p.replyTimeoutMs, message: PING, signal: ctx.signal });
      const status = judge(r, p.handshakeWarnMs);
      return {
        status,
        summary: describeWebSocketProbe(r) + (status === 'warn' && r.outcome === 'replied' ? ` (slower than ${p.handshakeWarnMs} ms)` : ''),
        details: [
          {
            kind: 'table',
            columns: ['url', 'handshake', 'handshake ms', 'reply', 'close code'],
            rows: [
              [
                r.url,
                r.handshakeStatus ? `${r.handshakeStatus}${r.handshakeStatusText ? ` ${r.handshakeStatusText}` : ''}` : r.outcome,
                r.handshakeMs === undefined ? '-' : String(r.handshakeMs),
                r.replyKind ? `${r.replyKind} in ${r.replyMs} ms` : '-',
                r.closeCode === undefined ? '-' : String(r.closeCode),
              ],
            ],
          },
          ...(r.excerpt ? [{ kind: 'text' as const, text: r.excerpt }] : []),
        ],
        evidence: [
          { call: `WebSocket upgrade GET ${r.url}, send ${PING} and a ping frame, wait ${p.replyTimeoutMs} ms for a reply`, cli: e.runbookCli(ctx, r.url) },
          { call: 'the upgrade request alone, as a proxy sees it', cli: upgradeCurl(r.url) },
        ],
        data: {
          url: r.url,
          outcome: r.outcome,
          upgraded: r.upgraded,
          handshakeStatus: r.handshakeStatus,
          handshakeMs: r.handshakeMs,
          replyMs: r.replyMs,
          closeCode: r.closeCode,
        },
      };
    },
  };
}

/** In the cluster: a 404/502 here is the app (or its sidecar), since no ingress stands between. */
export const handshakeCheck = websocketHandshakeCheck({
  id: HANDSHAKE,
  title: 'WebSocket handshake and ping (in-cluster)',
  key: 'websocket',
  client: (ctx) => ctx.integrations.websocket(),
  runbookCli: (ctx, url) => runbookTest(ctx.target.k8s, url),
});

/** Step 4.2 "Test proxy connection": the same handshake through the public host. */
export const publicHandshakeCheck = websocketHandshakeCheck({
  id: PUBLIC_HANDSHAKE,
  title: 'WebSocket handshake and ping (public, through the proxy)',
  key: 'publicWebsocket',
  client: (ctx) => ctx.integrations.publicWebsocket(),
  runbookCli: (_ctx, url) => `curl -I -H "Connection: Upgrade" -H "Upgrade: websocket" ${url.replace(/^ws/, 'http')}`,
});

function judge(r: WebSocketProbeResult, warnMs: number): Status {
  switch (r.outcome) {
    case 'replied':
      return (r.handshakeMs ?? 0) > warnMs ? 'warn' : 'ok';
    case 'no-reply':
      return 'warn';
    case 'closed':
      return r.closeCode !== undefined && SERVER_FAILURE_CLOSE.has(r.closeCode) ? 'crit' : 'warn';
    case 'cancelled':
      return 'unknown';
    default:
      return 'crit';
  }
}

/** The runbook's Python test, run inside the deployment against its own port and path. */
function runbookTest(k8s: Parameters<typeof workloadRef>[0], url: string): string {
  const ref = workloadRef(k8s);
  const u = new URL(url);
  const local = `${u.protocol}//localhost${u.port ? `:${u.port}` : ''}${u.pathname}`;
  const python = [
    'import asyncio, json, websockets',
    'async def test():',
    `    async with websockets.connect('${local}') as ws:`,
    "        await ws.send(json.dumps({'type': 'ping'}))",
    "        print(f'WebSocket response: {await ws.recv()}')",
    'asyncio.run(test())',
  ].join('\n');
  return ref ? `kubectl exec -it ${ref.kind}/${ref.name} -n ${ref.namespace} -- python -c "\n${python}\n"` : `python -c "\n${python.replace(local, url)}\n"`;
}

function upgradeCurl(url: string): string {
  const http = url.replace(/^ws/, 'http');
  return `curl -i -N -H "Connection: Upgrade" -H "Upgrade: websocket" -H "Sec-WebSocket-Version: 13" -H "Sec-WebSocket-Key: $(openssl rand -base64 16)" ${http}`;
}
