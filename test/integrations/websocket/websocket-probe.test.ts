import { afterEach, describe, expect, it } from 'vitest';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type ServerOptions } from 'ws';
import { describeWebSocketProbe, probeWebSocket } from '../../../src/integrations/websocket/websocket-probe.js';
import { freePort } from '../../support/redis-server.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

/** A real ws server on 127.0.0.1 at /ws; `onMessage` decides what a client's message gets back. */
async function wsServer(onMessage: ((text: string, reply: (t: string) => void, close: (code: number, why: string) => void) => void) | undefined, options: ServerOptions = {}) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/ws', ...options });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const received: string[] = [];
  wss.on('connection', (socket) => {
    socket.on('message', (data) => {
      const text = (data as Buffer).toString('utf8');
      received.push(text);
      onMessage?.(text, (t) => socket.send(t), (code, why) => socket.close(code, why));
    });
  });
  cleanups.push(async () => {
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });
  return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws`, received, wss };
}

/** What nginx answers when the upstream is gone: the upgrade never happens. */
async function refusingProxy(status: number, reason: string): Promise<string> {
  const server: HttpServer = createHttpServer();
  server.on('upgrade', (_req, socket) => {
    const body = `<html><head><title>${status} ${reason}</title></head><body><center><h1>${status} ${reason}</h1></center><hr><center>nginx/1.25.3</center></body></html>`;
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nServer: nginx/1.25.3\r\nContent-Type: text/html\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
}

/** Accepts TCP and never says a word: a black-holed backend. */
async function silentTcp(): Promise<string> {
  const sockets = new Set<Socket>();
  const server: TcpServer = createTcpServer((s) => sockets.add(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
}

describe('probeWebSocket against real sockets', () => {
  it('completes the handshake, sends {"type":"ping"} and reports the reply and its latency', async () => {
    const server = await wsServer((text, reply) => {
      if (JSON.parse(text).type === 'ping') reply(JSON.stringify({ type: 'pong', ts: 1768550400000 }));
    }, { autoPong: false });
    const r = await probeWebSocket(server.url, { replyTimeoutMs: 2000 });
    expect(server.received).toEqual(['{"type":"ping"}']);
    expect(r).toMatchObject({ outcome: 'replied', upgraded: true, handshakeStatus: 101, replyKind: 'message', excerpt: '{"type":"pong","ts":1768550400000}' });
    expect(r.replyMs).toBeGreaterThanOrEqual(0);
    expect(r.handshakeMs).toBeLessThan(2000);
    expect(describeWebSocketProbe(r)).toMatch(/^handshake 101 in \d+ ms, message reply in \d+ ms$/);
  });

  it('counts a pong control frame as a reply when the app ignores the JSON ping', async () => {
    const server = await wsServer(undefined);
    const r = await probeWebSocket(server.url, { replyTimeoutMs: 2000 });
    expect(r).toMatchObject({ outcome: 'replied', replyKind: 'pong' });
  });

  it('reports a connection that upgrades but never answers as no-reply after the timeout', async () => {
    const server = await wsServer(undefined, { autoPong: false });
    const started = Date.now();
    const r = await probeWebSocket(server.url, { replyTimeoutMs: 300 });
    expect(r).toMatchObject({ outcome: 'no-reply', upgraded: true, handshakeStatus: 101 });
    expect(r.error).toBe('no reply to {"type":"ping"} within 300 ms');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('reports the HTTP status of a refused upgrade, as a proxy sends it', async () => {
    const url = await refusingProxy(502, 'Bad Gateway');
    const r = await probeWebSocket(url);
    expect(r).toMatchObject({ outcome: 'rejected', upgraded: false, handshakeStatus: 502, handshakeStatusText: 'Bad Gateway' });
    expect(r.error).toBe('upgrade refused: HTTP 502 Bad Gateway');
    expect(r.excerpt).toContain('<h1>502 Bad Gateway</h1>');
  });

  it('reports a 404 from a ws server on another path', async () => {
    const server = await wsServer(undefined);
    const r = await probeWebSocket(server.url.replace('/ws', '/socket'));
    expect(r).toMatchObject({ outcome: 'rejected', handshakeStatus: 400 });
  });

  it('times out a handshake nobody answers', async () => {
    const url = await silentTcp();
    const r = await probeWebSocket(url, { handshakeTimeoutMs: 300 });
    expect(r).toMatchObject({ outcome: 'timeout', upgraded: false, error: 'no handshake answer within 300 ms' });
  });

  it('reports refused connections and the server closing before it replied', async () => {
    const refused = await probeWebSocket(`ws://127.0.0.1:${await freePort()}/ws`);
    expect(refused).toMatchObject({ outcome: 'refused', upgraded: false });
    expect(refused.error).toMatch(/^connection refused \(ECONNREFUSED\)/);

    const server = await wsServer((_t, _reply, close) => close(1013, 'try again later'), { autoPong: false });
    const closed = await probeWebSocket(server.url);
    expect(closed).toMatchObject({ outcome: 'closed', upgraded: true, closeCode: 1013, closeReason: 'try again later' });
  });

  it('stops when cancelled and rejects a URL that is not a WebSocket URL', async () => {
    const url = await silentTcp();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    expect(await probeWebSocket(url, { signal: controller.signal })).toMatchObject({ outcome: 'cancelled' });
    const bad = await probeWebSocket('ftp://127.0.0.1/ws');
    expect(bad).toMatchObject({ outcome: 'error', upgraded: false });
    expect(bad.error).toMatch(/^invalid WebSocket URL: /);
  });
});
