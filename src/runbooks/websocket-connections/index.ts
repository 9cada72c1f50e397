import type { Runbook } from '../types.js';
import { WebSocketParams } from './params.js';
import { activeConnectionsCheck } from './checks/active-connections.js';
import { disconnectionsCheck } from './checks/disconnections.js';
import { messageLatencyCheck } from './checks/message-latency.js';
import { connectionErrorsCheck } from './checks/connection-errors.js';
import { cpuCheck } from './checks/cpu.js';
import { healthCheck, podsCheck } from './checks/health.js';
import { detailedHealthCheck } from './checks/detailed-health.js';
import { handshakeCheck, publicHandshakeCheck } from './checks/handshake.js';
import { connectionLogsCheck, memoryCheck, podEventsCheck } from './checks/pod-diagnostics.js';
import { workloadCheck } from './checks/workload.js';
import { causes } from './causes.js';
import { rolloutRestart } from './remediations/restart.js';
import { scaleOut } from './remediations/scale.js';
import { websocketManualSteps } from './manual-steps.js';

/**
 * websocket-connections.md (VitalStream, :8003): Diagnosis 2–5 and the triage's status and resource looks as
 * checks, the triage findings as causes, Step 2.1 and 3.2 as remediations, the ConfigMap, network, TLS and probe
 * steps as manual steps.
 */
export const websocketConnections: Runbook<WebSocketParams> = {
  id: 'websocket-connections',
  title: 'WebSocket connection issues',
  source: 'runbooks/websocket-connections.md',
  requires: ['prometheus', 'http'],
  params: WebSocketParams,
  checks: [
    // Check Prometheus Metrics (and Step 1.1's current disconnection rate)
    activeConnectionsCheck,
    disconnectionsCheck,
    messageLatencyCheck,
    connectionErrorsCheck,
    // Check Service Health, Test WebSocket Connection — in the cluster and through the proxy
    healthCheck,
    detailedHealthCheck,
    handshakeCheck,
    publicHandshakeCheck,
    // Check Connection Logs
    connectionLogsCheck,
    // Check Service Status (get pods, describe pod), Resource Usage
    workloadCheck,
    podsCheck,
    podEventsCheck,
    cpuCheck,
    memoryCheck,
  ],
  causes,
  remediations: [rolloutRestart, scaleOut],
  manualSteps: websocketManualSteps,
};
