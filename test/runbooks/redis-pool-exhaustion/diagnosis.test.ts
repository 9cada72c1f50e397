import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDiagnosis } from '../../../src/diagnosis/run-diagnosis.js';
import type { DiagnosisReport } from '../../../src/diagnosis/report.js';
import type { Finding } from '../../../src/domain/finding.js';
import { RedisScenario, resolveRedisService, sleep } from './scenario.js';

/**
 * A Redis at 40 maxclients with 28 leaked idle connections, 3 busy ones, an idle subscriber and a BLPOP worker:
 * the diagnosis a real exhaustion produces, through the same runDiagnosis the bot calls.
 */
describe('redis-pool-exhaustion diagnosis of a leaking Redis near maxclients', () => {
  let s: RedisScenario;
  let report: DiagnosisReport;
  const finding = (id: string): Finding => {
    const f = report.findings.find((x) => x.checkId === id);
    if (!f) throw new Error(`no finding ${id}`);
    return f;
  };

  beforeAll(async () => {
    s = await RedisScenario.start(40);
    await s.idle('leaky-worker', 28);
    await s.subscriber('events-sub');
    await s.blocked('queue-worker');
    for (let i = 0; i < 3; i++) await s.busy('busy-api');
    // Redis counts idle in whole seconds, so a client pinging every 200 ms can read idle=1: thresholds start at 2.
    await sleep(2200);
    const resolved = resolveRedisService(s.url, { idleSeconds: 2, killIdleAfterSeconds: 2, trendSamples: 2, trendIntervalMs: 100 });
    report = await runDiagnosis(resolved);
  });

  afterAll(async () => {
    await s?.stop();
  });

  it('rates 33 clients plus connbot against maxclients 40 as critical, with the numbers', () => {
    const f = finding('utilisation');
    expect(f.status).toBe('crit');
    expect(f.data).toMatchObject({ connected: 34, maxclients: 40, utilisationPct: 85, freeSlots: 6, rejectedConnections: 0 });
    expect(f.summary).toContain('34 of 40 clients connected (85%, critical at 80%)');
    expect(f.evidence).toContainEqual({ call: 'INFO clients', cli: `redis-cli -u ${s.url} info clients` });
    expect(f.evidence.map((e) => e.cli)).toContain(`redis-cli -u ${s.url} config get maxclients`);
  });

  it('counts the leaked clients as idle and leaves out the subscriber, the blocked worker and connbot', () => {
    const f = finding('idle-clients');
    expect(f.status).toBe('crit'); // 28 idle clients alone hold 70% of maxclients, past the 60% warning
    expect(f.data).toMatchObject({
      idleCount: 28,
      total: 33,
      idleSharePct: 84.8,
      killEligible: 28,
      exempt: { 'pub/sub': 1, blocked: 1 },
      timeoutSeconds: 0,
      idleOfMaxclientsPct: 70,
    });
    expect(f.data.oldestIdleSeconds).toBeGreaterThanOrEqual(2);
    expect(f.summary).toMatch(/^28 of 33 clients idle ≥ 2 s \(84\.8%, 70% of maxclients 40; warning at 30%\), oldest \d+ s/);
    expect(f.summary).toContain('server timeout 0 (never closes idle clients)');
    const byName = f.details.find((d) => d.kind === 'table' && d.caption?.startsWith('Idle clients by name'));
    expect(byName).toMatchObject({ rows: [['leaky-worker', '28', expect.stringMatching(/^\d+ s$/)]] });
    expect(f.evidence[0]!.cli).toContain("substr($i, 6) + 0 >= 2");
  });

  it('lists the BLPOP worker among blocked clients without raising a warning for one', () => {
    const f = finding('blocked-clients');
    expect(f.status).toBe('ok');
    expect(f.data).toMatchObject({ blockedClients: 1, listedBlocked: 1, byCommand: { blpop: 1 } });
    expect(f.summary).toContain('running blpop ×1');
    const table = f.details[0];
    expect(table).toMatchObject({ kind: 'table', columns: ['id', 'addr', 'source', 'name', 'command', 'blocked for', 'db'] });
    expect(table?.kind === 'table' && table.rows[0]?.slice(2, 5)).toEqual(['127.0.0.1', 'queue-worker', 'blpop']);
    expect(f.evidence.map((e) => e.cli)).toContain(`redis-cli -u ${s.url} client list | grep "flags=b"`);
  });

  it('groups clients by source and by name, warning when one source holds over half of maxclients', () => {
    const f = finding('client-distribution');
    expect(f.status).toBe('warn');
    expect(f.data).toMatchObject({ total: 34, distinctSources: 1, distinctNames: 5 });
    const byName = f.details[1];
    expect(byName?.kind === 'table' && byName.rows.map((r) => [r[0], r[1]])).toEqual([
      ['leaky-worker', '28'],
      ['busy-api', '3'],
      ['connbot-diagnostics', '1'],
      ['events-sub', '1'],
      ['queue-worker', '1'],
    ]);
    expect(f.summary).toContain('top source 127.0.0.1 (34, 85% of maxclients)');
  });

  it('samples the count over time and calls a flat count stable', () => {
    const f = finding('connection-trend');
    expect(f.status).toBe('ok');
    expect(f.data).toMatchObject({ direction: 'stable', first: 34, last: 34, slopePerMin: 0, rejectedDuringSampling: 0 });
    expect(f.details[0]).toMatchObject({ kind: 'series', label: 'connected_clients', limit: 40 });
  });

  it('skips the pool budget with a reason when the catalog has no k8s target', () => {
    const f = finding('pool-budget');
    expect(f.skipped).toMatch(/no k8s target in the catalog/);
    expect(report.status).toBe('crit');
  });

  it('ranks the idle-connection leak first, with its numbers and supporting checks', () => {
    const [top] = report.causes;
    expect(top).toMatchObject({ id: 'idle-connection-leak', supportedBy: ['idle-clients', 'utilisation'] });
    expect(top!.confidence).toBeGreaterThan(0.7);
    expect(top!.explanation).toContain('28 of 33 clients (84.8%) idle ≥ 2 s');
    expect(top!.explanation).toContain('server timeout is 0');
    for (const c of report.causes.slice(1)) expect(c.confidence).toBeLessThan(top!.confidence);
    expect(report.causes.map((c) => c.id)).not.toContain('blocking-operations');
  });

  it('proposes the three immediate actions, the kill plan naming exactly the leaked clients', () => {
    expect(report.proposals.map((p) => p.remediationId)).toEqual(['kill-idle-clients', 'set-idle-timeout', 'raise-maxclients']);
    const kill = report.proposals[0]!;
    const candidates = kill.params.candidates as Array<{ name: string; idle: number }>;
    expect(candidates).toHaveLength(28);
    expect(new Set(candidates.map((c) => c.name))).toEqual(new Set(['leaky-worker']));
    expect(candidates.every((c) => c.idle >= 2)).toBe(true);
    expect(kill.summary).toMatch(/^Kill 28 clients idle ≥ 2 s \(of 3[45] connected\), by ID$/);
    expect(kill.steps[1]).toMatch(/^CLIENT KILL ID \d+ SKIPME yes — 127\.0\.0\.1:\d+, name leaky-worker, idle \d+ s \(redis-cli -u redis:\/\/127\.0\.0\.1:\d+ client kill id \d+\)$/);
    expect(kill.verifyChecks).toEqual(['idle-clients', 'utilisation']);
    expect(kill.targetKey).toBe(s.url);
    const raise = report.proposals[2]!;
    expect(raise.notes?.join('\n')).toContain('not persisted');
    expect(raise.notes?.join('\n')).toContain('kubectl edit helmrelease redis -n redis');
    expect(raise.notes?.join('\n')).toContain('maxclients 20000');
  });

  it('gives manual steps for what no API can do, naming the clients Redis sees', () => {
    const titles = report.manualSteps.map((m) => m.title);
    expect(titles).toEqual(['Persist the Redis connection settings in HelmRelease redis', 'Find and fix the applications holding the connections']);
    expect(report.manualSteps[0]!.commands.join('\n')).toContain('maxclients 20000\n    timeout 300\n    tcp-backlog 511\n    tcp-keepalive 300');
    expect(report.manualSteps[1]!.why).toContain('name leaky-worker (28)');
  });
});
