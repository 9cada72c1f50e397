import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface VectorizerBehaviour {
  /** `/api/status` answer. */
  statusCode: number;
  status: Record<string, unknown>;
  /** Open connections per protocol (the gauge's label). */
  connections: Record<string, number>;
  /** Connection errors per second, by error_type; the counters grow at this rate in real time. */
  errorsPerSec: Record<string, number>;
}

export interface FakeVectorizer {
  healthUrl: string;
  metricsUrl: string;
  behaviour: VectorizerBehaviour;
  /** Change the error rates from now on (the counters keep what they counted). */
  setErrorRates(rates: Record<string, number>): void;
  scrapes: number;
  stop(): Promise<void>;
}

/**
 * Vectorizer's two HTTP endpoints the runbook curls: `/api/status` (JSON) and `/prometheus/metrics` (text format
 * 0.0.4, as the Rust prometheus crate writes it), with error counters that really grow between scrapes.
 */
export async function startFakeVectorizer(initial: VectorizerBehaviour): Promise<FakeVectorizer> {
  const behaviour = { ...initial };
  let base: Record<string, number> = Object.fromEntries(Object.keys(initial.errorsPerSec).map((k, i) => [k, 1000 * (i + 1)]));
  let since = performance.now();
  const counters = () => {
    const secs = (performance.now() - since) / 1000;
    return Object.fromEntries(
      [...new Set([...Object.keys(base), ...Object.keys(behaviour.errorsPerSec)])].map((k) => [k, (base[k] ?? 0) + (behaviour.errorsPerSec[k] ?? 0) * secs]),
    );
  };
  const fake: FakeVectorizer = {
    healthUrl: '',
    metricsUrl: '',
    behaviour,
    scrapes: 0,
    setErrorRates(rates) {
      base = counters();
      since = performance.now();
      behaviour.errorsPerSec = rates;
    },
    stop: async () => {},
  };
  const server: Server = createServer((req, res) => {
    if (req.url === '/api/status') {
      res.writeHead(behaviour.statusCode, { 'content-type': 'application/json' });
      res.end(JSON.stringify(behaviour.status));
      return;
    }
    if (req.url === '/prometheus/metrics') {
      fake.scrapes += 1;
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(metricsText(behaviour, counters()));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":"not found"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  fake.healthUrl = `http://127.0.0.1:${port}/api/status`;
  fake.metricsUrl = `http://127.0.0.1:${port}/prometheus/metrics`;
  fake.stop = async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  };
  return fake;
}

function metricsText(b: VectorizerBehaviour, errors: Record<string, number>): string {
  const lines = [
    '# HELP vectorizer_search_requests_total Total number of search requests',
    '# TYPE vectorizer_search_requests_total counter',
    'vectorizer_search_requests_total{collection="docs",search_type="vector",status="success"} 182734',
    'vectorizer_search_requests_total{collection="docs",search_type="vector",status="error"} 12',
    '# HELP vectorizer_search_latency_seconds Search request latency in seconds',
    '# TYPE vectorizer_search_latency_seconds histogram',
    'vectorizer_search_latency_seconds_bucket{collection="docs",search_type="vector",le="0.005"} 170021',
    'vectorizer_search_latency_seconds_bucket{collection="docs",search_type="vector",le="+Inf"} 182746',
    'vectorizer_search_latency_seconds_sum{collection="docs",search_type="vector"} 402.77',
    'vectorizer_search_latency_seconds_count{collection="docs",search_type="vector"} 182746',
    '# HELP vectorizer_connections_active Client connections currently open',
    '# TYPE vectorizer_connections_active gauge',
    ...Object.entries(b.connections).map(([proto, n]) => `vectorizer_connections_active{protocol="${proto}"} ${n}`),
    '# HELP vectorizer_connections_total Client connections accepted since start',
    '# TYPE vectorizer_connections_total counter',
    'vectorizer_connections_total 9182734',
    '# HELP vectorizer_connection_errors_total Connection errors by type',
    '# TYPE vectorizer_connection_errors_total counter',
    ...Object.entries(errors).map(([t, n]) => `vectorizer_connection_errors_total{error_type="${t}"} ${Math.floor(n)}`),
    '# HELP vectorizer_memory_usage_bytes Memory usage in bytes',
    '# TYPE vectorizer_memory_usage_bytes gauge',
    'vectorizer_memory_usage_bytes 1.288490188e+09',
    '# HELP process_open_fds Number of open file descriptors.',
    '# TYPE process_open_fds gauge',
    'process_open_fds 2113',
  ];
  return `${lines.join('\n')}\n`;
}
