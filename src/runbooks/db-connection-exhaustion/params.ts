import { z } from 'zod';

/**
 * Every threshold of db-connection-exhaustion.md, named. Where the runbook gives a number it is the default;
 * where it gives none, the default is chosen here and the comment says why.
 */
export const DbConnectionParams = z.strictObject({
  /**
   * The runbook's "enhanced alarm" (golden-path-rds-connections-warning-{env}) fires above 80. Its CLI compares a
   * raw count (--threshold 80), which only fits a small instance; as a share of max_connections it holds for any
   * instance class, so 80 % of max is the warning line.
   */
  connectionsWarnPct: z.number().min(1).max(100).default(80),
  /** Past 90 % of max_connections new connections start failing within minutes at a typical climb. */
  connectionsCritPct: z.number().min(1).max(100).default(90),
  /** "--start-time $(date -d '1 hour ago' ...)": the metric window. */
  lookbackMinutes: z.number().int().min(5).max(24 * 60).default(60),
  /** At the current climb, the limit is reached within this long: warn … */
  exhaustionEtaWarnMinutes: z.number().min(1).default(60),
  /** … and crit. */
  exhaustionEtaCritMinutes: z.number().min(1).default(15),
  /** "Steadily increasing connection count": a least-squares slope at least this steep (connections/minute) … */
  climbMinPerMinute: z.number().min(0).default(1),
  /** … and a fit at least this good (R²), so noise is not read as a climb. */
  climbMinR2: z.number().min(0).max(1).default(0.8),
  /** Points needed for a trend at all. */
  trendMinPoints: z.number().int().min(3).default(10),
  /** "Connection count proportional to task count": Pearson r of connections vs running tasks. */
  taskCorrelationMin: z.number().min(-1).max(1).default(0.8),
  /**
   * The runbook's pooling example holds pool_size 10 + max_overflow 20 = 30 connections per task at most; more per
   * task means connections are not pooled (or leak).
   */
  connectionsPerTaskWarn: z.number().min(1).default(30),
  /** Not in the runbook: CPUUtilization of the writer (Role=WRITER), the dashboard's second metric. */
  cpuWarnPct: z.number().min(1).max(100).default(80),
  cpuCritPct: z.number().min(1).max(100).default(95),
  /** "--start-time $(date -d '15 minutes ago' +%s)": the application-log window. */
  logsWindowMinutes: z.number().int().min(1).max(24 * 60).default(15),
  /** The runbook's query ends "| limit 20". */
  logsQueryLimit: z.number().int().min(1).max(10_000).default(20),
  /** Example lines shown in the report (all are counted). */
  logsExampleLines: z.number().int().min(0).max(50).default(5),
  /** How long to wait for Logs Insights before reporting what it has so far (and stopping the query). */
  logsQueryMaxWaitMs: z.number().int().min(100).max(120_000).default(20_000),
  logsPollIntervalMs: z.number().int().min(10).max(10_000).default(1000),
  /** Connection errors in the window: any is a warning … */
  logsConnectionErrorsWarn: z.number().int().min(1).default(1),
  /** … and this many a crit (not in the runbook: a few per minute over its 15-minute window). */
  logsConnectionErrorsCrit: z.number().int().min(1).default(50),
  /** Service events shown in the report. */
  serviceEventsShown: z.number().int().min(0).max(100).default(8),
  /** After a remediation, wait this long before re-reading DatabaseConnections: RDS metrics arrive ~1 min late. */
  verifySettleSeconds: z.number().min(0).max(900).default(90),
  /**
   * Verification counts only DatabaseConnections datapoints for minutes that start at or after the change
   * finished. The first such minute ends up to two minutes after it and is published about a minute later, so
   * after the settle wait the check polls this long for it, then reports "no post-change datapoint yet".
   */
  postChangeWaitSeconds: z.number().min(0).max(900).default(150),
  postChangePollSeconds: z.number().min(0.01).max(120).default(15),
  /** Remediations: how long to watch the deployment a change created (DescribeServices) before "not stable in time". */
  stableWaitSeconds: z.number().min(0.1).max(3600).default(600),
  /** Time between those DescribeServices calls (ECS's own waiter uses 15 s). */
  stablePollSeconds: z.number().min(0.01).max(120).default(15),
  /** How many task counts the scale remediation offers the approver. */
  scaleChoicesMax: z.number().int().min(1).max(25).default(10),
});

export type DbConnectionParams = z.infer<typeof DbConnectionParams>;
