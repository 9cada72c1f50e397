import { ConnbotError } from '../../../errors.js';
import type { Remediation, RemediationPlan } from '../../types.js';
import type { UtilisationData } from '../checks/utilisation.js';
import { readClientCounts } from '../client-counts.js';
import { measured } from '../../shared/finding-data.js';
import { pct } from '../format.js';
import { persistInHelmRelease } from '../helm-release.js';
import type { RedisPoolParams } from '../params.js';
import { redisCli, redisTargetKey } from '../redis-cli.js';

interface MaxclientsPlanParams {
  from: number | undefined;
  to: number;
}

/** Runbook "Increase Max Connections (Temporary)": buys headroom now; it fixes no leak. */
export const raiseMaxclients: Remediation<RedisPoolParams> = {
  id: 'raise-maxclients',
  title: 'Raise maxclients temporarily',
  risk: 'low',
  applies(findings, p) {
    const u = measured<UtilisationData>(findings, 'utilisation')?.data;
    return !!u && u.utilisationPct >= p.utilisationWarnPct && u.maxclients < p.raisedMaxclients;
  },
  plan(ctx, findings): RemediationPlan {
    const p = ctx.params;
    const u = measured<UtilisationData>(findings, 'utilisation')?.data;
    const params: MaxclientsPlanParams = { from: u?.maxclients, to: p.raisedMaxclients };
    const after = u ? ` (${u.connected} clients would be ${pct(u.connected, p.raisedMaxclients)}% instead of ${u.utilisationPct}%)` : '';
    return {
      remediationId: raiseMaxclients.id,
      title: raiseMaxclients.title,
      risk: raiseMaxclients.risk,
      summary: `CONFIG SET maxclients ${p.raisedMaxclients} (now ${u?.maxclients ?? '?'})${after}`,
      steps: [
        `CONFIG GET maxclients (${redisCli(ctx.target, 'config get maxclients')})`,
        `CONFIG SET maxclients ${p.raisedMaxclients} (${redisCli(ctx.target, `config set maxclients ${p.raisedMaxclients}`)})`,
        'CONFIG GET maxclients to confirm what Redis accepted',
      ],
      params: { ...params },
      verifyChecks: ['utilisation'],
      notes: [
        'Temporary: not persisted — a restart or failover brings the old limit back. Make it permanent in the HelmRelease, as the runbook does:',
        ...persistInHelmRelease(ctx.target, p, [['maxclients', p.raisedMaxclients]]),
        `Redis needs about maxclients + 32 file descriptors; if its open-files limit is lower, CONFIG SET is refused and nothing changes.`,
        'More headroom does not stop a leak: see the ranked causes and the manual steps.',
      ],
      targetKey: redisTargetKey(ctx.target),
    };
  },
  async execute(ctx, plan) {
    const { to } = plan.params as unknown as MaxclientsPlanParams;
    const redis = ctx.integrations.redis();
    const before = await readClientCounts(redis);
    if (before.maxclients !== undefined && before.maxclients >= to) {
      return { summary: `maxclients is already ${before.maxclients} (≥ ${to}); nothing changed` };
    }
    await redis.configSet('maxclients', String(to));
    ctx.changed?.(`CONFIG SET maxclients ${to}`);
    const now = await redis.configNumber('maxclients');
    if (now !== to) {
      throw new ConnbotError('REMEDIATION_FAILED', `CONFIG SET maxclients ${to} did not stick: CONFIG GET maxclients says ${now}`);
    }
    const after = await readClientCounts(redis);
    return {
      summary:
        `maxclients ${before.maxclients ?? '?'} → ${now}; utilisation ` +
        `${before.maxclients ? `${pct(before.connected, before.maxclients)}%` : '?'} → ${pct(after.connected, now)}% ` +
        `(${after.connected} connected)`,
    };
  },
  verify(plan, before, after) {
    const { to } = plan.params as unknown as MaxclientsPlanParams;
    const ub = measured<UtilisationData>(before, 'utilisation')?.data;
    const ua = measured<UtilisationData>(after, 'utilisation')?.data;
    if (!ua) return { ok: false, summary: 'cannot tell: the utilisation check did not measure afterwards' };
    const raised = ua.maxclients >= to;
    const lower = !ub || ua.utilisationPct < ub.utilisationPct;
    const ok = raised && lower;
    return {
      ok,
      summary:
        `${ok ? 'improved' : 'not improved'} — maxclients ${ub?.maxclients ?? '?'} → ${ua.maxclients}; ` +
        `utilisation ${ub ? `${ub.utilisationPct}%` : '?'} → ${ua.utilisationPct}% (${ua.connected} connected)`,
    };
  },
};
