import { describe, expect, it } from 'vitest';
import { Integrations } from '../../../src/integrations/integrations.js';
import { buildContext, runDiagnosis } from '../../../src/diagnosis/run-diagnosis.js';
import { applyRemediation } from '../../../src/remediation/apply-remediation.js';
import { silentLogger } from '../../../src/log.js';
import { killIdleClients } from '../../../src/runbooks/redis-pool-exhaustion/remediations/kill-idle-clients.js';
import type { RedisPoolParams } from '../../../src/runbooks/redis-pool-exhaustion/params.js';
import type { RemediationPlan, RunbookContext } from '../../../src/runbooks/types.js';
import { resolveRedisService, sleep, withScenario } from './scenario.js';

// Redis counts idle in whole seconds, so a client pinging every 200 ms can read idle=1: thresholds start at 2.
const PARAMS = { idleSeconds: 2, killIdleAfterSeconds: 2, trendSamples: 2, trendIntervalMs: 100 };

// Each test has its own Redis, so they wait out their idle seconds side by side.
describe.concurrent('kill-idle-clients remediation on a real Redis', () => {
  it('kills only the leaked idle clients, by ID, and the freed slots show in INFO', () =>
    withScenario(40, async (s) => {
      const leaked = await s.idle('leaky-worker', 20);
      const sub = await s.subscriber('events-sub');
      const worker = await s.blocked('queue-worker');
      const busy = [await s.busy('busy-api'), await s.busy('busy-api')];
      await sleep(2500);
      const resolved = resolveRedisService(s.url, PARAMS);
      const report = await runDiagnosis(resolved);
      const plan = report.proposals.find((p) => p.remediationId === 'kill-idle-clients');
      expect(plan?.params.candidates).toHaveLength(20);
      const connectedBefore = await s.info('connected_clients');

      const outcome = await applyRemediation(resolved, plan!);

      expect(outcome.error).toBeUndefined();
      expect(outcome.executed).toBe(true);
      expect(outcome.execution?.summary).toMatch(/^Killed 20 of 20 planned clients; connected_clients \d+ \(\d+(\.\d)?%\) → \d+ \(\d+(\.\d)?%\)$/);
      expect(outcome.verification).toMatchObject({ ok: true });
      expect(outcome.verification?.summary).toMatch(/^improved — idle clients 20 → 0; connected 2\d → [56] /);
      // The admin probe counts itself in both readings, so the difference is exactly the kills.
      expect(await s.info('connected_clients')).toBe(connectedBefore - 20);
      expect(leaked.every((c) => c.status === 'end')).toBe(true);
      for (const c of [sub, worker, ...busy]) expect(c.status).toBe('ready');
      expect((await s.connectedNames()).sort()).toEqual(['busy-api', 'busy-api', 'events-sub', 'queue-worker']);
      expect(await s.info('blocked_clients')).toBe(1);
      expect(await busy[0]!.ping()).toBe('PONG');
    }));

  it('re-checks each client right before the kill and skips one that became active, saying so', () =>
    withScenario(40, async (s) => {
      await s.idle('leaky-worker', 5);
      const waker = await s.connect('late-waker');
      await sleep(2500);
      const resolved = resolveRedisService(s.url, PARAMS);
      const report = await runDiagnosis(resolved);
      const plan = report.proposals.find((p) => p.remediationId === 'kill-idle-clients')!;
      const candidates = plan.params.candidates as Array<{ id: string; name: string }>;
      expect(candidates.map((c) => c.name).sort()).toEqual([...Array(5).fill('leaky-worker'), 'late-waker'].sort());
      const wakerId = candidates.find((c) => c.name === 'late-waker')!.id;

      // Between the approval and the execution the app picks the connection up again.
      await waker.ping();
      const outcome = await applyRemediation(resolved, plan);

      expect(outcome.execution?.summary).toMatch(
        new RegExp(`^Killed 5 of 6 planned clients; skipped 1 \\(${wakerId} late-waker: idle [01] s, last ping\\)`),
      );
      const table = outcome.execution?.details?.[0];
      expect(table?.kind === 'table' && table.rows.find((r) => r[0] === wakerId)?.[4]).toBe('skipped: active again');
      expect(waker.status).toBe('ready');
      expect(await s.connectedNames()).toEqual(['late-waker']);
    }));

  it('never kills connbot’s own connection even when a plan names it', () =>
    withScenario(40, async (s) => {
      const [victim] = await s.idle('leaky-worker', 1);
      await sleep(2200);
      const resolved = resolveRedisService(s.url, PARAMS);
      const integrations = new Integrations(resolved.target, 'services.svc.envs.env');
      try {
        const ctx = buildContext(resolved, integrations, silentLogger, new AbortController().signal) as RunbookContext<RedisPoolParams>;
        const ownId = await integrations.redis().connectionId();
        const victimNow = (await integrations.redis().clientList()).find((c) => c.name === 'leaky-worker')!;
        const victimId = victimNow.id;
        const plan: RemediationPlan = {
          remediationId: 'kill-idle-clients',
          title: 'Kill idle client connections',
          risk: 'medium',
          summary: 'hand-made plan naming connbot itself',
          steps: [],
          params: {
            killIdleAfterSeconds: 2,
            candidates: [
              { id: ownId, addr: '?', name: 'connbot-diagnostics', idle: 999 },
              { id: victimId, addr: victimNow.addr, name: 'leaky-worker', idle: 999 },
            ],
          },
          verifyChecks: [],
          targetKey: s.url,
        };
        const result = await killIdleClients.execute(ctx, plan);
        expect(result.summary).toMatch(/^Killed 1 of 2 planned clients; skipped 1 \(\d+ connbot-diagnostics: connbot itself\)/);
        expect(await integrations.redis().connectionId()).toBe(ownId);
        expect(victim!.status).toBe('end');
      } finally {
        await integrations.close();
      }
    }));

  it('spares a client whose ID now names another connection (IDs start over when Redis restarts)', () =>
    withScenario(40, async (s) => {
      const [other] = await s.idle('checkout-api', 1);
      await sleep(2200);
      const resolved = resolveRedisService(s.url, PARAMS);
      const integrations = new Integrations(resolved.target, 'services.svc.envs.env');
      try {
        const ctx = buildContext(resolved, integrations, silentLogger, new AbortController().signal) as RunbookContext<RedisPoolParams>;
        const now = (await integrations.redis().clientList()).find((c) => c.name === 'checkout-api')!;
        // The plan was made before a restart, when this ID was a leaked worker on another address.
        const plan: RemediationPlan = {
          remediationId: 'kill-idle-clients',
          title: 'Kill idle client connections',
          risk: 'medium',
          summary: 'plan from before a restart',
          steps: [],
          params: { killIdleAfterSeconds: 2, candidates: [{ id: now.id, addr: '10.9.9.9:40000', name: 'leaky-worker', idle: 999 }] },
          verifyChecks: [],
          targetKey: s.url,
        };
        const result = await killIdleClients.execute(ctx, plan);
        expect(result.summary).toMatch(/^Killed 0 of 1 planned clients; skipped 1 /);
        expect(result.summary).toContain('Redis restarted?');
        expect(other!.status).toBe('ready');
      } finally {
        await integrations.close();
      }
    }));
});
