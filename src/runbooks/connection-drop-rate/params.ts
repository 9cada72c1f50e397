import { z } from 'zod';
import { PROMQL_DURATION } from '../../integrations/prometheus/selector.js';

const promDuration = z.string().regex(PROMQL_DURATION, 'must be a PromQL duration like 5m or 10s');
const quantity = z.string().regex(/^\d+(\.\d+)?(Ki|Mi|Gi|Ti|K|M|G|T)?$/, 'must be a Kubernetes quantity like 4Gi');

/** Every threshold of connection-drop-rate.md, named, with the runbook's default. */
export const DropRateParams = z.strictObject({
  /**
   * After a restart's rollout has finished, wait this long before re-measuring: the new pods take traffic and the
   * drop rate is then judged over this time only (see currentRateWindow).
   */
  verifySettleSeconds: z.number().min(0).max(900).default(60),
  /** `kubectl rollout status --timeout`: how long a restart waits for every pod to be replaced and ready. */
  rolloutWaitSeconds: z.number().min(0).max(3600).default(300),
  rolloutPollSeconds: z.number().min(0.05).max(60).default(5),
  /** The alert: TickStormConnectionDropRate fires when the drop rate exceeds 0.5% of connections. */
  dropRatePct: z.number().min(0).max(100).default(0.5),
  /** The runbook's `rate(...[5m])` window. */
  rateWindow: promDuration.default('5m'),
  /**
   * The drop rate "now", shown beside the rateWindow one and what a restart is verified on: after a restart the
   * window is cut to start when the rollout finished, so neither the drops before it nor the reconnect burst of
   * the rollout (every client of a replaced pod reconnects, inflating new connections) are in it.
   */
  currentRateWindow: promDuration.default('1m'),
  /** The drop-rate trend drawn beside the current value. */
  trendWindow: promDuration.default('30m'),
  trendStepSeconds: z.number().int().min(1).max(3600).default(30),
  /** "export MAX_CONNECTIONS=100000" (Prevention): active connections are judged against it. */
  maxConnections: z.number().int().min(1).default(100_000),
  activeConnectionsWarnPct: z.number().min(1).max(100).default(80),
  activeConnectionsCritPct: z.number().min(1).max(100).default(95),
  /** "histogram_quantile(0.50, ...)": connection duration before drops. */
  durationQuantile: z.number().gt(0).lt(1).default(0.5),
  /** Connections that die before the first keep-alive ("KEEPALIVE_INTERVAL=30s") are being dropped early. */
  durationWarnSeconds: z.number().min(0).default(30),
  durationCritSeconds: z.number().min(0).default(5),
  /** Scenario 1, file descriptor exhaustion: open fds as a share of the limit. */
  fdWarnPct: z.number().min(1).max(100).default(80),
  fdCritPct: z.number().min(1).max(100).default(95),
  /** Scenario 2, memory pressure: working set (or RSS) as a share of the memory limit. */
  memoryWarnPct: z.number().min(1).max(100).default(80),
  memoryCritPct: z.number().min(1).max(100).default(95),
  /** Pods restarted this often (or OOMKilled) point at memory pressure. */
  podRestartsWarn: z.number().int().min(1).default(3),
  healthTimeoutMs: z.number().int().min(100).max(60_000).default(5000),
  queryTimeoutMs: z.number().int().min(100).max(60_000).default(5000),
  /** Values the runbook's resolution steps write: `nofile 65536`, `LimitNOFILE=65536`. */
  nofileLimit: z.number().int().min(1024).default(65536),
  /** `"resources":{"limits":{"memory":"4Gi"}}` and `GOGC=80`. */
  memoryLimit: quantity.default('4Gi'),
  gogc: z.number().int().min(1).default(80),
  /** Scenario 3 sysctl values. */
  somaxconn: z.number().int().min(128).default(65535),
  tcpMaxSynBacklog: z.number().int().min(128).default(65535),
  netdevMaxBacklog: z.number().int().min(100).default(5000),
});

export type DropRateParams = z.infer<typeof DropRateParams>;
