import type { CheckResult, Evidence } from '../../../domain/finding.js';
import { errorMessage } from '../../../errors.js';
import type { Check, RunbookContext } from '../../types.js';
import { workloadCheck as sharedWorkloadCheck, type WorkloadData } from '../../shared/k8s-workload/workload-check.js';
import { workloadPath, workloadRef } from '../../shared/k8s-workload/workload-ref.js';
import { resolveProbePort, serviceNameFromUrl, type ProbePort } from '../probe-port.js';
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

async function readProbePort(ctx: RunbookContext<WebSocketParams>): Promise<{ evidence: Evidence[]; probePort: ProbePort | undefined } | undefined> {
  const ref = workloadRef(ctx.target.k8s);
  const health = ctx.target.http?.health ? new URL(ctx.target.http.health) : undefined;
  // The probe step is about the health path: without it there is nothing to resolve.
  if (!ref || !health) return undefined;
  const servicePort = Number(health.port || (health.protocol === 'https:' ? 443 : 80));
  const service = serviceNameFromUrl(health) ?? ref.name;
  const cluster = ctx.integrations.k8s();
  const evidence: Evidence[] = [
    {
      call: `GET ${workloadPath(ref)}`,
      cli: `kubectl get ${ref.kind} ${ref.name} -n ${ref.namespace} -o jsonpath='{range .spec.template.spec.containers[*]}{.name}{": "}{.ports}{"\\n"}{end}'`,
    },
    { call: `GET /api/v1/namespaces/${ref.namespace}/services/${service}`, cli: `kubectl get service ${service} -n ${ref.namespace} -o jsonpath='{.spec.ports}'` },
  ];
  const quietly = async <T>(what: string, call: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await call();
    } catch (err) {
      ctx.log.debug({ err: errorMessage(err) }, `${what} not read for the probe port`);
      return undefined;
    }
  };
  const [workload, svc] = await Promise.all([
    quietly('pod template ports', () => cluster.readWorkload(ref)),
    quietly(`Service ${service}`, () => cluster.findService(ref.namespace, service)),
  ]);
  const probePort = workload
    ? resolveProbePort({ containers: workload.containers, container: ctx.target.k8s?.container, service: svc, servicePort })
    : undefined;
  return { evidence, probePort };
}
