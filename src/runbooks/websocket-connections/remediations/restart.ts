import { restartWorkloadRemediation } from '../../shared/k8s-workload/restart-workload.js';
import { WORKLOAD } from '../../shared/k8s-workload/workload-check.js';
import { isBad } from '../../shared/finding-data.js';
import type { WebSocketParams } from '../params.js';
import { HEALTH, PODS } from '../checks/health.js';
import { HANDSHAKE } from '../checks/handshake.js';
import { readSignals } from '../signals.js';

/** Step 2.1: `kubectl rollout restart deployment/websocket -n vitalstream`, then `rollout status`. */
export const rolloutRestart = restartWorkloadRemediation<WebSocketParams>({
  applies(byId) {
    const s = readSignals(byId);
    // Nothing to restart in a workload scaled to zero: scaling it up is the fix.
    if ((!s.pods && !s.workload) || s.workload?.desired === 0) return false;
    return [WORKLOAD, PODS, HEALTH, HANDSHAKE].some((id) => isBad(byId.get(id))) || s.healthDown || s.disconnectionsCrit;
  },
  // "Verify": the health endpoint answers and a real client can connect and get a reply again.
  verifyChecks: [WORKLOAD, PODS, HEALTH, HANDSHAKE],
  notes: () => [
    'Every open WebSocket on a replaced pod is closed: clients (ECG dashboards) must reconnect, so expect a burst of disconnections and reconnects.',
    'If the upgrade was refused by a proxy or ingress, a restart of the app does not change that: see the manual steps.',
  ],
});
