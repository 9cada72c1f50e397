import { ConnbotError } from '../../errors.js';
import { infoNumber, type RedisInfo } from '../../integrations/redis/info.js';
import type { RedisTargetClient } from '../../integrations/redis/redis-target.js';

export interface ClientCounts {
  connected: number;
  /** Undefined when neither INFO nor CONFIG tells (CONFIG is often disabled on managed Redis). */
  maxclients: number | undefined;
  blocked: number | undefined;
  clientsInfo: RedisInfo;
  /** The Redis calls made, for evidence. */
  calls: string[];
}

/**
 * `connected_clients` and `maxclients` from INFO clients (Redis 7 prints maxclients there); CONFIG GET maxclients
 * only when INFO lacks it, because managed Redis often refuses CONFIG.
 */
export async function readClientCounts(redis: RedisTargetClient): Promise<ClientCounts> {
  const clientsInfo = await redis.info('clients');
  const connected = infoNumber(clientsInfo, 'connected_clients');
  if (connected === undefined) {
    throw new ConnbotError('INTEGRATION_FAILED', 'INFO clients has no connected_clients field', {
      hint: 'is this a Redis server (or a proxy that hides INFO)?',
    });
  }
  const calls = ['INFO clients'];
  let maxclients = infoNumber(clientsInfo, 'maxclients');
  if (maxclients === undefined) {
    calls.push('CONFIG GET maxclients');
    maxclients = await redis.configNumber('maxclients');
  }
  return { connected, maxclients, blocked: infoNumber(clientsInfo, 'blocked_clients'), clientsInfo, calls };
}
