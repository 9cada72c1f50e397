import { setTimeout as sleep } from 'node:timers/promises';
import type { Status } from '../../../domain/finding.js';
import { infoNumber } from '../../../integrations/redis/info.js';
import type { Check } from '../../types.js';
import { readClientCounts } from '../client-counts.js';
import { estimateTimeToExhaustion, type TrendDirection } from '../estimate-time-to-exhaustion.js';
import { formatMinutes, round1 } from '../format.js';
import type { RedisPoolParams } from '../params.js';
import { redisCli } from '../redis-cli.js';

export interface ConnectionTrendData {
  /** [epoch seconds, connected_clients]. */
  samples: Array<[number, number]>;
  first: number;
  last: number;
  slopePerMin: number;
  direction: TrendDirection;
  minutesToExhaustion: number | undefined;
  maxclients: number | undefined;
  /** rejected_connections grew by this much while sampling: exhaustion happening now, not in the past. */
  rejectedDuringSampling: number;
}

/** Runbook §6 "Check for Connection Leaks": sample the count, fit a slope, extrapolate to maxclients. */
export const connectionTrendCheck: Check<RedisPoolParams> = {
  id: 'connection-trend',
  title: 'Connection count trend',
  timeoutMs: (p) => p.trendSamples * p.trendIntervalMs + 10_000,
  async run(ctx) {
    const p = ctx.params;
    const redis = ctx.integrations.redis();
    const samples: Array<[number, number]> = [];
    let maxclients: number | undefined;
    let firstRejected: number | undefined;
    let lastRejected: number | undefined;
    for (let i = 0; i < p.trendSamples; i++) {
      if (i > 0) await sleep(p.trendIntervalMs, undefined, { signal: ctx.signal });
      const [counts, stats] = await Promise.all([readClientCounts(redis), redis.info('stats')]);
      samples.push([Date.now() / 1000, counts.connected]);
      maxclients = counts.maxclients ?? maxclients;
      const rejected = infoNumber(stats, 'rejected_connections');
      firstRejected ??= rejected;
      lastRejected = rejected ?? lastRejected;
    }
    const est = estimateTimeToExhaustion(samples, maxclients, p.trendStableSlopePerMin);
    const first = samples[0]![1];
    const last = samples.at(-1)![1];
    const rejectedDuringSampling = Math.max(0, (lastRejected ?? 0) - (firstRejected ?? 0));
    const data: ConnectionTrendData = {
      samples,
      first,
      last,
      slopePerMin: est.slopePerMin,
      direction: est.direction,
      minutesToExhaustion: est.minutesToExhaustion === undefined ? undefined : round1(est.minutesToExhaustion),
      maxclients,
      rejectedDuringSampling,
    };
    const eta = est.minutesToExhaustion;
    const status: Status =
      rejectedDuringSampling > 0 || (eta !== undefined && eta <= p.exhaustionCritMinutes)
        ? 'crit'
        : eta !== undefined && eta <= p.exhaustionWarnMinutes
          ? 'warn'
          : 'ok';
    const windowS = round1((samples.at(-1)![0] - samples[0]![0]) || 0);
    const slopeText = `${est.slopePerMin > 0 ? '+' : ''}${est.slopePerMin} clients/min`;
    const trendText =
      est.direction === 'rising'
        ? eta === 0
          ? `rising at ${slopeText} and already at maxclients ${maxclients}`
          : eta !== undefined
            ? `rising at ${slopeText}: maxclients ${maxclients} in about ${formatMinutes(eta)} at this rate`
            : `rising at ${slopeText} (maxclients unknown)`
        : `${est.direction} (${slopeText}, within ±${p.trendStableSlopePerMin}/min counts as stable)`;
    const summary =
      `${samples.length} samples over ${windowS} s: ${first} → ${last} clients, ${trendText}` +
      (rejectedDuringSampling > 0 ? `; ${rejectedDuringSampling} connections rejected while sampling` : '');
    return {
      status,
      summary,
      details: [
        {
          kind: 'series',
          label: 'connected_clients',
          points: samples,
          ...(maxclients !== undefined ? { limit: maxclients } : {}),
        },
      ],
      evidence: [
        {
          call: `INFO clients + INFO stats, ${p.trendSamples} times ${p.trendIntervalMs} ms apart`,
          cli:
            `for i in $(seq 1 ${p.trendSamples}); do COUNT=$(${redisCli(ctx.target, 'client list')} | wc -l); ` +
            `echo "$(date): $COUNT connections"; sleep ${p.trendIntervalMs / 1000}; done`,
        },
      ],
      data: { ...data },
    };
  },
};
