import type { CheckResult, Evidence } from '../../../domain/finding.js';
import type { Check, RunbookContext } from '../../types.js';
import { workloadCheck as sharedWorkloadCheck, type WorkloadData } from '../../shared/k8s-workload/workload-check.js';
import type { ProbePort } from '../probe-port.js';
import { readContainerPort } from '../container-port.js';
import type { WebSocketParams } from '../params.js';

export { WORKLOAD } from '../../shared/k8s-workload/workload-check.js';

export interface WebSocketWorkloadData extends WorkloadData {
  /** The containerPort a probe on the health path should name (Step 4.3); absent when the pod spec does not say. */
  probePort?: ProbePort;
}

const shared = sharedWorkloadCheck<WebSocketParams>();

/**
 * Step 1.2 "kubectl get pods" at the workload level: replicas asked for and ready (the shared check), plus the
 * containers' ports and the Service's targetPort, so that Step 4.3's probe patch names the container's real port
 * rather than the Service URL's. Reading those never fails the check: without them the patch says to check the port.
 */
export const workloadCheck: Check<WebSocketParams> = {
  ...shared,
  async run(ctx): Promise<CheckResult> {
    const [result, ports] = await Promise.all([shared.run(ctx), readProbePort(ctx)]);
    if (!ports) return result;
    return {
      ...result,
      evidence: [...(result.evidence ?? []), ...ports.evidence],
      ...(ports.probePort ? { data: { ...result.data, probePort: ports.probePort } } : {}),
    };
  },
};

/** The probe step is about the health path: without a health URL there is nothing to resolve. */
async function readProbePort(ctx: RunbookContext<WebSocketParams>): Promise<{ evidence: Evidence[]; probePort: ProbePort | undefined } | undefined> {
  const health = ctx.target.http?.health;
  return health ? readContainerPort(ctx, new URL(health)) : undefined;
}
