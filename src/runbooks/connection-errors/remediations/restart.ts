import { restartWorkloadRemediation } from '../../shared/k8s-workload/restart-workload.js';
import { WORKLOAD } from '../../shared/k8s-workload/workload-check.js';
import type { Remediation } from '../../types.js';
import type { ConnectionErrorsParams } from '../params.js';
import { PODS } from '../checks/pods.js';
import { HEALTH } from '../checks/health.js';
import { judges, restartTriggers } from './triggers.js';

/**
 * Immediate action 1 / Resolution step 1: `kubectl rollout restart statefulset vectorizer -n vectorizer`.
 * "Verify service is running": the replicas are ready again, and every finding it was offered for (the error
 * rate, /api/status, descriptors) is re-measured and back under its line.
 */
const restart = restartWorkloadRemediation<ConnectionErrorsParams>({
  applies: (byId, p) => restartTriggers(byId, p).length > 0,
  verifyChecks: [WORKLOAD, PODS],
  alsoShow: [HEALTH],
  triggeredBy: restartTriggers,
  judges,
  notes: (ctx) => [
    'A StatefulSet restarts one pod at a time, highest ordinal first; each must be ready before the next goes.',
    'A restart clears leaked connections and descriptors for a while; it raises no limit — see the manual steps.',
    `Verified ${ctx.params.verifySettleSeconds} s after the rollout${ctx.target.prometheus ? `, on the error rate of the last ${ctx.params.currentRateWindow}` : ''}.`,
  ],
});

export const rolloutRestart: Remediation<ConnectionErrorsParams> = {
  ...restart,
  settleMs: (p) => p.verifySettleSeconds * 1000,
};
