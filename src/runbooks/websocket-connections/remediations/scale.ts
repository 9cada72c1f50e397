import type { Remediation } from '../../types.js';
import { scaleWorkloadRemediation } from '../../shared/k8s-workload/scale-workload.js';
import type { WebSocketParams } from '../params.js';
import { HEALTH } from '../checks/health.js';
import { HANDSHAKE, PUBLIC_HANDSHAKE } from '../checks/handshake.js';
import { ACTIVE_CONNECTIONS } from '../checks/active-connections.js';
import { CPU } from '../checks/cpu.js';
import { MESSAGE_LATENCY } from '../checks/message-latency.js';
import { readSignals } from '../signals.js';
import { judges, scaleTriggers } from './triggers.js';

/**
 * Step 3.2 "Scale Up WebSocket Service": more replicas for connections, CPU or latency pressure, or from zero.
 * Verified on the replicas and the endpoints, and on the pressure it was offered for, re-measured.
 */
const scale = scaleWorkloadRemediation<WebSocketParams>({
  applies: (byId) => scaleTriggers(byId).length > 0,
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
  // Optional (a catalog without a public URL skips it) and spread slowly (connections): shown, judged "not worse".
  alsoShow: [PUBLIC_HANDSHAKE, ACTIVE_CONNECTIONS],
  triggeredBy: scaleTriggers,
  judges,
  notes: (ctx) => [
    'Existing connections stay on their pods; only new connections land on the new replicas, so load evens out as clients reconnect.',
    `Verified ${ctx.params.verifySettleSeconds} s after the replicas are ready: the pressure it was offered for must be back under its line by then.`,
  ],
});

export const scaleOut: Remediation<WebSocketParams> = {
  ...scale,
  settleMs: (p) => p.verifySettleSeconds * 1000,
};
