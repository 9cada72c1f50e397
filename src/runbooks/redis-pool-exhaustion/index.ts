import type { Runbook } from '../types.js';
import { RedisPoolParams } from './params.js';

export const redisPoolExhaustion: Runbook<RedisPoolParams> = {
  id: 'redis-pool-exhaustion',
  title: 'Redis connection pool exhaustion',
  source: 'runbooks/redis-pool-exhaustion.md',
  requires: ['redis'],
  params: RedisPoolParams,
  checks: [],
  causes: [],
  remediations: [],
};
