import { restartWorkloadRemediation } from '../../shared/k8s-workload/restart-workload.js';
import { WORKLOAD } from '../../shared/k8s-workload/workload-check.js';
import type { ConnectionErrorsParams } from '../params.js';
import { HEALTH } from '../checks/health.js';
import { PODS } from '../checks/pods.js';
import { readSignals } from '../signals.js';
import { isBad } from '../../shared/finding-data.js';
import { CONNECTION_ERRORS } from '../checks/connection-errors.js';
import { LOGS } from '../checks/logs.js';

/** Immediate action 1 / Resolution step 1: `kubectl rollout restart statefulset vectorizer -n vectorizer`. */
export const rolloutRestart = restartWorkloadRemediation<ConnectionErrorsParams>({
  applies(byId) {
    const s = readSignals(byId);
    // Nothing to restart in a workload scaled to zero: scaling it up is the fix.
    if ((!s.pods && !s.workload) || s.workload?.desired === 0) return false;
    return [WORKLOAD, PODS, HEALTH, CONNECTION_ERRORS, LOGS].some((id) => isBad(byId.get(id))) || s.healthUnreachable;
  },
  // "Verify service is running": the pods are ready again and /api/status answers.
  verifyChecks: [WORKLOAD, PODS, HEALTH],
  notes: () => [
    'A StatefulSet restarts one pod at a time, highest ordinal first; each must be ready before the next goes.',
    'A restart clears leaked connections and descriptors for a while; it raises no limit — see the manual steps.',
  ],
});
