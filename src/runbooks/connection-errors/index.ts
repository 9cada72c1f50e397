import type { Runbook } from '../types.js';
import { ConnectionErrorsParams } from './params.js';
import { podsCheck } from './checks/pods.js';
import { healthCheck } from './checks/health.js';
import { connectionsCheck } from './checks/connections.js';
import { connectionErrorsCheck } from './checks/connection-errors.js';
import { logsCheck } from './checks/logs.js';
import { eventsCheck } from './checks/events.js';
import { serviceEndpoints } from './checks/service-endpoints.js';
import { cpuThrottling, fileDescriptorsUsage, memoryUsage } from './checks/resources.js';
import { workloadCheck } from '../shared/k8s-workload/workload-check.js';
import { causes } from './causes.js';
import { rolloutRestart } from './remediations/restart.js';
import { scaleOut } from './remediations/scale.js';
import { connectionErrorsManualSteps } from './manual-steps.js';

/**
 * connection-errors.md (Vectorizer, a StatefulSet on :15002): Diagnosis and Immediate action 2 as checks, the five
 * Common Causes as causes, Resolution steps 1 and 4 as remediations, steps 2, 3 and 5 as manual steps.
 */
export const connectionErrors: Runbook<ConnectionErrorsParams> = {
  id: 'connection-errors',
  title: 'Connection errors',
  source: 'runbooks/connection-errors.md',
  requires: ['k8s', 'http'],
  params: ConnectionErrorsParams,
  checks: [
    // Check Service Status
    workloadCheck<ConnectionErrorsParams>(),
    podsCheck,
    healthCheck,
    serviceEndpoints,
    // Check Connection Limits
    connectionsCheck,
    connectionErrorsCheck,
    // Check Logs
    logsCheck,
    eventsCheck,
    // Immediate action 2: Check Resource Limits
    fileDescriptorsUsage,
    memoryUsage,
    cpuThrottling,
  ],
  causes,
  remediations: [rolloutRestart, scaleOut],
  manualSteps: connectionErrorsManualSteps,
};
