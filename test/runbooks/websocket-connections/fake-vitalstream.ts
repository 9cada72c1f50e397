import { createServer, type Server } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { WebSocketServer } from 'ws';

export interface VitalStreamBehaviour {
  /** `/health` answer. */
  health: { code: number; body: Record<string, unknown> };
  /** `/health/detailed` answer. */
  detailed: { code: number; body: Record<string, unknown> };
  /**
   * What the `/ws` upgrade meets: the app answering pings, a proxy in front refusing the upgrade, an app that
   * accepts and then says nothing, or one that closes at once with 1011 (internal error).
   */
  websocket: { kind: 'pong' } | { kind: 'refuse'; status: number; reason: string } | { kind: 'silent' } | { kind: 'close'; code: number; reason: string };
}

export interface FakeVitalStream {
  healthUrl: string;
  detailedUrl: string;
  websocketUrl: string;
  behaviour: VitalStreamBehaviour;
  /** Messages the WebSocket endpoint received. */
  received: string[];
  stop(): Promise<void>;
}

export const HEALTHY: VitalStreamBehaviour = {
  health: { code: 200, body: { status: 'healthy', service: 'websocket', version: '2.4.1' } },
  detailed: {
    code: 200,
    body: { status: 'healthy', checks: { redis: { status: 'healthy', latency_ms: 1.2 }, kafka: { status: 'healthy' }, ecg_ingest: { status: 'healthy' } } },
  },
  websocket: { kind: 'pong' },
};

/** VitalStream's WebSocket service on one port, like :8003: /health, /health/detailed and the /ws endpoint. */
export async function startFakeVitalStream(initial: VitalStreamBehaviour = HEALTHY): Promise<FakeVitalStream> {
  const behaviour: VitalStreamBehaviour = structuredClone(initial);
  const received: string[] = [];
  const server: Server = createServer((req, res) => {
    const answer = req.url === '/health' ? behaviour.health : req.url === '/health/detailed' ? behaviour.detailed : undefined;
    res.writeHead(answer?.code ?? 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer?.body ?? { detail: 'Not Found' }));
  });
  const wss = new WebSocketServer({ noServer: true, autoPong: false });
  wss.on('connection', (socket) => {
    const mode = behaviour.websocket;
    if (mode.kind === 'close') {
      socket.close(mode.code, mode.reason);
      return;
    }
    socket.on('ping', (data) => {
      if (behaviour.websocket.kind === 'pong') socket.pong(data);
    });
    socket.on('message', (data) => {
      const text = (data as Buffer).toString('utf8');
      received.push(text);
      if (behaviour.websocket.kind === 'pong' && (JSON.parse(text) as { type?: string }).type === 'ping') {
        socket.send(JSON.stringify({ type: 'pong', server_time: '2026-01-16T09:30:00Z' }));
      }
    });
  });
  server.on('upgrade', (req, socket: Socket, head) => {
    const mode = behaviour.websocket;
    if (mode.kind === 'refuse') {
      const body = `<html><head><title>${mode.status} ${mode.reason}</title></head><body><center><h1>${mode.status} ${mode.reason}</h1></center><hr><center>nginx</center></body></html>`;
      socket.end(`HTTP/1.1 ${mode.status} ${mode.reason}\r\nServer: nginx\r\nContent-Type: text/html\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    if (req.url !== '/ws') {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    healthUrl: `http://127.0.0.1:${port}/health`,
    detailedUrl: `http://127.0.0.1:${port}/health/detailed`,
    websocketUrl: `ws://127.0.0.1:${port}/ws`,
    behaviour,
    received,
    stop: async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

export interface FakeIngress {
  /** The public WebSocket URL, as the dashboards connect. */
  websocketUrl: string;
  /** `pass`: bytes go through to the app both ways, upgrade included. `refuse`: a proxy that answers every request itself with a 502. */
  mode: 'pass' | 'refuse';
  stop(): Promise<void>;
}

/** An ingress in front of the fake service: a TCP pass-through, or one that does not pass the upgrade on. */
export async function startFakeIngress(backend: FakeVitalStream, mode: FakeIngress['mode'] = 'pass'): Promise<FakeIngress> {
  const backendPort = Number(new URL(backend.websocketUrl).port);
  const sockets = new Set<Socket>();
  const ingress: FakeIngress = { websocketUrl: '', mode, stop: async () => {} };
  const server = createNetServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    if (ingress.mode === 'refuse') {
      client.once('data', () => {
        const body = '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>';
        client.end(`HTTP/1.1 502 Bad Gateway\r\nServer: nginx\r\nContent-Type: text/html\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      });
      return;
    }
    const upstream = connect(backendPort, '127.0.0.1');
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  ingress.websocketUrl = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
  ingress.stop = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return ingress;
}
