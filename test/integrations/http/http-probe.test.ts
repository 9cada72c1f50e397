import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeProbe, probeHttp } from '../../../src/integrations/http/http-probe.js';
import { HttpTargetClient } from '../../../src/integrations/http/http-target.js';
import { ConnbotError } from '../../../src/errors.js';
import { freePort } from '../../support/redis-server.js';

describe('probeHttp', () => {
  let server: Server;
  let base: string;
  const routes = new Map<string, (res: ServerResponse) => void>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      const route = routes.get(req.url ?? '');
      if (route) route(res);
      else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    routes.set('/health', (res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'healthy', connections: 1200 })),
    );
    routes.set('/secret', (res) =>
      res
        .writeHead(500, { 'content-type': 'text/plain' })
        .end(`database error: postgres://app:s3cr3t-pass@db:5432/app token=xoxb-123-456-abcdef ${'x'.repeat(500)}`),
    );
    routes.set('/hang', () => {});
    routes.set('/untyped-json', (res) => res.writeHead(200).end('{"status":"ok"}'));
  });
  afterAll(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );

  it('reports status, latency, content type and parsed JSON', async () => {
    const r = await probeHttp(`${base}/health`);
    expect(r).toMatchObject({
      outcome: 'response',
      ok: true,
      statusCode: 200,
      contentType: 'application/json',
      json: { status: 'healthy', connections: 1200 },
      bodyExcerpt: '{"status":"healthy","connections":1200}',
    });
    expect(r.latencyMs).toBeGreaterThanOrEqual(0);
    expect(describeProbe(r)).toMatch(/^HTTP 200 in \d+ ms$/);
  });

  it('parses JSON bodies even without a JSON content type', async () => {
    expect((await probeHttp(`${base}/untyped-json`)).json).toEqual({ status: 'ok' });
  });

  it('cuts the excerpt to ~300 characters and redacts secrets in it', async () => {
    const r = await probeHttp(`${base}/secret`);
    expect(r.ok).toBe(false);
    expect(r.statusCode).toBe(500);
    expect(r.json).toBeUndefined();
    expect(r.bodyExcerpt!.length).toBeLessThanOrEqual(301);
    expect(r.bodyExcerpt).toContain('postgres://app:[redacted]@db');
    expect(r.bodyExcerpt).not.toContain('s3cr3t');
    expect(r.bodyExcerpt).not.toContain('xoxb-123');
  });

  it('hands the whole raw body only to a caller that parses it, and keeps it out of the excerpt', async () => {
    expect((await probeHttp(`${base}/secret`)).body).toBeUndefined();
    const r = await probeHttp(`${base}/secret`, { keepBody: true });
    expect(r.body).toContain('s3cr3t');
    expect(r.body!.length).toBeGreaterThan(r.bodyExcerpt!.length);
    expect(r.bodyExcerpt).not.toContain('s3cr3t');
  });

  it('reports connection refused', async () => {
    const r = await probeHttp(`http://127.0.0.1:${await freePort()}/health`);
    expect(r).toMatchObject({ outcome: 'refused', ok: false, error: 'connection refused (ECONNREFUSED)' });
    expect(r.statusCode).toBeUndefined();
  });

  it('reports a timeout when no answer arrives', async () => {
    const r = await probeHttp(`${base}/hang`, { timeoutMs: 200 });
    expect(r).toMatchObject({ outcome: 'timeout', ok: false, error: 'no answer within 200 ms' });
    expect(describeProbe(r)).toMatch(/^no answer within 200 ms after \d+ ms$/);
  });

  it('reports a name that does not resolve as a DNS failure', async () => {
    // .invalid never resolves (RFC 2606); offline resolvers answer EAI_AGAIN, online ones ENOTFOUND.
    const r = await probeHttp('http://tickstorm.invalid:8081/health', { timeoutMs: 4000 });
    expect(r.outcome).toBe('dns');
    expect(r.error).toMatch(/^DNS lookup failed \((ENOTFOUND|EAI_AGAIN)\)$/);
  });

  it('names the catalog endpoint that is missing', () => {
    const http = new HttpTargetClient({ health: `${base}/health` }, 'services.tickstorm.envs.prod');
    expect(http.has('health')).toBe(true);
    expect(() => http.url('detailedHealth')).toThrow(ConnbotError);
    expect(() => http.url('detailedHealth')).toThrow('services.tickstorm.envs.prod.http has no detailedHealth URL');
  });
});
