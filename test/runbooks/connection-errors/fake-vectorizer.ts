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

/** One pod behind the Service, as a scrape through it meets it. */
export interface PodAnswer {
  /** HTTP status of /prometheus/metrics; default 200. */
  status?: number;
  /** This pod's error counters; omitted: it exports none. */
  errorTotals?: Record<string, number>;
  /** Its process_start_time_seconds; omitted: not exported. */
  processStart?: number;
}

export interface FakeVectorizer {
  healthUrl: string;
  metricsUrl: string;
  behaviour: VectorizerBehaviour;
  /** Change the error rates from now on (the counters keep what they counted). */
  setErrorRates(rates: Record<string, number>): void;
  scrapes: number;
  /**
   * Several pods behind one Service URL: each scrape is answered by the next of these in turn (kube-proxy picks a
   * pod per connection), with its own counters. Unset: one process whose counters grow at errorsPerSec.
   */
  behindService: PodAnswer[] | undefined;
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
    behindService: undefined,
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
      const pods = fake.behindService;
      const pod = pods && pods.length > 0 ? pods[(fake.scrapes - 1) % pods.length]! : undefined;
      if (pod && (pod.status ?? 200) !== 200) {
        res.writeHead(pod.status!, { 'content-type': 'text/plain' });
        res.end('upstream connect error or disconnect/reset before headers');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(pod ? metricsText(behaviour, pod.errorTotals, pod.processStart) : metricsText(behaviour, counters()));
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

function metricsText(b: VectorizerBehaviour, errors: Record<string, number> | undefined, processStart?: number): string {
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
    ...(errors
      ? [
          '# HELP vectorizer_connection_errors_total Connection errors by type',
          '# TYPE vectorizer_connection_errors_total counter',
          ...Object.entries(errors).map(([t, n]) => `vectorizer_connection_errors_total{error_type="${t}"} ${Math.floor(n)}`),
        ]
      : []),
    '# HELP vectorizer_memory_usage_bytes Memory usage in bytes',
    '# TYPE vectorizer_memory_usage_bytes gauge',
    'vectorizer_memory_usage_bytes 1.288490188e+09',
    '# HELP process_open_fds Number of open file descriptors.',
    '# TYPE process_open_fds gauge',
    'process_open_fds 2113',
    ...(processStart !== undefined ? ['# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.', '# TYPE process_start_time_seconds gauge', `process_start_time_seconds ${processStart}`] : []),
  ];
  return `${lines.join('\n')}\n`;
}
