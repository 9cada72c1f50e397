import { describe, expect, it } from 'vitest';
import { runDiagnosis } from '../../../src/diagnosis/run-diagnosis.js';
import { applyRemediation } from '../../../src/remediation/apply-remediation.js';
import { resolveRedisService, sleep, withScenario } from './scenario.js';

describe.concurrent('CONFIG SET remediations on a real Redis', () => {
  it('set-idle-timeout makes Redis close the idle clients itself, sparing subscribers and blocked workers', () =>
    withScenario(40, async (s) => {
      const leaked = await s.idle('leaky-worker', 6);
      const sub = await s.subscriber('events-sub');
      const worker = await s.blocked('queue-worker');
      const busy = await s.busy('busy-api');
      // Redis closes a client once idle > timeout (strictly), so with timeout 2 the leak must reach 3 s.
      await sleep(3200);
      const resolved = resolveRedisService(s.url, { idleSeconds: 2, idleTimeoutSeconds: 2, trendSamples: 2, trendIntervalMs: 100 });
      const report = await runDiagnosis(resolved);
      const plan = report.proposals.find((p) => p.remediationId === 'set-idle-timeout');
      expect(plan).toBeDefined();
      expect(plan!.summary).toBe('CONFIG SET timeout 2 (now 0 = never): Redis closes ordinary clients idle > 2 s — 6 right away');
      expect(plan!.steps[0]).toBe(`CONFIG SET timeout 2 (redis-cli -u ${s.url} config set timeout 2)`);
      expect(plan!.notes).toContain('kubectl edit helmrelease redis -n redis');
      const connectedBefore = await s.info('connected_clients');

      const outcome = await applyRemediation(resolved, plan!, { settleMs: 1500 });

      expect(outcome.error).toBeUndefined();
      expect(outcome.execution?.summary).toMatch(/^timeout 0 → 2 s; Redis now closes ordinary clients idle > 2 s/);
      expect(outcome.verification).toMatchObject({ ok: true });
      expect(outcome.verification?.summary).toMatch(/^improved — timeout 2 s; idle clients 6 → 0/);
      expect(await s.admin(async (r) => (await r.config('GET', 'timeout')) as string[])).toEqual(['timeout', '2']);
      expect(await s.info('connected_clients')).toBeLessThanOrEqual(connectedBefore - 6);
      expect(leaked.every((c) => c.status === 'end')).toBe(true);
      for (const c of [sub, worker, busy]) expect(c.status).toBe('ready');
    }));

  it('raise-maxclients lifts the limit, reports before/after utilisation and says how to persist it', () =>
    withScenario(40, async (s) => {
      for (let i = 0; i < 5; i++) await s.busy('busy-api');
      await s.idle('web', 22);
      const resolved = resolveRedisService(s.url, { raisedMaxclients: 200, trendSamples: 2, trendIntervalMs: 100 });
      const report = await runDiagnosis(resolved);
      const util = report.findings.find((f) => f.checkId === 'utilisation')!;
      expect(util).toMatchObject({ status: 'warn', data: { connected: 28, maxclients: 40, utilisationPct: 70 } });
      const plan = report.proposals.find((p) => p.remediationId === 'raise-maxclients');
      expect(plan).toMatchObject({
        risk: 'low',
        summary: 'CONFIG SET maxclients 200 (now 40) (28 clients would be 14% instead of 70%)',
        params: { from: 40, to: 200 },
        verifyChecks: ['utilisation'],
      });
      const notes = plan!.notes!.join('\n');
      expect(notes).toContain('Temporary: not persisted');
      expect(notes).toContain('kubectl edit helmrelease redis -n redis\n# add under spec.values:\nmaster:\n  configuration: |\n    maxclients 200');

      const outcome = await applyRemediation(resolved, plan!);

      expect(outcome.error).toBeUndefined();
      expect(outcome.execution?.summary).toBe('maxclients 40 → 200; utilisation 70% → 14% (28 connected)');
      expect(outcome.verification).toEqual({
        ok: true,
        summary: 'improved — maxclients 40 → 200; utilisation 70% → 14% (28 connected)',
      });
      expect(await s.admin(async (r) => (await r.config('GET', 'maxclients')) as string[])).toEqual(['maxclients', '200']);
    }));

  it('raise-maxclients changes nothing when the limit is already at least the target', () =>
    withScenario(40, async (s) => {
      await s.idle('web', 30);
      const resolved = resolveRedisService(s.url, { raisedMaxclients: 100, trendSamples: 2, trendIntervalMs: 100 });
      const plan = (await runDiagnosis(resolved)).proposals.find((p) => p.remediationId === 'raise-maxclients')!;
      await s.admin((r) => r.config('SET', 'maxclients', '150'));
      const outcome = await applyRemediation(resolved, plan);
      expect(outcome.execution?.summary).toBe('maxclients is already 150 (≥ 100); nothing changed');
      expect(await s.admin(async (r) => (await r.config('GET', 'maxclients')) as string[])).toEqual(['maxclients', '150']);
    }));
});
