import type { Evidence } from '../../domain/finding.js';
import { errorMessage } from '../../errors.js';
import type { RunbookContext } from '../types.js';
import { workloadPath, workloadRef } from '../shared/k8s-workload/workload-ref.js';
import { resolveProbePort, serviceNameFromUrl, type ProbePort } from './probe-port.js';
import type { WebSocketParams } from './params.js';

/** A URL's port, or its scheme's default (80 for http/ws, 443 for https/wss): the Service port it connects to. */
export function urlPort(u: URL): number {
  return Number(u.port || (u.protocol === 'https:' || u.protocol === 'wss:' ? 443 : 80));
}

/**
 * The containerPort behind a catalog URL: the pod template's ports and the Service the URL names (else the one
 * named like the workload), joined by the Service's targetPort (see resolveProbePort). What a command run inside a
 * pod (`kubectl exec … localhost:<port>`) or a probe must name, where the URL's own port is the Service's. Reading
 * either object never fails the caller: undefined probePort then, and the caller says the port is the Service's.
 */
export async function readContainerPort(
  ctx: RunbookContext<WebSocketParams>,
  url: URL,
): Promise<{ evidence: Evidence[]; probePort: ProbePort | undefined } | undefined> {
  const ref = workloadRef(ctx.target.k8s);
  if (!ref) return undefined;
  const service = serviceNameFromUrl(url) ?? ref.name;
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
      ctx.log.debug({ err: errorMessage(err) }, `${what} not read for the container port`);
      return undefined;
    }
  };
  const [workload, svc] = await Promise.all([
    quietly('pod template ports', () => cluster.readWorkload(ref)),
    quietly(`Service ${service}`, () => cluster.findService(ref.namespace, service)),
  ]);
  const probePort = workload
    ? resolveProbePort({ containers: workload.containers, container: ctx.target.k8s?.container, service: svc, servicePort: urlPort(url) })
    : undefined;
  return { evidence, probePort };
}
