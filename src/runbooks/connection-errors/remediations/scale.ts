import { fmtNumber } from '../../shared/evidence.js';
import { scaleWorkloadRemediation } from '../../shared/k8s-workload/scale-workload.js';
import type { ConnectionErrorsParams } from '../params.js';
import { HEALTH } from '../checks/health.js';
import { CONNECTIONS } from '../checks/connections.js';
import { readSignals } from '../signals.js';

/**
 * Resolution step 4, Scale Horizontally: more replicas share the connections, each under its own
 * max_connections. Pointless while pods crash, so only offered when some are up — or when the StatefulSet was
 * scaled to zero (the runbook's "manual stop"), where scaling up is the whole fix.
 */
export const scaleOut = scaleWorkloadRemediation<ConnectionErrorsParams>({
  applies(byId) {
    const s = readSignals(byId);
    if (s.workload?.desired === 0) return true;
    if (s.down) return false;
    return s.connectionsBad || (s.logs?.signals.tooManyConnections ?? 0) > 0;
  },
  reason(byId) {
    const s = readSignals(byId);
    if (s.workload?.desired === 0) return `${s.workload.kind}/${s.workload.name} is scaled to 0 replicas`;
    const c = s.connections;
    if (c) return `${fmtNumber(c.current)} connections are ${fmtNumber(c.pct, 1)}% of max_connections ${fmtNumber(c.maxConnections)}`;
    return `${s.logs?.signals.tooManyConnections ?? 0} "too many connections" log lines`;
  },
  verifyChecks: [HEALTH],
  alsoShow: [CONNECTIONS],
  notes: () => [
    'Connections already open stay where they are; new ones spread over the new replicas through the Service.',
  ],
});
