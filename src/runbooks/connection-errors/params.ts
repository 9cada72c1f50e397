import { z } from 'zod';
import { PROMQL_DURATION } from '../../integrations/prometheus/selector.js';

/**
 * Every threshold of connection-errors.md, named. Where the runbook gives a number it is the default; where it
 * gives none, the default is chosen here and the comment says why.
 */
export const ConnectionErrorsParams = z.strictObject({
  /** config.yml `server.max_connections: 10000`: current connections are judged against it. */
  maxConnections: z.number().int().min(1).default(10_000),
  /** Prevention: "Set alerts at 80% of limit". */
  connectionsWarnPct: z.number().min(1).max(100).default(80),
  /** Not in the runbook: at 95% the next burst is refused ("Too many connections"). */
  connectionsCritPct: z.number().min(1).max(100).default(95),
  /**
   * Connection errors per second (all types). Not in the runbook, which only greps the counter: a few a minute
   * is worth a look, one a second is an outage for some clients.
   */
  errorsWarnPerSec: z.number().min(0).default(0.05),
  errorsCritPerSec: z.number().min(0).default(1),
  /** Without a Prometheus server, the error counters are read twice this far apart to get a rate. */
  errorSampleSeconds: z.number().min(0.1).max(60).default(5),
  /** The Prometheus `rate(...[5m])` window, when the catalog names a Prometheus server. */
  rateWindow: z.string().regex(PROMQL_DURATION, 'must be a PromQL duration like 5m').default('5m'),
  /**
   * "Right now": the error rate a remediation is verified on. The 5m rate still holds the minutes before a
   * restart; 1m is the shortest window that holds several samples at the usual 15 s scrape interval.
   */
  currentRateWindow: z.string().regex(PROMQL_DURATION, 'must be a PromQL duration like 1m').default('1m'),
  /** `kubectl logs vectorizer-0 -n vectorizer --tail=100`. */
  logTailLines: z.number().int().min(1).max(5000).default(100),
  /** The runbook reads one pod's logs; connbot reads up to this many (each is one API call). */
  logPodsMax: z.number().int().min(1).max(20).default(3),
  /** `grep -i error` lines in the tail: any is a warning; a quarter of the default tail is critical. */
  logErrorLinesWarn: z.number().int().min(1).default(1),
  logErrorLinesCrit: z.number().int().min(1).default(25),
  /** Example log lines shown in the report (all are counted). */
  logExampleLines: z.number().int().min(0).max(20).default(5),
  /** Warning events older than this are history, not the incident. */
  eventsWindowMinutes: z.number().int().min(1).max(24 * 60).default(60),
  /** Pods restarted this often (or OOMKilled, or in back-off) point at a crashing service. */
  podRestartsWarn: z.number().int().min(1).default(3),
  /**
   * Cause 3, resource exhaustion (Immediate action 2, `ulimit -n`, `free -h`, `top`). Not in the runbook: its
   * Prevention line "alert at 80% of limit" is used for descriptors and memory, 95% is the next burst away.
   */
  fdWarnPct: z.number().min(1).max(100).default(80),
  fdCritPct: z.number().min(1).max(100).default(95),
  memoryWarnPct: z.number().min(1).max(100).default(80),
  memoryCritPct: z.number().min(1).max(100).default(95),
  /**
   * Share of CPU periods in which a pod was throttled at its limit. Not in the runbook: 25% is where the
   * kubernetes-mixin CPUThrottlingHigh alert fires; at half the periods, accepts and handshakes stall visibly.
   */
  cpuThrottleWarnPct: z.number().min(1).max(100).default(25),
  cpuThrottleCritPct: z.number().min(1).max(100).default(50),
  healthTimeoutMs: z.number().int().min(100).max(60_000).default(5000),
  metricsTimeoutMs: z.number().int().min(100).max(60_000).default(5000),
  queryTimeoutMs: z.number().int().min(100).max(60_000).default(5000),
  /** Remediations wait at most this long for the StatefulSet to be ready again (StatefulSets roll one pod at a time). */
  rolloutWaitSeconds: z.number().min(0).max(3600).default(600),
  rolloutPollSeconds: z.number().min(0.05).max(60).default(5),
  /**
   * After a restart or scale-out, wait this long before re-measuring: the new pods must take traffic and the
   * currentRateWindow must hold only minutes after the change.
   */
  verifySettleSeconds: z.number().min(0).max(900).default(60),
  /** config.yml values of Resolution Step 2. */
  connectionTimeoutSeconds: z.number().int().min(1).default(60),
  keepaliveTimeoutSeconds: z.number().int().min(1).default(65),
  /** Step 3: `* soft nofile 65536`. */
  nofileLimit: z.number().int().min(1024).default(65536),
  /** Step 5: `sessionAffinityConfig.clientIP.timeoutSeconds: 10800`. */
  sessionAffinityTimeoutSeconds: z.number().int().min(1).max(86_400).default(10_800),
});

export type ConnectionErrorsParams = z.infer<typeof ConnectionErrorsParams>;
