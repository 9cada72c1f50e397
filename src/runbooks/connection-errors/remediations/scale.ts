import { fmtNumber } from '../../shared/evidence.js';
import { scaleWorkloadRemediation } from '../../shared/k8s-workload/scale-workload.js';
import type { Remediation } from '../../types.js';
import type { ConnectionErrorsParams } from '../params.js';
import { HEALTH } from '../checks/health.js';
import { readSignals } from '../signals.js';
import { judges, scaleTriggers } from './triggers.js';

/**
 * Resolution step 4, Scale Horizontally: more replicas share the connections, each under its own
 * max_connections, and the CPU. Pointless while pods crash, so only offered when some are up — or when the
 * StatefulSet was scaled to zero (the runbook's "manual stop"), where scaling up is the whole fix. Verified on
 * the connections / CPU / errors it was offered for, re-measured.
 */
const scale = scaleWorkloadRemediation<ConnectionErrorsParams>({
  applies: (byId) => scaleTriggers(byId).length > 0,
  reason(byId) {
    const s = readSignals(byId);
    if (s.workload?.desired === 0) return `${s.workload.kind}/${s.workload.name} is scaled to 0 replicas`;
    const why: string[] = [];
    const c = s.connections;
    if (c && s.connectionsBad) why.push(`${c.pod ? `${c.pod}'s ` : ''}${fmtNumber(c.current)} connections are ${fmtNumber(c.pct, 1)}% of max_connections ${fmtNumber(c.maxConnections)}`);
    const t = s.cpuThrottling;
    if (t && s.cpuThrottlingBad) why.push(`${t.worstPod} is CPU-throttled in ${fmtNumber(t.worstPct, 1)}% of periods`);
    if (why.length === 0) why.push(`${s.logs?.signals.tooManyConnections ?? 0} "too many connections" log lines`);
    return why.join('; ');
  },
  verifyChecks: [HEALTH],
  alsoShow: [],
  triggeredBy: scaleTriggers,
  judges,
  notes: (ctx) => [
    'Connections already open stay where they are; new ones spread over the new replicas through the Service, so the per-pod count falls as clients reconnect.',
    `Verified ${ctx.params.verifySettleSeconds} s after the replicas are ready: what it was offered for must be back under its line by then.`,
  ],
});

export const scaleOut: Remediation<ConnectionErrorsParams> = {
  ...scale,
  settleMs: (p) => p.verifySettleSeconds * 1000,
};
