import type { Cause, CauseAssessment } from '../types.js';
import type { BlockedClientsData } from './checks/blocked-clients.js';
import type { ConnectionTrendData } from './checks/connection-trend.js';
import type { IdleClientsData } from './checks/idle-clients.js';
import type { PoolBudgetData } from './checks/pool-budget.js';
import type { UtilisationData } from './checks/utilisation.js';
import { measured } from '../shared/finding-data.js';
import { formatSeconds } from './format.js';
import type { RedisPoolParams } from './params.js';

const clamp = (n: number) => Math.max(0, Math.min(0.95, Math.round(n * 100) / 100));

/** Runbook "Connections Not Being Released": idle clients pile up, often while the count keeps rising. */
export const idleConnectionLeak: Cause<RedisPoolParams> = {
  id: 'idle-connection-leak',
  title: 'Idle-connection leak: apps open connections and never release them',
  assess(findings, p): CauseAssessment | undefined {
    const idle = measured<IdleClientsData>(findings, 'idle-clients');
    if (!idle || idle.data.idleCount === 0) return undefined;
    const d = idle.data;
    const supportedBy = ['idle-clients'];
    let confidence =
      d.idleSharePct >= p.idleShareWarnPct
        ? 0.5 + 0.3 * Math.min(1, (d.idleSharePct - p.idleShareWarnPct) / Math.max(1, 100 - p.idleShareWarnPct))
        : 0.3 * (d.idleSharePct / p.idleShareWarnPct);
    const parts = [
      `${d.idleCount} of ${d.total} clients (${d.idleSharePct}%) idle ≥ ${formatSeconds(d.idleSeconds)}, oldest ${formatSeconds(d.oldestIdleSeconds)}`,
    ];
    const trend = measured<ConnectionTrendData>(findings, 'connection-trend');
    if (trend?.data.direction === 'rising') {
      confidence += 0.15;
      supportedBy.push('connection-trend');
      parts.push(`count rising at ${trend.data.slopePerMin} clients/min`);
    }
    const util = measured<UtilisationData>(findings, 'utilisation');
    if (util && util.data.utilisationPct >= p.utilisationWarnPct) {
      confidence += 0.05;
      supportedBy.push('utilisation');
      parts.push(`${util.data.utilisationPct}% of maxclients in use`);
    } else if (util && trend?.data.direction !== 'rising') {
      // Idle clients that neither press on the limit nor grow are a smell, not what exhausts the pool today.
      confidence *= 0.75;
      parts.push(`only ${util.data.utilisationPct}% of maxclients in use`);
    }
    if (d.timeoutSeconds === 0) parts.push('server timeout is 0, so Redis never closes them');
    return { confidence: clamp(confidence), explanation: `${parts.join('; ')}.`, supportedBy };
  },
};

/** Runbook "Pool Size Too Large": every pod's pool, multiplied by the replicas, exceeds what Redis accepts. */
export const poolTooLarge: Cause<RedisPoolParams> = {
  id: 'pool-too-large',
  title: 'Connection pools too large for the replica count',
  assess(findings, p) {
    const budget = measured<PoolBudgetData>(findings, 'pool-budget');
    if (!budget || budget.data.budgetPct === undefined || budget.data.budgetPct < p.poolBudgetPct) return undefined;
    const d = budget.data;
    const over = d.budgetPct! > 100;
    const supportedBy = ['pool-budget'];
    let confidence = over ? 0.8 : 0.55;
    const util = measured<UtilisationData>(findings, 'utilisation');
    if (util && util.data.utilisationPct >= p.utilisationWarnPct) {
      confidence += 0.1;
      supportedBy.push('utilisation');
    }
    const formula = d.workloads.map((w) => `${w.name} ${w.replicas}×${w.poolSize}`).join(' + ');
    return {
      confidence: clamp(confidence),
      explanation:
        `${formula} = ${d.budget} pool connections against maxclients ${d.maxclients} (${d.budgetPct}%` +
        `${over ? ', more than Redis accepts' : `, over the ${p.poolBudgetPct}% budget`})` +
        (d.suggestedPoolSize !== undefined ? `; pools of ≤ ${d.suggestedPoolSize} per pod would fit.` : '.'),
      supportedBy,
    };
  },
};

/** Runbook "Blocking Operations Holding Connections": BLPOP/BRPOP workers sit on connections. */
export const blockingOperations: Cause<RedisPoolParams> = {
  id: 'blocking-operations',
  title: 'Blocking operations (BLPOP/BRPOP …) holding connections',
  assess(findings, p) {
    const blocked = measured<BlockedClientsData>(findings, 'blocked-clients');
    if (!blocked || blocked.data.blockedClients === 0) return undefined;
    const d = blocked.data;
    const overCount = d.blockedClients > p.blockedClientsWarn;
    const overShare = d.blockedSharePct >= p.blockedShareWarnPct;
    if (!overCount && !overShare) return undefined;
    const confidence = 0.4 + 0.5 * Math.min(1, d.blockedSharePct / 100 / 0.5);
    const commands = Object.entries(d.byCommand)
      .map(([cmd, n]) => `${cmd} ×${n}`)
      .join(', ');
    return {
      confidence: clamp(confidence),
      explanation:
        `${d.blockedClients} of ${d.connected} connections (${d.blockedSharePct}%) are blocked` +
        `${commands ? ` in ${commands}` : ''}, the longest for ${formatSeconds(d.longestBlockedSeconds)}.`,
      supportedBy: ['blocked-clients'],
    };
  },
};

/** Runbook "Increase Max Connections": the clients are busy and legitimate, the limit is simply low. */
export const maxclientsTooLow: Cause<RedisPoolParams> = {
  id: 'maxclients-too-low',
  title: 'maxclients too low for legitimate load',
  assess(findings, p) {
    const util = measured<UtilisationData>(findings, 'utilisation');
    if (!util || util.data.utilisationPct < p.utilisationWarnPct) return undefined;
    const u = util.data;
    const supportedBy = ['utilisation'];
    const parts = [`${u.utilisationPct}% of maxclients in use (${u.connected}/${u.maxclients})`];
    let confidence = u.utilisationPct >= p.utilisationCritPct ? 0.6 : 0.45;
    const idle = measured<IdleClientsData>(findings, 'idle-clients');
    if (idle) {
      // Busy clients are legitimate load; idle ones point at a leak instead.
      confidence -= 0.6 * Math.min(1, idle.data.idleSharePct / 100 / Math.max(0.01, p.idleShareWarnPct / 100));
      if (idle.data.idleSharePct < p.idleShareWarnPct) {
        supportedBy.push('idle-clients');
        parts.push(`only ${idle.data.idleSharePct}% idle ≥ ${formatSeconds(idle.data.idleSeconds)}`);
      }
    }
    const trend = measured<ConnectionTrendData>(findings, 'connection-trend');
    if (trend && trend.data.direction !== 'rising') {
      confidence += 0.1;
      supportedBy.push('connection-trend');
      parts.push(`count ${trend.data.direction}`);
    }
    const budget = measured<PoolBudgetData>(findings, 'pool-budget');
    if (budget?.data.budgetPct !== undefined && budget.data.budgetPct < p.poolBudgetPct) {
      confidence += 0.1;
      supportedBy.push('pool-budget');
      parts.push(`the configured pools (${budget.data.budget}) fit within maxclients`);
    }
    const blocked = measured<BlockedClientsData>(findings, 'blocked-clients');
    if (blocked && blocked.data.blockedSharePct >= p.blockedShareWarnPct) confidence -= 0.2;
    if (confidence <= 0.05) return undefined;
    return { confidence: clamp(confidence), explanation: `${parts.join('; ')}.`, supportedBy };
  },
};

export const causes: Cause<RedisPoolParams>[] = [idleConnectionLeak, poolTooLarge, blockingOperations, maxclientsTooLow];
