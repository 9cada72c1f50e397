import type { Status } from '../../../domain/finding.js';
import { infoNumber } from '../../../integrations/redis/info.js';
import type { Check } from '../../types.js';
import { readClientCounts } from '../client-counts.js';
import { pct } from '../format.js';
import type { RedisPoolParams } from '../params.js';
import { redisCli } from '../redis-cli.js';

export interface UtilisationData {
  connected: number;
  maxclients: number;
  utilisationPct: number;
  freeSlots: number;
  /** Since the server started: a past exhaustion shows here even when the count is low now. */
  rejectedConnections: number;
  totalConnectionsReceived: number;
}

/** Runbook §1–2: connected clients against maxclients, and connections already refused. */
export const utilisationCheck: Check<RedisPoolParams> = {
  id: 'utilisation',
  title: 'Connected clients vs maxclients',
  async run(ctx) {
    const p = ctx.params;
    const redis = ctx.integrations.redis();
    const [counts, stats] = await Promise.all([readClientCounts(redis), redis.info('stats')]);
    const evidence = [
      { call: 'INFO clients', cli: redisCli(ctx.target, 'info clients') },
      {
        call: counts.calls.includes('CONFIG GET maxclients') ? 'CONFIG GET maxclients' : 'INFO clients (maxclients field)',
        cli: redisCli(ctx.target, 'config get maxclients'),
      },
      { call: 'INFO stats', cli: redisCli(ctx.target, 'info stats') },
    ];
    const rejected = infoNumber(stats, 'rejected_connections') ?? 0;
    const received = infoNumber(stats, 'total_connections_received') ?? 0;
    const { connected, maxclients } = counts;
    if (maxclients === undefined || maxclients <= 0) {
      return {
        status: 'unknown',
        summary: `${connected} clients connected; maxclients is not readable (INFO has no maxclients and CONFIG GET is refused)`,
        evidence,
        data: { connected, rejectedConnections: rejected },
      };
    }
    const utilisationPct = pct(connected, maxclients);
    const status: Status =
      utilisationPct >= p.utilisationCritPct ? 'crit' : utilisationPct >= p.utilisationWarnPct ? 'warn' : 'ok';
    const level =
      status === 'crit'
        ? `critical at ${p.utilisationCritPct}%`
        : status === 'warn'
          ? `warning at ${p.utilisationWarnPct}%`
          : `below ${p.utilisationWarnPct}%`;
    const data: UtilisationData = {
      connected,
      maxclients,
      utilisationPct,
      freeSlots: Math.max(0, maxclients - connected),
      rejectedConnections: rejected,
      totalConnectionsReceived: received,
    };
    const rows: string[][] = [
      ['connected_clients', String(connected)],
      ['maxclients', String(maxclients)],
      ['utilisation', `${utilisationPct}%`],
      ['free slots', String(data.freeSlots)],
      ['blocked_clients', String(counts.blocked ?? '?')],
      ['rejected_connections (since start)', String(rejected)],
      ['total_connections_received', String(received)],
      ['client_recent_max_input_buffer', counts.clientsInfo.client_recent_max_input_buffer ?? '?'],
      ['client_recent_max_output_buffer', counts.clientsInfo.client_recent_max_output_buffer ?? '?'],
    ];
    return {
      status,
      summary:
        `${connected} of ${maxclients} clients connected (${utilisationPct}%, ${level}); ` +
        `${rejected} connection${rejected === 1 ? '' : 's'} rejected since start`,
      details: [{ kind: 'table', columns: ['Metric', 'Value'], rows }],
      evidence,
      data: { ...data },
    };
  },
};
