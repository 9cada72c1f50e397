import type { Status } from '../../../domain/finding.js';
import { clientHost, isBlockedClient } from '../../../integrations/redis/client-list.js';
import type { Check } from '../../types.js';
import { readClientCounts } from '../client-counts.js';
import { countBy, displayName, formatSeconds, pct } from '../format.js';
import type { RedisPoolParams } from '../params.js';
import { redisCli } from '../redis-cli.js';

export interface BlockedClientsData {
  /** INFO clients blocked_clients. */
  blockedClients: number;
  /** Clients CLIENT LIST shows with flag b (the same set, seen a moment later). */
  listedBlocked: number;
  connected: number;
  blockedSharePct: number;
  /** Blocked clients per command: { blpop: 3 }. */
  byCommand: Record<string, number>;
  longestBlockedSeconds: number;
}

/** Runbook "Blocking Operations Holding Connections": blocked_clients and the CLIENT LIST flags=b lines. */
export const blockedClientsCheck: Check<RedisPoolParams> = {
  id: 'blocked-clients',
  title: 'Blocked clients (BLPOP/BRPOP …)',
  async run(ctx) {
    const p = ctx.params;
    const redis = ctx.integrations.redis();
    const [counts, clients] = await Promise.all([readClientCounts(redis), redis.clientList()]);
    const blocked = clients.filter(isBlockedClient).sort((a, b) => b.idle - a.idle);
    const blockedClients = counts.blocked ?? blocked.length;
    const byCommand = Object.fromEntries(countBy(blocked, (c) => c.cmd).map(([cmd, list]) => [cmd, list.length]));
    const data: BlockedClientsData = {
      blockedClients,
      listedBlocked: blocked.length,
      connected: counts.connected,
      blockedSharePct: pct(blockedClients, counts.connected),
      byCommand,
      longestBlockedSeconds: blocked[0]?.idle ?? 0,
    };
    const overCount = blockedClients > p.blockedClientsWarn;
    const overShare = blockedClients > 0 && data.blockedSharePct >= p.blockedShareWarnPct;
    const status: Status = overCount || overShare ? 'warn' : 'ok';
    const commands = Object.entries(byCommand)
      .map(([cmd, n]) => `${cmd} ×${n}`)
      .join(', ');
    const summary =
      blockedClients === 0
        ? 'no clients blocked'
        : `${blockedClients} client${blockedClients === 1 ? '' : 's'} blocked (${data.blockedSharePct}% of ${counts.connected} connections; ` +
          `warning above ${p.blockedClientsWarn} or at ${p.blockedShareWarnPct}%)` +
          (commands ? ` — running ${commands}, longest ${formatSeconds(data.longestBlockedSeconds)}` : '');
    const details =
      blocked.length === 0
        ? []
        : [
            {
              kind: 'table' as const,
              caption: `Blocked clients, longest first (top ${Math.min(p.topN, blocked.length)} of ${blocked.length})`,
              columns: ['id', 'addr', 'source', 'name', 'command', 'blocked for', 'db'],
              rows: blocked
                .slice(0, p.topN)
                .map((c) => [c.id, c.addr, clientHost(c.addr), displayName(c.name), c.cmd, formatSeconds(c.idle), String(c.db)]),
            },
          ];
    return {
      status,
      summary,
      details,
      evidence: [
        { call: 'INFO clients (blocked_clients)', cli: `${redisCli(ctx.target, 'info clients')} | grep blocked_clients` },
        { call: 'CLIENT LIST (flags containing b)', cli: `${redisCli(ctx.target, 'client list')} | grep "flags=b"` },
      ],
      data: { ...data },
    };
  },
};
