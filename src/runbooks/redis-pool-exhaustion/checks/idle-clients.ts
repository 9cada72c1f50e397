import type { Status } from '../../../domain/finding.js';
import { isProtectedClient, type RedisClientInfo } from '../../../integrations/redis/client-list.js';
import type { Check } from '../../types.js';
import { readClientCounts } from '../client-counts.js';
import { countBy, displayName, formatSeconds, pct } from '../format.js';
import type { RedisPoolParams } from '../params.js';
import { redisCli } from '../redis-cli.js';

export interface IdleClientsData {
  idleSeconds: number;
  /** Clients other than connbot's own connection. */
  total: number;
  /** Ordinary clients idle ≥ idleSeconds (replicas, pub/sub, monitor and blocked clients are never "idle"). */
  idleCount: number;
  idleSharePct: number;
  oldestIdleSeconds: number;
  /** Idle ≥ killIdleAfterSeconds and not protected: what the kill remediation may take. */
  killEligible: number;
  /** Idle-looking clients left out, per reason: { 'pub/sub': 2 }. */
  exempt: Record<string, number>;
  maxclients: number | undefined;
  idleOfMaxclientsPct: number | undefined;
  /** CONFIG GET timeout (0 = never closes idle clients); undefined when CONFIG is refused. */
  timeoutSeconds: number | undefined;
}

/** Split a CLIENT LIST into ordinary idle clients and those that only look idle. */
export function classifyIdle(clients: readonly RedisClientInfo[], ownId: string, idleSeconds: number) {
  const idle: RedisClientInfo[] = [];
  const exempt: Record<string, number> = {};
  for (const c of clients) {
    if (c.id === ownId || c.idle < idleSeconds) continue;
    const reason = isProtectedClient(c);
    if (reason) exempt[reason] = (exempt[reason] ?? 0) + 1;
    else idle.push(c);
  }
  idle.sort((a, b) => b.idle - a.idle);
  return { idle, exempt };
}

/** Runbook §4 "Check for Idle Connections": how many, what share, the oldest, and who holds them. */
export const idleClientsCheck: Check<RedisPoolParams> = {
  id: 'idle-clients',
  title: 'Idle clients',
  async run(ctx) {
    const p = ctx.params;
    const redis = ctx.integrations.redis();
    const [counts, clients, ownId, timeoutSeconds] = await Promise.all([
      readClientCounts(redis),
      redis.clientList(),
      redis.connectionId(),
      redis.configNumber('timeout'),
    ]);
    const total = clients.filter((c) => c.id !== ownId).length;
    const { idle, exempt } = classifyIdle(clients, ownId, p.idleSeconds);
    const killEligible = idle.filter((c) => c.idle >= p.killIdleAfterSeconds).length;
    const { maxclients } = counts;
    const data: IdleClientsData = {
      idleSeconds: p.idleSeconds,
      total,
      idleCount: idle.length,
      idleSharePct: pct(idle.length, total),
      oldestIdleSeconds: idle[0]?.idle ?? 0,
      killEligible,
      exempt,
      maxclients,
      idleOfMaxclientsPct: maxclients ? pct(idle.length, maxclients) : undefined,
      timeoutSeconds,
    };
    // Idle clients are a problem in proportion to the limit they eat: alone over the utilisation warning is critical.
    const status: Status =
      data.idleOfMaxclientsPct !== undefined && idle.length > 0 && data.idleOfMaxclientsPct >= p.utilisationWarnPct
        ? 'crit'
        : idle.length > 0 && data.idleSharePct >= p.idleShareWarnPct
          ? 'warn'
          : 'ok';
    const exemptText = Object.entries(exempt)
      .map(([why, n]) => `${n} ${why}`)
      .join(', ');
    const summary =
      `${idle.length} of ${total} clients idle ≥ ${formatSeconds(p.idleSeconds)} (${data.idleSharePct}%` +
      (data.idleOfMaxclientsPct !== undefined ? `, ${data.idleOfMaxclientsPct}% of maxclients ${maxclients}` : '') +
      `; warning at ${p.idleShareWarnPct}%)` +
      (idle.length > 0 ? `, oldest ${formatSeconds(data.oldestIdleSeconds)}; ${killEligible} idle ≥ ${formatSeconds(p.killIdleAfterSeconds)}` : '') +
      `; server timeout ${timeoutSeconds === undefined ? 'unknown' : timeoutSeconds === 0 ? '0 (never closes idle clients)' : `${timeoutSeconds} s`}` +
      (exemptText ? `; not counted: ${exemptText}` : '');
    const byName = countBy(idle, (c) => displayName(c.name));
    const details =
      idle.length === 0
        ? []
        : [
            {
              kind: 'table' as const,
              caption: `Oldest idle clients (top ${Math.min(p.topN, idle.length)} of ${idle.length})`,
              columns: ['id', 'addr', 'name', 'idle', 'age', 'last command'],
              rows: idle
                .slice(0, p.topN)
                .map((c) => [c.id, c.addr, displayName(c.name), formatSeconds(c.idle), formatSeconds(c.age), c.cmd]),
            },
            {
              kind: 'table' as const,
              caption: `Idle clients by name (top ${Math.min(p.topN, byName.length)} of ${byName.length})`,
              columns: ['Client name', 'Idle clients', 'Oldest idle'],
              rows: byName.slice(0, p.topN).map(([name, list]) => [name, String(list.length), formatSeconds(list[0]!.idle)]),
            },
          ];
    return {
      status,
      summary,
      details,
      evidence: [
        {
          call: `CLIENT LIST (idle ≥ ${p.idleSeconds} s, excluding replicas, masters, pub/sub, MONITOR, blocked and connbot itself)`,
          // The runbook's regex (idle=[3-9][0-9][0-9][0-9]…) only fits one threshold; compare numbers instead.
          cli: `${redisCli(ctx.target, 'client list')} | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^idle=/ && substr($i, 6) + 0 >= ${p.idleSeconds}) { print; break } }' | wc -l`,
        },
        { call: 'CONFIG GET timeout', cli: redisCli(ctx.target, 'config get timeout') },
      ],
      data: { ...data },
    };
  },
};
