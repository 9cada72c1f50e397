import { ConnbotError } from '../../../errors.js';
import { isProtectedClient } from '../../../integrations/redis/client-list.js';
import type { Remediation, RemediationPlan } from '../../types.js';
import type { IdleClientsData } from '../checks/idle-clients.js';
import type { UtilisationData } from '../checks/utilisation.js';
import { readClientCounts } from '../client-counts.js';
import { measured } from '../../shared/finding-data.js';
import { persistInHelmRelease } from '../helm-release.js';
import type { RedisPoolParams } from '../params.js';
import { redisCli, redisTargetKey } from '../redis-cli.js';

interface TimeoutPlanParams {
  from: number | undefined;
  to: number;
}

/** Redis's serverCron checks every client about once a second; give it that long before re-measuring. */
const CLOSE_SLACK_S = 2;

/** Runbook "Or use timeout setting": `CONFIG SET timeout 300` makes Redis close idle clients itself. */
export const setIdleTimeout: Remediation<RedisPoolParams> = {
  id: 'set-idle-timeout',
  title: 'Let Redis close idle clients (CONFIG SET timeout)',
  risk: 'medium',
  settleMs: 2000,
  applies(findings, p) {
    const idle = measured<IdleClientsData>(findings, 'idle-clients')?.data;
    if (!idle || idle.timeoutSeconds === undefined || p.idleTimeoutSeconds <= 0) return false;
    const looser = idle.timeoutSeconds === 0 || idle.timeoutSeconds > p.idleTimeoutSeconds;
    return looser && idle.idleCount > 0;
  },
  async plan(ctx): Promise<RemediationPlan> {
    const p = ctx.params;
    const redis = ctx.integrations.redis();
    const [from, clients, ownId] = await Promise.all([redis.configNumber('timeout'), redis.clientList(), redis.connectionId()]);
    // Redis's own timeout spares the same clients we protect (replicas, masters, MONITOR, blocked, pub/sub).
    const wouldClose = clients.filter((c) => c.id !== ownId && !isProtectedClient(c) && c.idle > p.idleTimeoutSeconds).length;
    const params: TimeoutPlanParams = { from, to: p.idleTimeoutSeconds };
    return {
      remediationId: setIdleTimeout.id,
      title: setIdleTimeout.title,
      risk: setIdleTimeout.risk,
      summary:
        `CONFIG SET timeout ${p.idleTimeoutSeconds} (now ${from === 0 ? '0 = never' : `${from} s`}): ` +
        `Redis closes ordinary clients idle > ${p.idleTimeoutSeconds} s — ${wouldClose} right away`,
      steps: [
        `CONFIG SET timeout ${p.idleTimeoutSeconds} (${redisCli(ctx.target, `config set timeout ${p.idleTimeoutSeconds}`)})`,
        `CONFIG GET timeout to confirm (${redisCli(ctx.target, 'config get timeout')})`,
      ],
      params: { ...params },
      verifyChecks: ['idle-clients', 'utilisation'],
      notes: [
        'Not persisted: a restart or failover brings the old value back. To make it permanent, as the runbook does:',
        ...persistInHelmRelease(ctx.target, p, [['timeout', p.idleTimeoutSeconds], ['tcp-keepalive', 300]]),
        'Redis never times out replicas, masters, MONITOR, blocked or pub/sub clients.',
      ],
      targetKey: redisTargetKey(ctx.target),
    };
  },
  async execute(ctx, plan) {
    const { to } = plan.params as unknown as TimeoutPlanParams;
    const redis = ctx.integrations.redis();
    const [before, from] = await Promise.all([readClientCounts(redis), redis.configNumber('timeout')]);
    await redis.configSet('timeout', String(to));
    ctx.changed?.(`CONFIG SET timeout ${to}`);
    const now = await redis.configNumber('timeout');
    if (now !== to) {
      throw new ConnbotError('REMEDIATION_FAILED', `CONFIG SET timeout ${to} did not stick: CONFIG GET timeout says ${now}`);
    }
    return {
      summary:
        `timeout ${from ?? '?'} → ${now} s; Redis now closes ordinary clients idle > ${to} s ` +
        `(connected_clients was ${before.connected}; the re-check shows what it closed)`,
    };
  },
  verify(plan, before, after) {
    const { to } = plan.params as unknown as TimeoutPlanParams;
    const ib = measured<IdleClientsData>(before, 'idle-clients')?.data;
    const ia = measured<IdleClientsData>(after, 'idle-clients')?.data;
    const ub = measured<UtilisationData>(before, 'utilisation')?.data;
    const ua = measured<UtilisationData>(after, 'utilisation')?.data;
    if (!ia || !ua) return { ok: false, summary: 'cannot tell: the idle-clients or utilisation check did not measure afterwards' };
    const applied = ia.timeoutSeconds === to;
    // Clients idle just past the timeout may still be waiting for the next cron pass.
    const noneOlder = ia.idleCount === 0 || ia.oldestIdleSeconds <= to + CLOSE_SLACK_S;
    const ok = applied && noneOlder;
    return {
      ok,
      summary:
        `${ok ? 'improved' : 'not improved'} — timeout ${ia.timeoutSeconds ?? '?'} s${applied ? '' : ` (expected ${to})`}; ` +
        `idle clients ${ib?.idleCount ?? '?'} → ${ia.idleCount}, oldest ${ia.oldestIdleSeconds} s; ` +
        `connected ${ub?.connected ?? '?'} → ${ua.connected}`,
    };
  },
};
