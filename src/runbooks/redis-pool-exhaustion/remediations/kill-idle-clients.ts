import { ConnbotError } from '../../../errors.js';
import { isProtectedClient } from '../../../integrations/redis/client-list.js';
import type { FindingsById, Remediation, RemediationPlan, VerificationOutcome } from '../../types.js';
import { readClientCounts, type ClientCounts } from '../client-counts.js';
import type { IdleClientsData } from '../checks/idle-clients.js';
import type { UtilisationData } from '../checks/utilisation.js';
import { measured } from '../../shared/finding-data.js';
import { displayName, formatSeconds, pct } from '../format.js';
import type { RedisPoolParams } from '../params.js';
import { redisCli, redisTargetKey } from '../redis-cli.js';

/** One client the approver agreed to kill, as it looked when the plan was made. */
export interface KillCandidate {
  id: string;
  addr: string;
  name: string;
  idle: number;
}

interface KillPlanParams {
  killIdleAfterSeconds: number;
  candidates: KillCandidate[];
}

type Outcome =
  | 'killed'
  | 'skipped: active again'
  | 'skipped: protected now'
  | "skipped: connbot's own connection"
  | 'skipped: not the planned client'
  | 'gone before the kill';

/** The plan lists this many clients one per line; all of them are in its parameters. */
const LISTED = 25;

/**
 * Runbook "Kill Idle Connections", by client ID rather than by addr (an addr can be reused by a new connection
 * once the old one closes; an ID is not, while the server runs). The kill also checks the ID still has the planned
 * addr and name, because IDs start over when the server restarts.
 */
export const killIdleClients: Remediation<RedisPoolParams> = {
  id: 'kill-idle-clients',
  title: 'Kill idle client connections',
  risk: 'medium',
  applies(findings, p) {
    const idle = measured<IdleClientsData>(findings, 'idle-clients');
    return (idle?.data.killEligible ?? 0) > 0 && p.killIdleAfterSeconds > 0;
  },
  async plan(ctx): Promise<RemediationPlan> {
    const p = ctx.params;
    const redis = ctx.integrations.redis();
    const [clients, ownId] = await Promise.all([redis.clientList(), redis.connectionId()]);
    const candidates: KillCandidate[] = clients
      .filter((c) => c.id !== ownId && !isProtectedClient(c) && c.idle >= p.killIdleAfterSeconds)
      .sort((a, b) => b.idle - a.idle)
      .map((c) => ({ id: c.id, addr: c.addr, name: c.name, idle: c.idle }));
    const threshold = formatSeconds(p.killIdleAfterSeconds);
    if (candidates.length === 0) {
      // The clients the check saw went away or woke up since: nothing to propose.
      throw new ConnbotError('REMEDIATION_FAILED', `no client is idle ≥ ${threshold} any more`);
    }
    const steps = [
      `Right before each kill, CLIENT LIST ID <id> re-reads the client: it is skipped (and reported) if it is gone, ` +
        `idle less than ${threshold} by then, or has become a replica, pub/sub, MONITOR or blocked client.`,
      ...candidates
        .slice(0, LISTED)
        .map(
          (c) =>
            `CLIENT KILL ID ${c.id} SKIPME yes — ${c.addr}, name ${displayName(c.name)}, idle ${formatSeconds(c.idle)} ` +
            `(${redisCli(ctx.target, `client kill id ${c.id}`)})`,
        ),
    ];
    if (candidates.length > LISTED) steps.push(`… and ${candidates.length - LISTED} more, oldest first (all ids are in the plan parameters)`);
    const params: KillPlanParams = { killIdleAfterSeconds: p.killIdleAfterSeconds, candidates };
    return {
      remediationId: killIdleClients.id,
      title: killIdleClients.title,
      risk: killIdleClients.risk,
      summary: `Kill ${candidates.length} client${candidates.length === 1 ? '' : 's'} idle ≥ ${threshold} (of ${clients.length} connected), by ID`,
      steps,
      params: { ...params },
      verifyChecks: ['idle-clients', 'utilisation'],
      notes: [
        "Never killed: connbot's own connection, replicas, masters, pub/sub subscribers, MONITOR and blocked clients.",
        'Apps whose pools do not validate connections may see one error per killed connection; the leak itself needs the manual steps.',
      ],
      targetKey: redisTargetKey(ctx.target),
    };
  },
  async execute(ctx, plan) {
    const { killIdleAfterSeconds, candidates } = plan.params as unknown as KillPlanParams;
    const redis = ctx.integrations.redis();
    const [before, ownId] = await Promise.all([readClientCounts(redis), redis.connectionId()]);
    const results: Array<{ c: KillCandidate; outcome: Outcome; note: string }> = [];
    for (const c of candidates) {
      // A fresh look at this one client, as close to the kill as Redis allows (there is no "kill if idle").
      if (c.id === ownId) {
        results.push({ c, outcome: "skipped: connbot's own connection", note: 'connbot itself' });
        continue;
      }
      const [now] = await redis.clientListByIds([c.id]);
      if (!now) {
        results.push({ c, outcome: 'gone before the kill', note: '' });
        continue;
      }
      // IDs restart from 1 when Redis restarts or fails over: the same ID on another address or name is another
      // client, which nobody approved killing.
      if (now.addr !== c.addr || now.name !== c.name) {
        results.push({ c, outcome: 'skipped: not the planned client', note: `id ${c.id} is now ${now.addr} ${displayName(now.name)} (Redis restarted?)` });
        continue;
      }
      const reason = isProtectedClient(now);
      if (reason) {
        results.push({ c, outcome: 'skipped: protected now', note: reason });
        continue;
      }
      if (now.idle < killIdleAfterSeconds) {
        results.push({ c, outcome: 'skipped: active again', note: `idle ${formatSeconds(now.idle)}, last ${now.cmd}` });
        continue;
      }
      const killed = await redis.clientKillById(c.id);
      // Once is enough to say the server was changed; the table lists each kill.
      if (killed && !results.some((r) => r.outcome === 'killed')) ctx.changed?.('killed idle clients by ID (CLIENT KILL ID)');
      results.push({ c, outcome: killed ? 'killed' : 'gone before the kill', note: killed ? `idle ${formatSeconds(now.idle)}` : '' });
    }
    const after = await readClientCounts(redis);
    const count = (o: Outcome) => results.filter((r) => r.outcome === o).length;
    const skipped = results.filter((r) => r.outcome.startsWith('skipped'));
    return {
      summary:
        `Killed ${count('killed')} of ${candidates.length} planned clients` +
        (skipped.length > 0
          ? `; skipped ${skipped.length} (${skipped.map((r) => `${r.c.id} ${displayName(r.c.name)}: ${r.note || r.outcome}`).join(', ')})`
          : '') +
        (count('gone before the kill') > 0 ? `; ${count('gone before the kill')} already gone` : '') +
        `; connected_clients ${describeCounts(before)} → ${describeCounts(after)}`,
      details: [
        {
          kind: 'table',
          columns: ['id', 'addr', 'name', 'idle when planned', 'outcome', 'note'],
          rows: results.map((r) => [r.c.id, r.c.addr, displayName(r.c.name), formatSeconds(r.c.idle), r.outcome, r.note]),
        },
      ],
    };
  },
  verify(_plan, before, after) {
    return verifyFewerIdle(before, after);
  },
};

function describeCounts(c: ClientCounts): string {
  return c.maxclients ? `${c.connected} (${pct(c.connected, c.maxclients)}%)` : String(c.connected);
}

/** Better only when the idle count and the connection count both dropped: the kill freed real slots. */
export function verifyFewerIdle(before: FindingsById, after: FindingsById): VerificationOutcome {
  const ib = measured<IdleClientsData>(before, 'idle-clients')?.data;
  const ia = measured<IdleClientsData>(after, 'idle-clients')?.data;
  const ub = measured<UtilisationData>(before, 'utilisation')?.data;
  const ua = measured<UtilisationData>(after, 'utilisation')?.data;
  if (!ib || !ia || !ub || !ua) {
    return { ok: false, summary: 'cannot tell: the idle-clients or utilisation check did not measure before and after' };
  }
  const idleDropped = ia.idleCount < ib.idleCount;
  const connDropped = ua.connected < ub.connected;
  const ok = idleDropped && connDropped;
  return {
    ok,
    summary:
      `${ok ? 'improved' : 'not improved'} — idle clients ${ib.idleCount} → ${ia.idleCount}; ` +
      `connected ${ub.connected} → ${ua.connected} (${ub.utilisationPct}% → ${ua.utilisationPct}% of maxclients ${ua.maxclients})`,
  };
}
