import { describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { runDiagnosis } from '../../../src/diagnosis/run-diagnosis.js';
import {
  estimateTimeToExhaustion,
  slopePerMinute,
} from '../../../src/runbooks/redis-pool-exhaustion/estimate-time-to-exhaustion.js';
import { resolveRedisService, sleep, withScenario, type RedisScenario } from './scenario.js';

const trendOnly = { onlyChecks: ['connection-trend'] };

/** Open `perStep` connections every `everyMs` until `stop` resolves: a leak happening while connbot watches. */
async function leakWhile(s: RedisScenario, stop: Promise<unknown>, perStep: number, everyMs: number): Promise<Redis[]> {
  let done = false;
  void stop.finally(() => (done = true));
  const opened: Redis[] = [];
  while (!done) {
    opened.push(...(await s.idle('leaky', perStep)));
    await sleep(everyMs);
  }
  return opened;
}

describe('slope and time to exhaustion', () => {
  it('fits clients per minute by least squares over [epoch seconds, count] points', () => {
    expect(slopePerMinute([[0, 10], [30, 20], [60, 30]])).toBeCloseTo(20);
    expect(slopePerMinute([[100, 50], [160, 40]])).toBeCloseTo(-10);
    expect(slopePerMinute([[5, 7]])).toBe(0);
    expect(slopePerMinute([[5, 7], [5, 9]])).toBe(0);
  });

  it('extrapolates a rising count to maxclients and calls small slopes stable', () => {
    expect(estimateTimeToExhaustion([[0, 100], [60, 200]], 1000, 1)).toEqual({ slopePerMin: 100, direction: 'rising', minutesToExhaustion: 8 });
    expect(estimateTimeToExhaustion([[0, 100], [60, 100.5]], 1000, 1)).toEqual({ slopePerMin: 0.5, direction: 'stable', minutesToExhaustion: undefined });
    expect(estimateTimeToExhaustion([[0, 300], [60, 200]], 1000, 1)).toMatchObject({ direction: 'falling', minutesToExhaustion: undefined });
    expect(estimateTimeToExhaustion([[0, 900], [60, 1000]], 1000, 1).minutesToExhaustion).toBe(0);
    expect(estimateTimeToExhaustion([[0, 1], [60, 50]], undefined, 1)).toMatchObject({ direction: 'rising', minutesToExhaustion: undefined });
  });
});

describe.concurrent('connection-trend check on a real Redis', () => {
  it('sees the count rise while connections are opened during sampling, and estimates minutes to maxclients', () =>
    withScenario(200, async (s) => {
      const resolved = resolveRedisService(s.url, { trendSamples: 4, trendIntervalMs: 250 });
      const diagnosis = runDiagnosis(resolved, trendOnly);
      await leakWhile(s, diagnosis, 2, 80);
      const f = (await diagnosis).findings[0]!;
      const d = f.data as { direction: string; slopePerMin: number; minutesToExhaustion: number; first: number; last: number; samples: unknown[] };
      expect(d.direction).toBe('rising');
      expect(d.samples).toHaveLength(4);
      expect(d.last).toBeGreaterThan(d.first + 5); // ~18 opened over the sampling; a loaded machine opens fewer
      expect(d.slopePerMin).toBeGreaterThan(200); // ~2 connections per 80 ms is ~1500/min; slow machines open fewer
      expect(d.minutesToExhaustion).toBeGreaterThan(0);
      expect(d.minutesToExhaustion).toBeLessThan(15); // within exhaustionCritMinutes
      expect(f.status).toBe('crit');
      expect(f.summary).toMatch(/^4 samples over 0\.\d s: \d+ → \d+ clients, rising at \+\d+(\.\d)? clients\/min: maxclients 200 in about [\d.]+ (s|min) at this rate$/);
      expect(f.evidence[0]).toEqual({
        call: 'INFO clients + INFO stats, 4 times 250 ms apart',
        cli: `for i in $(seq 1 4); do COUNT=$(redis-cli -u ${s.url} client list | wc -l); echo "$(date): $COUNT connections"; sleep 0.25; done`,
      });
    }));

  it('says "falling" when connections close during sampling', () =>
    withScenario(200, async (s) => {
      const open = await s.idle('draining', 30);
      const resolved = resolveRedisService(s.url, { trendSamples: 4, trendIntervalMs: 200 });
      const diagnosis = runDiagnosis(resolved, trendOnly);
      for (const c of open) {
        c.disconnect();
        await sleep(15);
      }
      const f = (await diagnosis).findings[0]!;
      expect(f.data).toMatchObject({ direction: 'falling', minutesToExhaustion: undefined });
      expect(f.status).toBe('ok');
      expect(f.summary).toMatch(/clients, falling \(-\d+(\.\d)? clients\/min, within ±1\/min counts as stable\)$/);
    }));

  it('is critical when Redis refuses connections while it samples, even if the count is flat', () =>
    withScenario(12, async (s) => {
      await s.idle('hog', 11); // with connbot's own connection the server is full
      const resolved = resolveRedisService(s.url, { trendSamples: 3, trendIntervalMs: 200 });
      const diagnosis = runDiagnosis(resolved, trendOnly);
      await sleep(250);
      const refused = await s.connect('one-too-many').then(
        () => 'connected',
        (err: Error) => err.message,
      );
      expect(refused).not.toBe('connected'); // Redis answers -ERR max number of clients reached and closes
      const f = (await diagnosis).findings[0]!;
      expect(f.data).toMatchObject({ direction: 'stable', first: 12, last: 12 });
      expect((f.data as { rejectedDuringSampling: number }).rejectedDuringSampling).toBeGreaterThanOrEqual(1);
      expect(f.status).toBe('crit');
      expect(f.summary).toMatch(/connections rejected while sampling$/);
    }));
});
