import type { DetailBlock, Status } from '../../../domain/finding.js';
import { clientHost, isUnixSocketClient, type RedisClientInfo } from '../../../integrations/redis/client-list.js';
import type { Check } from '../../types.js';
import { readClientCounts } from '../client-counts.js';
import { countBy, displayName, formatSeconds, pct } from '../format.js';
import type { RedisPoolParams } from '../params.js';
import { redisCli } from '../redis-cli.js';

export interface ClientGroup {
  key: string;
  clients: number;
  idle: number;
  oldestIdleSeconds: number;
}

export interface ClientDistributionData {
  total: number;
  maxclients: number | undefined;
  distinctSources: number;
  distinctNames: number;
  bySource: ClientGroup[];
  byName: ClientGroup[];
}

/** Runbook §3 "Analyze Client Distribution": clients grouped by source IP and by client name. */
export const clientDistributionCheck: Check<RedisPoolParams> = {
  id: 'client-distribution',
  title: 'Clients by source IP and by name',
  async run(ctx) {
    const p = ctx.params;
    const redis = ctx.integrations.redis();
    const [counts, clients] = await Promise.all([readClientCounts(redis), redis.clientList()]);
    const group = (key: (c: RedisClientInfo) => string): ClientGroup[] =>
      countBy(clients, key).map(([k, list]) => {
        const idle = list.filter((c) => c.idle >= p.idleSeconds);
        return { key: k, clients: list.length, idle: idle.length, oldestIdleSeconds: Math.max(0, ...list.map((c) => c.idle)) };
      });
    // Unix-socket clients have no IP: the socket path says they run on the Redis host (sidecars, exporters).
    const bySource = group((c) => (isUnixSocketClient(c) ? `unix:${clientHost(c.addr)}` : clientHost(c.addr)));
    const byName = group((c) => displayName(c.name));
    const { maxclients } = counts;
    const data: ClientDistributionData = {
      total: clients.length,
      maxclients,
      distinctSources: bySource.length,
      distinctNames: byName.length,
      bySource: bySource.slice(0, p.topN),
      byName: byName.slice(0, p.topN),
    };
    const topSource = bySource[0];
    // "(no name)" gathers unrelated apps that never set a name: it says nothing about one app hogging the server.
    const topName = byName.find((g) => g.key !== '(no name)');
    const limitShare = (g: ClientGroup | undefined) => (g && maxclients ? pct(g.clients, maxclients) : 0);
    const hogs = [
      topSource && limitShare(topSource) >= p.sourceShareWarnPct ? `source ${topSource.key}` : undefined,
      topName && limitShare(topName) >= p.sourceShareWarnPct ? `name ${topName.key}` : undefined,
    ].filter((x): x is string => x !== undefined);
    const status: Status = hogs.length > 0 ? 'warn' : 'ok';
    const describe = (g: ClientGroup | undefined) =>
      g ? `${g.key} (${g.clients}${maxclients ? `, ${limitShare(g)}% of maxclients` : ''})` : 'none';
    const summary =
      `${clients.length} clients from ${bySource.length} source${bySource.length === 1 ? '' : 's'} ` +
      `with ${byName.length} name${byName.length === 1 ? '' : 's'}; top source ${describe(topSource)}, ` +
      `top name ${describe(byName[0])}` +
      (hogs.length > 0 ? ` — ${hogs.join(' and ')} hold${hogs.length === 1 ? 's' : ''} ≥ ${p.sourceShareWarnPct}% of maxclients` : '');
    const table = (title: string, keyColumn: string, groups: ClientGroup[], all: number): DetailBlock => ({
      kind: 'table',
      caption: `${title} (top ${Math.min(p.topN, all)} of ${all})`,
      columns: [keyColumn, 'Clients', '% of clients', `Idle ≥ ${formatSeconds(p.idleSeconds)}`, 'Oldest idle'],
      rows: groups
        .slice(0, p.topN)
        .map((g) => [g.key, String(g.clients), `${pct(g.clients, clients.length)}%`, String(g.idle), formatSeconds(g.oldestIdleSeconds)]),
    });
    return {
      status,
      summary,
      details: [
        table('Clients by source IP', 'Source IP', bySource, bySource.length),
        table('Clients by name', 'Client name', byName, byName.length),
      ],
      evidence: [
        {
          call: 'CLIENT LIST (grouped by addr host)',
          cli: `${redisCli(ctx.target, 'client list')} | awk '{print $2}' | cut -d= -f2 | cut -d: -f1 | sort | uniq -c | sort -rn`,
        },
        {
          call: 'CLIENT LIST (grouped by name)',
          // The runbook's `grep -o "name=…"` also matches lib-name= (Redis 7.2+) and cuts names holding "=".
          cli: `${redisCli(ctx.target, 'client list')} | grep -o " name=[^ ]*" | cut -d= -f2- | sort | uniq -c | sort -rn`,
        },
      ],
      data: { ...data },
    };
  },
};
