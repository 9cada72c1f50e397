import type { CheckResult, Evidence, Status } from '../../../domain/finding.js';
import { describeWebSocketProbe, type WebSocketProbeResult } from '../../../integrations/websocket/websocket-probe.js';
import type { WebSocketTargetClient } from '../../../integrations/websocket/websocket-target.js';
import type { Check, RunbookContext } from '../../types.js';
import { workloadRef } from '../../shared/k8s-workload/workload-ref.js';
import { excerptTable } from '../../shared/outside-text.js';
import type { WebSocketParams } from '../params.js';
import { readContainerPort, urlPort } from '../container-port.js';

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
  /** The runbook's command for this vantage point, and the calls made to fill it in. */
  runbookCli(ctx: RunbookContext<WebSocketParams>, url: string): Promise<{ cli: string; evidence: Evidence[] }>;
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
      const client = e.client(ctx);
      const [r, runbook] = await Promise.all([
        client.probe({ handshakeTimeoutMs: p.handshakeTimeoutMs, replyTimeoutMs: p.replyTimeoutMs, message: PING, signal: ctx.signal }),
        e.runbookCli(ctx, client.url),
      ]);
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
          ...(r.excerpt ? [excerptTable(r.outcome === 'replied' ? 'The reply' : 'The response body', r.excerpt)] : []),
        ],
        evidence: [
          { call: `WebSocket upgrade GET ${r.url}, send ${PING} and a ping frame, wait ${p.replyTimeoutMs} ms for a reply`, cli: runbook.cli },
          { call: 'the upgrade request alone, as a proxy sees it', cli: upgradeCurl(r.url) },
          ...runbook.evidence,
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
  runbookCli: (ctx, url) => runbookTest(ctx, url),
});

/** Step 4.2 "Test proxy connection": the same handshake through the public host. */
export const publicHandshakeCheck = websocketHandshakeCheck({
  id: PUBLIC_HANDSHAKE,
  title: 'WebSocket handshake and ping (public, through the proxy)',
  key: 'publicWebsocket',
  client: (ctx) => ctx.integrations.publicWebsocket(),
  runbookCli: async (_ctx, url) => ({ cli: `curl -I -H "Connection: Upgrade" -H "Upgrade: websocket" ${url.replace(/^ws/, 'http')}`, evidence: [] }),
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

/**
 * The runbook's Python test, run inside the deployment against localhost: the container's port there, not the
 * Service's that the catalog URL names — read from the pod template and the Service's targetPort. Without a
 * workload, the catalog URL itself from wherever the operator is.
 */
async function runbookTest(ctx: RunbookContext<WebSocketParams>, url: string): Promise<{ cli: string; evidence: Evidence[] }> {
  const ref = workloadRef(ctx.target.k8s);
  const python = (target: string) =>
    [
      'import asyncio, json, websockets',
      'async def test():',
      `    async with websockets.connect('${target}') as ws:`,
      "        await ws.send(json.dumps({'type': 'ping'}))",
      "        print(f'WebSocket response: {await ws.recv()}')",
      'asyncio.run(test())',
    ].join('\n');
  if (!ref) return { cli: `python -c "\n${python(url)}\n"`, evidence: [] };
  const u = new URL(url);
  // Bounded by the probe's own time, so a slow API server cannot time the handshake check out.
  const read = await within(
    readContainerPort(ctx, u).catch(() => undefined),
    ctx.params.handshakeTimeoutMs + ctx.params.replyTimeoutMs,
  );
  const pp = read?.probePort;
  const servicePort = urlPort(u);
  const port = pp?.port ?? servicePort;
  let note: string | undefined;
  if (!pp) {
    note = `# ${servicePort} is the Service's port (the catalog URL's): the container may listen on another, see kubectl get ${ref.kind} ${ref.name} -n ${ref.namespace} -o jsonpath='{.spec.template.spec.containers[*].ports}'`;
  } else if (pp.basis === 'first-tcp-port' || (pp.basis === 'only-tcp-port' && pp.service)) {
    // As the probe step says it: a guess among several ports, or a Service that targets a port not declared.
    const which = pp.basis === 'only-tcp-port' ? 'only' : 'first';
    const unmatched = pp.service ? ` (Service ${pp.service.name}'s port ${pp.service.port} targets ${String(pp.service.targetPort)}, which it does not declare)` : '';
    note = `# ${pp.port}: container ${pp.container}'s ${which} TCP containerPort${unmatched}; check it serves ${u.pathname}`;
  }
  const local = `${u.protocol}//localhost:${port}${u.pathname}`;
  const cli = `kubectl exec -it ${ref.kind}/${ref.name} -n ${ref.namespace} -- python -c "\n${python(local)}\n"`;
  return { cli: note ? `${note}\n${cli}` : cli, evidence: read?.evidence ?? [] };
}

/** The promise's value, or undefined once `ms` have passed. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}


function upgradeCurl(url: string): string {
  const http = url.replace(/^ws/, 'http');
  return `curl -i -N -H "Connection: Upgrade" -H "Upgrade: websocket" -H "Sec-WebSocket-Version: 13" -H "Sec-WebSocket-Key: $(openssl rand -base64 16)" ${http}`;
}
