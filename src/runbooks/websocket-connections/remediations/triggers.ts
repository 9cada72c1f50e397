import type { Status } from '../../../domain/finding.js';
import type { FindingsById } from '../../types.js';
import type { FindingJudge } from '../../shared/k8s-workload/verify-after.js';
import { fmtNumber } from '../../shared/evidence.js';
import { isBad } from '../../shared/finding-data.js';
import { WORKLOAD } from '../../shared/k8s-workload/workload-check.js';
import { HEALTH, PODS } from '../checks/health.js';
import { HANDSHAKE } from '../checks/handshake.js';
import { DISCONNECTIONS } from '../checks/disconnections.js';
import { ACTIVE_CONNECTIONS } from '../checks/active-connections.js';
import { CPU } from '../checks/cpu.js';
import { MESSAGE_LATENCY } from '../checks/message-latency.js';
import { readSignals } from '../signals.js';

/**
 * The findings a rolling restart (Step 2.1) is offered for, as check ids — re-run afterwards, and each must be
 * back under the line it had crossed: pods or replicas not ready, the health endpoint or the in-cluster handshake
 * failing, or a mass disconnection (crit). A proxy that refuses the upgrade is not among them: replacing the app's
 * pods does not change the proxy.
 */
export function restartTriggers(byId: FindingsById): string[] {
  const s = readSignals(byId);
  // Nothing to restart in a workload scaled to zero: scaling it up is the fix.
  if ((!s.pods && !s.workload) || s.workload?.desired === 0) return [];
  const triggers = [WORKLOAD, PODS, HEALTH, HANDSHAKE].filter((id) => isBad(byId.get(id)));
  if (s.healthDown && !triggers.includes(HEALTH)) triggers.push(HEALTH);
  if (s.disconnectionsCrit) triggers.push(DISCONNECTIONS);
  return triggers;
}

/** The pressure a scale-out (Step 3.2) is offered for — connections, CPU, latency — or a workload at zero. */
export function scaleTriggers(byId: FindingsById): string[] {
  const s = readSignals(byId);
  if (s.workload?.desired === 0) return [WORKLOAD];
  if (s.down) return [];
  return [ACTIVE_CONNECTIONS, CPU, MESSAGE_LATENCY].filter((id) => isBad(byId.get(id)));
}

/**
 * Disconnections are verified on Step 1.1's current (2m) rate: the 5m rate still holds the minutes before the
 * change, and the settle wait lets the rollout's own disconnections leave the 2m window.
 */
export const judges: Record<string, FindingJudge> = {
  [DISCONNECTIONS]: (f) => {
    const { currentStatus, currentPerSec, currentWindow } = f.data as { currentStatus?: Status; currentPerSec?: number; currentWindow?: string };
    if (!currentStatus || currentPerSec === undefined) return undefined;
    return { status: currentStatus, text: `${fmtNumber(currentPerSec, 3)}/s over the last ${currentWindow ?? '?'}` };
  },
};
