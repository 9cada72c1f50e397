import type { Runbook } from '../types.js';
import { DbConnectionParams } from './params.js';
import { dbConnectionsCheck } from './checks/db-connections.js';
import { dbCpuCheck } from './checks/db-cpu.js';
import { dbClusterCheck } from './checks/db-cluster.js';
import { ecsServiceCheck } from './checks/ecs-service.js';
import { tasksVsConnectionsCheck } from './checks/tasks-vs-connections.js';
import { failureModeCheck } from './checks/failure-mode.js';
import { appLogsCheck } from './checks/app-logs.js';
import { causes } from './causes.js';
import { resetFailureMode } from './remediations/reset-failure-mode.js';
import { forceNewDeployment } from './remediations/force-new-deployment.js';
import { scaleService } from './remediations/scale-service.js';
import { manualSteps } from './manual-steps.js';

/**
 * Golden Path (ECS service + Aurora PostgreSQL): db-connection-exhaustion.md, in its order — connections and CPU
 * against the limit, the application's errors, the cluster, the tasks, the failure-mode switch; then its three
 * causes, its immediate actions, and its long-term solutions as manual steps.
 */
export const dbConnectionExhaustion: Runbook<DbConnectionParams> = {
  id: 'db-connection-exhaustion',
  title: 'Database connection exhaustion (ECS + Aurora)',
  source: 'runbooks/db-connection-exhaustion.md',
  requires: ['aws.rds', 'aws.ecs'],
  params: DbConnectionParams,
  checks: [
    dbConnectionsCheck,
    dbCpuCheck,
    appLogsCheck,
    dbClusterCheck,
    ecsServiceCheck,
    tasksVsConnectionsCheck,
    failureModeCheck,
  ],
  causes,
  remediations: [resetFailureMode, forceNewDeployment, scaleService],
  manualSteps,
};
