import type { Runbook } from '../types.js';
import { causes } from './causes.js';
import { blockedClientsCheck } from './checks/blocked-clients.js';
import { clientDistributionCheck } from './checks/client-distribution.js';
import { connectionTrendCheck } from './checks/connection-trend.js';
import { idleClientsCheck } from './checks/idle-clients.js';
import { poolBudgetCheck } from './checks/pool-budget.js';
import { utilisationCheck } from './checks/utilisation.js';
import { manualSteps } from './manual-steps.js';
import { RedisPoolParams } from './params.js';
import { killIdleClients } from './remediations/kill-idle-clients.js';
import { raiseMaxclients } from './remediations/raise-maxclients.js';
import { setIdleTimeout } from './remediations/set-idle-timeout.js';

/**
 * redis-pool-exhaustion.md: diagnosis §1–6 as checks, the "Issue:" sections as causes, Step 1's immediate actions
 * as remediations, and Steps 2–5 (HelmRelease, app pools, scaling, restarts) as manual steps.
 */
export const redisPoolExhaustion: Runbook<RedisPoolParams> = {
  id: 'redis-pool-exhaustion',
  title: 'Redis connection pool exhaustion',
  source: 'runbooks/redis-pool-exhaustion.md',
  requires: ['redis'],
  params: RedisPoolParams,
  checks: [
    utilisationCheck,
    blockedClientsCheck,
    clientDistributionCheck,
    idleClientsCheck,
    connectionTrendCheck,
    poolBudgetCheck,
  ],
  causes,
  remediations: [killIdleClients, setIdleTimeout, raiseMaxclients],
  manualSteps,
};
