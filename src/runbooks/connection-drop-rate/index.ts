import type { Runbook } from '../types.js';
import { DropRateParams } from './params.js';
import { dropRateCheck } from './checks/drop-rate.js';
import { activeConnectionsCheck } from './checks/active-connections.js';
import { errorsByTypeCheck } from './checks/errors-by-type.js';
import { connectionDurationCheck } from './checks/connection-duration.js';
import { fileDescriptorsCheck } from '../shared/checks/file-descriptors.js';
import { memoryCheck } from '../shared/checks/memory.js';
import { httpHealthCheck } from '../shared/checks/http-health.js';
import { k8sPodsCheck } from '../shared/checks/k8s-pods.js';
import { workloadCheck } from '../shared/k8s-workload/workload-check.js';
import { causes } from './causes.js';
import { rolloutRestart } from './restart-remediation.js';
import { dropRateManualSteps } from './manual-steps.js';

/** connection-drop-rate.md: the TickStormConnectionDropRate alert (> 0.5% of connections dropped). */
export const connectionDropRate: Runbook<DropRateParams> = {
  id: 'connection-drop-rate',
  title: 'Connection drop rate',
  source: 'runbooks/connection-drop-rate.md',
  requires: ['prometheus'],
  params: DropRateParams,
  checks: [
    // Immediate actions
    dropRateCheck,
    httpHealthCheck<DropRateParams>(),
    activeConnectionsCheck,
    // Diagnosis: connection patterns, then resource constraints
    errorsByTypeCheck,
    connectionDurationCheck,
    fileDescriptorsCheck<DropRateParams>(),
    memoryCheck<DropRateParams>(),
    k8sPodsCheck<DropRateParams>(),
    // What a restart waits for and is verified on; and whether one can be offered (not for OnDelete).
    workloadCheck<DropRateParams>(),
  ],
  causes,
  remediations: [rolloutRestart],
  manualSteps: dropRateManualSteps,
};
