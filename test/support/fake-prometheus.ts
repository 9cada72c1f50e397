import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeSeries = { metric: Record<string, string>; value: number | 'NaN' | '+Inf' };

export interface FakePrometheus {
  url: string;
  /** Every query received, in order. */
  queries: string[];
  /** Exact PromQL → vector answer; anything else answers an empty vector, as Prometheus does for no match. */
  answers: Map<string, FakeSeries[]>;
  stop(): Promise<void>;
}

/** Prometheus's /api/v1/query, answering instant vectors from a table, in the real API's JSON shape. */
export async function startFakePrometheus(answers: Map<string, FakeSeries[]> = new Map()): Promise<FakePrometheus> {
  const queries: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const query = (req.method === 'POST' ? new URLSearchParams(body) : url.searchParams).get('query') ?? '';
      res.setHeader('content-type', 'application/json');
      if (url.pathname !== '/api/v1/query') {
        res.statusCode = 404;
        res.end('404 page not found');
        return;
      }
      queries.push(query);
      const now = Date.now() / 1000;
      const result = (answers.get(query) ?? []).map((s) => ({ metric: s.metric, value: [now, String(s.value)] }));
      res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    queries,
    answers,
    stop: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
