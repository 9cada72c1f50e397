import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateCatalog } from '../../../src/catalog/load-catalog.js';
import { resolveTarget } from '../../../src/catalog/resolve-target.js';
import type { DiagnosisReport } from '../../../src/diagnosis/report.js';
import { runDiagnosis } from '../../../src/diagnosis/run-diagnosis.js';
import { applyRemediation } from '../../../src/remediation/apply-remediation.js';
import { outcomeMessage, remediationMessage, reportMessages } from '../../../src/render/slack/report-blocks.js';
import { startRedis, type PrivateRedis } from '../../support/redis-server.js';
import { allTexts } from '../sample-report.js';
import { blockKitViolations } from './block-kit-limits.js';

/** The renderer on what the Redis runbook really produces for a real leak, not only on hand-built reports. */
describe('Slack rendering of a real Redis pool-exhaustion diagnosis', () => {
  let redis: PrivateRedis;
  const leaked: Redis[] = [];
  let report: DiagnosisReport;
  let resolved: ReturnType<typeof resolveTarget>;

  beforeAll(async () => {
    redis = await startRedis({ maxclients: 40 });
    for (let i = 0; i < 33; i++) {
      const c = new Redis(redis.url, { connectionName: `leaky-<!channel>-${i}`, lazyConnect: true, retryStrategy: () => null });
      c.on('error', () => {});
      leaked.push(c);
      await c.connect();
    }
    await new Promise((r) => setTimeout(r, 2200));
    const catalog = validateCatalog({
      version: 1,
      services: {
        cache: {
          runbooks: ['redis-pool-exhaustion'],
          envs: { local: { redis: { url: redis.url }, params: { idleSeconds: 1, killIdleAfterSeconds: 1, trendSamples: 2, trendIntervalMs: 200 } } },
        },
      },
    });
    resolved = resolveTarget(catalog, 'cache', 'local');
    report = await runDiagnosis(resolved);
  });

  afterAll(async () => {
    leaked.forEach((c) => c.disconnect());
    await redis?.stop();
  });

  it('fits every Block Kit limit and escapes the client names', () => {
    expect(report.status).toBe('crit');
    const messages = reportMessages(report);
    for (const m of messages) expect(blockKitViolations(m)).toEqual([]);
    const texts = messages.flatMap((m) => allTexts(m.blocks));
    expect(texts.join('\n')).toContain('leaky-&lt;!channel&gt;-');
    for (const t of texts) expect(t).not.toContain('<!channel>');
  });

  it('renders each proposal with buttons within limits, and the executed kill with before/after', async () => {
    expect(report.proposals.length).toBeGreaterThan(0);
    for (const plan of report.proposals) {
      const m = remediationMessage({ plan, pendingId: `p-${plan.remediationId}`, expiresAt: new Date().toISOString(), approversText: '<@U0ONCALL>', dryRun: false });
      expect(blockKitViolations(m)).toEqual([]);
      expect(JSON.stringify(m.blocks)).not.toContain('<!channel>');
    }
    const kill = report.proposals.find((p) => p.remediationId === 'kill-idle-clients')!;
    const outcome = await applyRemediation(resolved, kill);
    const m = outcomeMessage({ plan: kill, outcome, approvedBy: 'U0ONCALL' });
    expect(blockKitViolations(m)).toEqual([]);
    const t = allTexts(m.blocks).join('\n');
    expect(t).toContain('*Before*\n:red_circle: CRIT');
    expect(t).toContain(':white_check_mark: *Verified: improved*');
  });
});
