import { z } from 'zod';
import { PROMQL_DURATION } from '../../integrations/prometheus/selector.js';

const promDuration = z.string().regex(PROMQL_DURATION, 'must be a PromQL duration like 5m or 10s');
const k8sName = z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a Kubernetes object name');

/**
 * Every threshold of websocket-connections.md, named. Where the runbook gives a number it is the default; where
 * it gives none, the default is chosen here and the comment says why.
 */
export const WebSocketParams = z.strictObject({
  /** The runbook's `rate(...[5m])`. */
  rateWindow: promDuration.default('5m'),
  /** Step 1.1 "Check current disconnection rate": `rate(...[2m])`, what a remediation's verification compares. */
  currentRateWindow: promDuration.default('2m'),
  /**
   * After a restart or a scale, wait this long before re-measuring: the 2m current rate then covers only the new
   * pods, not the disconnections the rollout itself caused.
   */
  verifySettleSeconds: z.number().min(0).max(900).default(120),
  /** websocket.yaml `max_connections: 10000`, which each instance enforces on its own. */
  maxConnections: z.number().int().min(1).default(10_000),
  /** Not in the runbook: the 80% line the other connection runbooks alert at, and 95% as "about to refuse". */
  connectionsWarnPct: z.number().min(1).max(100).default(80),
  connectionsCritPct: z.number().min(1).max(100).default(95),
  /**
   * Disconnections per second over the window. Not in the runbook: one a second is a dashboard losing its stream
   * every few minutes at a few hundred connections; ten is a mass reconnect.
   */
  disconnectionsWarnPerSec: z.number().min(0).default(1),
  disconnectionsCritPerSec: z.number().min(0).default(10),
  /** "histogram_quantile(0.95, ...)": message latency. */
  latencyQuantile: z.number().gt(0).lt(1).default(0.95),
  /** Not in the runbook: ECG streams are watched live, so half a second is noticeable and two seconds is stale data. */
  latencyWarnSeconds: z.number().min(0).default(0.5),
  latencyCritSeconds: z.number().min(0).default(2),
  /** Connection errors per second (all types): not in the runbook; a few a minute is worth a look. */
  errorsWarnPerSec: z.number().min(0).default(0.05),
  errorsCritPerSec: z.number().min(0).default(1),
  /**
   * The runbook's `rate(container_cpu_usage_seconds_total...)`, as a percent of the pod's CPU limit (a pod at its
   * limit is throttled); of one core, as the runbook has it, when no limit is known.
   */
  cpuWarnPct: z.number().min(1).default(80),
  cpuCritPct: z.number().min(1).default(95),
  /** `kubectl top pods` memory: working set as a share of the container's memory limit (the OOM line). */
  memoryWarnPct: z.number().min(1).max(100).default(80),
  memoryCritPct: z.number().min(1).max(100).default(95),
  /** Diagnosis 4, `kubectl logs -l app=websocket --tail=100`. */
  logTailLines: z.number().int().min(1).max(5000).default(100),
  /** The runbook reads every pod's logs by label; connbot reads up to this many (each is one API call). */
  logPodsMax: z.number().int().min(1).max(20).default(3),
  /** Error lines in what was read; not in the runbook: one is worth a look, 25 in 100 lines is a failing service. */
  logErrorLinesWarn: z.number().int().min(1).default(1),
  logErrorLinesCrit: z.number().int().min(1).default(25),
  /** Example log lines shown in the report (all are counted). */
  logExampleLines: z.number().int().min(0).max(20).default(5),
  /** `kubectl describe pod` events: warnings older than this are history, not the incident. */
  eventsWindowMinutes: z.number().int().min(1).max(24 * 60).default(60),
  /** The runbook's WebSocket test: connect, send {"type": "ping"}, wait for the reply. */
  handshakeTimeoutMs: z.number().int().min(100).max(60_000).default(5000),
  replyTimeoutMs: z.number().int().min(100).max(60_000).default(5000),
  /** A handshake slower than this inside the cluster means the service (or its proxy) is struggling. */
  handshakeWarnMs: z.number().int().min(1).default(1000),
  healthTimeoutMs: z.number().int().min(100).max(60_000).default(5000),
  queryTimeoutMs: z.number().int().min(100).max(60_000).default(5000),
  podRestartsWarn: z.number().int().min(1).default(3),
  /** `kubectl rollout status` after a restart or a scale, bounded. */
  rolloutWaitSeconds: z.number().min(0).max(3600).default(300),
  rolloutPollSeconds: z.number().min(0.05).max(60).default(5),
  /** Step 3 websocket.yaml values. */
  heartbeatIntervalSeconds: z.number().int().min(1).default(30),
  connectionTimeoutSeconds: z.number().int().min(1).default(300),
  maxMessageSize: z.number().int().min(1).default(1_048_576),
  /** Step 3 connection_pool.yaml values. */
  maxPoolSize: z.number().int().min(1).default(1000),
  poolTimeoutSeconds: z.number().int().min(1).default(30),
  maxIdleTimeSeconds: z.number().int().min(1).default(300),
  /** Step 4 probe values. */
  readinessInitialDelaySeconds: z.number().int().min(0).default(5),
  readinessPeriodSeconds: z.number().int().min(1).default(10),
  livenessInitialDelaySeconds: z.number().int().min(0).default(15),
  livenessPeriodSeconds: z.number().int().min(1).default(20),
  /** The objects the runbook names around the deployment. */
  configMap: k8sName.default('websocket-config'),
  ingress: k8sName.default('websocket-ingress'),
  tlsSecret: k8sName.default('websocket-tls'),
  /** The TLS server name and public host of Step 4; the catalog's http.publicWebsocket host wins when it is set. */
  publicHost: z.string().regex(/^[a-z0-9.-]+$/i, 'must be a host name').default('websocket.vitalstream.com'),
});

export type WebSocketParams = z.infer<typeof WebSocketParams>;
