import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake TickStorm process reports; counters grow at these rates between scrapes. */
export interface TickstormLoad {
  connectionsPerSec: number;
  dropsPerSec: number;
  timeoutsPerSec: number;
  active: number;
  /** Every ended connection is observed at this duration. */
  connectionDurationSeconds: number;
  openFds: number;
  maxFds: number;
  rssBytes: number;
  /** cAdvisor-style container series; omitted when undefined. */
  container?: { namespace: string; pod: string; container: string; workingSetBytes: number; limitBytes: number };
}

export interface TickstormExporter {
  port: number;
  url: string;
  metricsUrl: string;
  healthUrl: string;
  /** host:port for a Prometheus static_config. */
  target: string;
  set(load: Partial<TickstormLoad>): void;
  setHealth(statusCode: number, body: unknown): void;
  /** What a process restart does to its counters: back to zero (Prometheus's rate() handles the reset). */
  restart(load?: Partial<TickstormLoad>): void;
  scrapes(): number;
  stop(): Promise<void>;
}

const BUCKETS = [1, 5, 10, 30, 60, 300];

const DEFAULT_LOAD: TickstormLoad = {
  connectionsPerSec: 100,
  dropsPerSec: 0,
  timeoutsPerSec: 0,
  active: 1200,
  connectionDurationSeconds: 120,
  openFds: 1300,
  maxFds: 65536,
  rssBytes: 256 * 1024 * 1024,
};

/**
 * A tiny TickStorm stand-in serving its metrics in the Prometheus text format. Counters integrate the configured
 * rates over wall-clock time, so `rate()` in a real Prometheus sees exactly the configured per-second values.
 */
export async function startTickstormExporter(initial: Partial<TickstormLoad> = {}): Promise<TickstormExporter> {
  let load: TickstormLoad = { ...DEFAULT_LOAD, ...initial };
  const counters = { total: 0, dropped: 0, timeout: 0, durationCount: 0, durationSum: 0 };
  const buckets = BUCKETS.map(() => 0);
  let last = Date.now();
  let scrapes = 0;
  let health: { status: number; body: unknown } = { status: 200, body: { status: 'healthy' } };

  const advance = () => {
    const now = Date.now();
    const dt = (now - last) / 1000;
    last = now;
    const ended = load.connectionsPerSec * dt;
    counters.total += ended;
    counters.dropped += load.dropsPerSec * dt;
    counters.timeout += load.timeoutsPerSec * dt;
    counters.durationCount += ended;
    counters.durationSum += ended * load.connectionDurationSeconds;
    BUCKETS.forEach((le, i) => {
      if (load.connectionDurationSeconds <= le) buckets[i]! += ended;
    });
  };

  const render = (): string => {
    advance();
    const lines = [
      '# TYPE tick_storm_total_connections_total counter',
      `tick_storm_total_connections_total ${counters.total}`,
      '# TYPE tick_storm_connection_errors_total counter',
      `tick_storm_connection_errors_total{error_type="connection_dropped"} ${counters.dropped}`,
      `tick_storm_connection_errors_total{error_type="timeout"} ${counters.timeout}`,
      '# TYPE tick_storm_active_connections gauge',
      `tick_storm_active_connections ${load.active}`,
      '# TYPE tick_storm_connection_duration_seconds histogram',
      ...BUCKETS.map((le, i) => `tick_storm_connection_duration_seconds_bucket{le="${le}"} ${buckets[i]}`),
      `tick_storm_connection_duration_seconds_bucket{le="+Inf"} ${counters.durationCount}`,
      `tick_storm_connection_duration_seconds_sum ${counters.durationSum}`,
      `tick_storm_connection_duration_seconds_count ${counters.durationCount}`,
      '# TYPE process_open_fds gauge',
      `process_open_fds ${load.openFds}`,
      '# TYPE process_max_fds gauge',
      `process_max_fds ${load.maxFds}`,
      '# TYPE process_resident_memory_bytes gauge',
      `process_resident_memory_bytes ${load.rssBytes}`,
    ];
    const c = load.container;
    if (c) {
      const l = `namespace="${c.namespace}",pod="${c.pod}",container="${c.container}"`;
      lines.push(
        '# TYPE container_memory_working_set_bytes gauge',
        `container_memory_working_set_bytes{${l}} ${c.workingSetBytes}`,
        '# TYPE container_spec_memory_limit_bytes gauge',
        `container_spec_memory_limit_bytes{${l}} ${c.limitBytes}`,
      );
    }
    return `${lines.join('\n')}\n`;
  };

  const server: Server = createServer((req, res) => {
    if (req.url === '/metrics') {
      scrapes += 1;
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(render());
      return;
    }
    if (req.url === '/health') {
      res.writeHead(health.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(health.body));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  return {
    port,
    url,
    metricsUrl: `${url}/metrics`,
    healthUrl: `${url}/health`,
    target: `127.0.0.1:${port}`,
    set(next) {
      advance();
      load = { ...load, ...next };
    },
    restart(next: Partial<TickstormLoad> = {}) {
      advance();
      for (const k of Object.keys(counters) as Array<keyof typeof counters>) counters[k] = 0;
      buckets.fill(0);
      load = { ...load, ...next };
    },
    setHealth(status, body) {
      health = { status, body };
    },
    scrapes: () => scrapes,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
