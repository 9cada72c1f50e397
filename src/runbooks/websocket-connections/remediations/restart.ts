import type { Remediation } from '../../types.js';
import { restartWorkloadRemediation } from '../../shared/k8s-workload/restart-workload.js';
import { WORKLOAD } from '../../shared/k8s-workload/workload-check.js';
import type { WebSocketParams } from '../params.js';
import { HEALTH, PODS } from '../checks/health.js';
import { HANDSHAKE, PUBLIC_HANDSHAKE } from '../checks/handshake.js';
import { DISCONNECTIONS } from '../checks/disconnections.js';
import { judges, restartTriggers } from './triggers.js';

/**
 * Step 2.1: `kubectl rollout restart deployment/websocket -n vitalstream`, then `rollout status`. "Verify": the
 * pods are ready, the health endpoint answers and a real client can connect and get a reply again — and what the
 * restart was offered for (a mass disconnection too) is re-measured and back under its line.
 */
const restart = restartWorkloadRemediation<WebSocketParams>({
  applies: (byId) => restartTriggers(byId).length > 0,
  verifyChecks: [WORKLOAD, PODS, HEALTH, HANDSHAKE],
  // Re-run even when they did not trigger the restart, judged "not worse": clients disconnecting more, or failing
  // through the proxy (when the catalog names the public URL), afterwards is not a recovery.
  alsoShow: [PUBLIC_HANDSHAKE, DISCONNECTIONS],
  triggeredBy: restartTriggers,
  judges,
  notes: (ctx) => [
    'Every open WebSocket on a replaced pod is closed: clients (ECG dashboards) must reconnect, so expect a burst of disconnections and reconnects.',
    `Verified ${ctx.params.verifySettleSeconds} s after the rollout, on the disconnection rate of the last ${ctx.params.currentRateWindow}, so the rollout's own disconnections have left the window.`,
    'If the upgrade was refused by a proxy or ingress, a restart of the app does not change that: see the manual steps.',
  ],
});

export const rolloutRestart: Remediation<WebSocketParams> = {
  ...restart,
  settleMs: (p) => p.verifySettleSeconds * 1000,
};
