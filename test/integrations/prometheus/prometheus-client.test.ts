import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrometheusClient } from '../../../src/integrations/prometheus/prometheus-client.js';
import { ConnbotError } from '../../../src/errors.js';
import { startPrometheus, type PrivatePrometheus } from '../../support/prometheus.js';
import { freePort } from '../../support/redis-server.js';

async function rejection(p: Promise<unknown>): Promise<ConnbotError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConnbotError);
  return err as ConnbotError;
}

describe('PrometheusClient against a real Prometheus', () => {
  let prometheus: PrivatePrometheus;
  let client: PrometheusClient;

  beforeAll(async () => {
    prometheus = await startPrometheus({ targets: [] });
    client = new PrometheusClient({ url: `${prometheus.url}/`, selector: '{service="tickstorm"}' });
  });
  afterAll(async () => prometheus?.stop());

  it('parses an instant vector with labels', async () => {
    const series = await client.queryVector('label_replace(vector(42), "service", "tickstorm", "", "")');
    expect(series).toEqual([{ labels: { service: 'tickstorm' }, sample: [expect.any(Number), 42] }]);
  });

  it('parses scalars and the special floats Prometheus writes as strings', async () => {
    expect(await client.query('scalar(vector(1.5))')).toEqual({ resultType: 'scalar', sample: [expect.any(Number), 1.5] });
    expect((await client.queryVector('vector(1) / 0'))[0]!.sample[1]).toBe(Infinity);
    expect((await client.queryVector('vector(-1) / 0'))[0]!.sample[1]).toBe(-Infinity);
    expect((await client.queryVector('vector(0) / 0'))[0]!.sample[1]).toBeNaN();
  });

  it('returns an empty result as empty', async () => {
    expect(await client.queryVector(client.select('tick_storm_active_connections'))).toEqual([]);
  });

  it('parses a range query as a matrix', async () => {
    const end = new Date();
    const series = await client.queryRange('vector(7)', { start: new Date(end.getTime() - 10_000), end, stepSeconds: 2 });
    expect(series).toHaveLength(1);
    expect(series[0]!.samples.length).toBeGreaterThanOrEqual(5);
    expect(series[0]!.samples.every(([, v]) => v === 7)).toBe(true);
  });

  it('turns status:error into INTEGRATION_FAILED naming the error type and the query', async () => {
    const err = await rejection(client.query('sum(rate(x[5m])'));
    expect(err.code).toBe('INTEGRATION_FAILED');
    expect(err.message).toContain('bad_data');
    expect(err.message).toContain('`sum(rate(x[5m])`');
  });

  it('builds a curl command that repeats the query', () => {
    expect(client.curlCommand(`up{job='x'}`)).toBe(
      `curl -s '${prometheus.url}/api/v1/query' --data-urlencode 'query=up{job='\\''x'\\''}'`,
    );
  });
});

describe('PrometheusClient when the server misbehaves', () => {
  let server: Server;
  let base: string;
  let handler: (path: string, res: import('node:http').ServerResponse) => void = () => {};

  beforeAll(async () => {
    server = createServer((req, res) => handler(req.url ?? '', res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );

  it('reports an HTTP error page with its status', async () => {
    handler = (_p, res) => res.writeHead(503, { 'content-type': 'text/html' }).end('<h1>Service Unavailable</h1>');
    const err = await rejection(new PrometheusClient({ url: base }).query('up'));
    expect(err.message).toMatch(/HTTP 503, not a JSON answer: <h1>Service Unavailable<\/h1> for query `up`/);
  });

  it('reports an error answer with its errorType even on a non-2xx status', async () => {
    handler = (_p, res) =>
      res
        .writeHead(422, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: 'error', errorType: 'execution', error: 'query processing would load too many samples' }));
    const err = await rejection(new PrometheusClient({ url: base }).query('up'));
    expect(err.message).toContain('execution: query processing would load too many samples for query `up`');
  });

  it('gives up after its timeout', async () => {
    handler = () => {}; // never answers
    const started = Date.now();
    const err = await rejection(new PrometheusClient({ url: base }).query('up', { timeoutMs: 300 }));
    expect(err.message).toContain('no answer within 300 ms for query `up`');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('sends the query form-encoded to /api/v1/query', async () => {
    let seen = '';
    server.removeAllListeners('request');
    server.on('request', (req, res) => {
      let body = '';
      req.on('data', (c) => (body += String(c)));
      req.on('end', () => {
        seen = `${req.method} ${req.url} ${body}`;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }));
      });
    });
    await new PrometheusClient({ url: base }).query('rate(x{a="b"}[5m])', { timeoutMs: 4000 });
    expect(seen).toBe(`POST /api/v1/query query=rate%28x%7Ba%3D%22b%22%7D%5B5m%5D%29&timeout=4s`);
  });

  it('reports an unreachable server', async () => {
    const err = await rejection(new PrometheusClient({ url: `http://127.0.0.1:${await freePort()}` }).query('up'));
    expect(err.message).toMatch(/unreachable \(ECONNREFUSED\) for query `up`/);
  });
});
