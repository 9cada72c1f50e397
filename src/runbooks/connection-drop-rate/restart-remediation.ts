import type { FindingsById, Remediation } from '../types.js';
import type { DropRateParams } from './params.js';
import { DROP_RATE, describeCurrent, type DropRateData } from './checks/drop-rate.js';
import { FILE_DESCRIPTORS } from '../shared/checks/file-descriptors.js';
import { MEMORY } from '../shared/checks/memory.js';
import { PODS } from '../shared/checks/k8s-pods.js';
import { isBad } from '../shared/finding-data.js';
import { restartWorkloadRemediation } from '../shared/k8s-workload/restart-workload.js';
import type { FindingJudge } from '../shared/k8s-workload/verify-after.js';
import { WORKLOAD } from '../shared/k8s-workload/workload-check.js';

/**
 * What a restart is offered for (Scenario 2): connections dropping above the alert threshold while descriptors or
 * memory are under pressure, or pods were OOMKilled. A restart hands back leaked descriptors and memory for a
 * while; it fixes neither a limit that is too low nor the network, so drops alone are no reason. The drop rate
 * and whichever resource was short are re-measured and must be back under their lines.
 */
export function restartTriggers(byId: FindingsById, _p?: DropRateParams): string[] {
  if (byId.get(DROP_RATE)?.status !== 'crit') return [];
  const fds = isBad(byId.get(FILE_DESCRIPTORS));
  const memory = isBad(byId.get(MEMORY));
  const oom = Number(byId.get(PODS)?.data.oomKilled ?? 0) > 0;
  if (!fds && !memory && !oom) return [];
  return [DROP_RATE, ...(fds ? [FILE_DESCRIPTORS] : []), ...(memory ? [MEMORY] : [])];
}

/**
 * The drop rate is verified on its current rate — since the rollout finished — not on the rateWindow one: that
 * still holds the drops before the restart, and the reconnect burst of the rollout, which inflates new
 * connections and can pull the ratio under the threshold while nothing is fixed. No current rate: not verified.
 */
export const judges: Record<string, FindingJudge> = {
  [DROP_RATE]: (f) => {
    const d = f.data as Partial<DropRateData>;
    if (d.currentStatus === undefined || d.currentPct === undefined) {
      return { status: 'unknown', text: `no drop rate measured over the last ${d.currentWindow ?? '?'}${d.currentSince ? ' since the rollout finished' : ''}` };
    }
    return { status: d.currentStatus, text: describeCurrent({ currentPct: d.currentPct, currentWindow: d.currentWindow ?? '?', currentSince: d.currentSince }) ?? '' };
  },
};

/**
 * `kubectl rollout restart` then `kubectl rollout status` (Scenario 2's restart). Recovered when the rollout is
 * through — every pod replaced, ready, none restarting (the workload and pods checks must be ok, so new pods that
 * crash-loop are never "verified") — and what it was offered for is back under its line, the drop rate judged
 * only on the time after the rollout.
 */
export const restartWorkload = restartWorkloadRemediation<DropRateParams>({
  applies: (byId, p) => restartTriggers(byId, p).length > 0,
  verifyChecks: [WORKLOAD, PODS],
  alsoShow: [FILE_DESCRIPTORS, MEMORY],
  triggeredBy: restartTriggers,
  judges,
  notes: (ctx) => [
    'Every connection on a replaced pod is closed and its clients reconnect: new connections/s jump during the rollout, which makes a drop rate over a window that includes it read low.',
    `Verified ${ctx.params.verifySettleSeconds} s after the rollout has finished, on the drop rate since then (at most the last ${ctx.params.currentRateWindow}), not on the ${ctx.params.rateWindow} rate; every pod must be ready and none restarting.`,
    'A restart frees leaked descriptors and memory but does not raise a limit: apply the manual steps to make it last.',
  ],
});

export const rolloutRestart: Remediation<DropRateParams> = {
  ...restartWorkload,
  // After the rollout: the new pods take traffic, and the current drop rate gets a window of its own.
  settleMs: (p) => p.verifySettleSeconds * 1000,
};
