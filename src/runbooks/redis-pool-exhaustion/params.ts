import { z } from 'zod';

/** Every threshold of redis-pool-exhaustion.md, named, with the runbook's default. */
export const RedisPoolParams = z.strictObject({
  /** "List idle connections > 5 minutes": a client idle at least this long counts as idle. */
  idleSeconds: z.number().int().min(1).default(300),
  /** "Kill connections idle > 10 minutes (600 seconds)": only clients idle at least this long may be killed. */
  killIdleAfterSeconds: z.number().int().min(1).default(600),
  /** The alert: connected_clients / maxclients > 0.8 is critical. */
  utilisationCritPct: z.number().min(1).max(100).default(80),
  utilisationWarnPct: z.number().min(1).max(100).default(60),
  /** The RedisBlockedClients alert: blocked_clients > 10. */
  blockedClientsWarn: z.number().int().min(0).default(10),
  /** Blocked clients holding this share of all connections also warn (a small Redis never reaches 10). */
  blockedShareWarnPct: z.number().min(1).max(100).default(20),
  /** Idle share of all clients above which an idle leak is likely. */
  idleShareWarnPct: z.number().min(1).max(100).default(30),
  /** "Monitor connection count over time": samples and spacing. */
  trendSamples: z.number().int().min(2).max(20).default(4),
  trendIntervalMs: z.number().int().min(100).max(60_000).default(5000),
  /** "Should be relatively stable": a slope within ± this many clients/min is stable. */
  trendStableSlopePerMin: z.number().min(0).default(1),
  /** A rising count reaching maxclients within this many minutes is critical / a warning. */
  exhaustionCritMinutes: z.number().min(0).default(15),
  exhaustionWarnMinutes: z.number().min(0).default(60),
  /** Rows in the by-source / by-name tables. */
  topN: z.number().int().min(1).max(50).default(10),
  /** One source IP or client name holding this share of maxclients warns ("verify reasonable distribution"). */
  sourceShareWarnPct: z.number().min(1).max(100).default(50),
  /** `CONFIG SET timeout N` value the runbook recommends. */
  idleTimeoutSeconds: z.number().int().min(0).default(300),
  /** Temporary `CONFIG SET maxclients N`; the runbook suggests 20000. */
  raisedMaxclients: z.number().int().min(1).default(20000),
  /** Pool budget: Σ replicas × poolSize should stay under this share of maxclients. */
  poolBudgetPct: z.number().min(1).max(100).default(80),
  /** The runbook's `kubectl edit helmrelease redis -n redis`: the release that persists the config. */
  helmRelease: z.string().min(1).default('redis'),
});

export type RedisPoolParams = z.infer<typeof RedisPoolParams>;
