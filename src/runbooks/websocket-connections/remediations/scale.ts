import { scaleWorkloadRemediation } from '../../shared/k8s-workload/scale-workload.js';
import type { WebSocketParams } from '../params.js';
import { HEALTH } from '../checks/health.js';
import { HANDSHAKE } from '../checks/handshake.js';
import { ACTIVE_CONNECTIONS } from '../checks/active-connections.js';
import { CPU } from '../checks/cpu.js';
import { MESSAGE_LATENCY } from '../checks/message-latency.js';
import { readSignals } from '../signals.js';

/** Step 3.2 "Scale Up WebSocket Service": more replicas for connections, CPU or latency pressure, or from zero. */
export const scaleOut = scaleWorkloadRemediation<WebSocketParams>({
  applies(byId) {
    const s = readSignals(byId);
    if (s.workload?.desired === 0) return true;
    if (s.down) return false;
    return s.connectionsBad || s.cpuBad || s.latencyBad;
  },
  reason(byId) {
    const w = readSignals(byId).workload;
    if (w?.desired === 0) return `${w.kind}/${w.name} is scaled to 0 replicas`;
    return [ACTIVE_CONNECTIONS, CPU, MESSAGE_LATENCY]
      .map((id) => byId.get(id))
      .filter((f) => f && !f.skipped && (f.status === 'warn' || f.status === 'crit'))
      .map((f) => f!.summary)
      .join('; ');
  },
  verifyChecks: [HEALTH, HANDSHAKE],
  alsoShow: [ACTIVE_CONNECTIONS],
  notes: () => ['Existing connections stay on their pods; only new connections land on the new replicas, so load evens out as clients reconnect.'],
});
