import type { CheckResult, Evidence, Status } from '../../../domain/finding.js';
import type { Check, RunbookContext } from '../../types.js';

export const SERVICE_ENDPOINTS = 'service-endpoints';

export interface ServiceEndpointsData {
  service: string;
  type: string;
  /** The Service's pod selector, `k=v,…`; undefined when its endpoints are managed by hand. */
  selector: string | undefined;
  ready: number;
  notReady: number;
  terminating: number;
  /** LoadBalancer Services: the provisioned ingress hostnames/IPs. */
  loadBalancerIngress: string[];
}

/**
 * "Backend pool empty": the Service's ready endpoints, from its EndpointSlices — what kube-proxy and a cloud
 * load balancer send connections to. Pods can all be ready and still receive nothing when the Service's selector
 * no longer matches them.
 */
export const serviceEndpointsCheck = <P>(serviceName: (ctx: RunbookContext<P>) => string, title = 'Service endpoints (backend pool)'): Check<P> => ({
  id: SERVICE_ENDPOINTS,
  title,
  skipUnless: (ctx) => {
    if (!ctx.integrations.hasK8s()) return 'the catalog names no k8s target for this env';
    return ctx.target.k8s?.namespace ? undefined : 'the k8s target names no namespace';
  },
  async run(ctx): Promise<CheckResult> {
    const namespace = ctx.target.k8s!.namespace!;
    const name = serviceName(ctx);
    const cluster = ctx.integrations.k8s();
    const evidence: Evidence[] = [
      { call: `GET /api/v1/namespaces/${namespace}/services/${name}`, cli: `kubectl get service ${name} -n ${namespace} -o wide` },
    ];
    const svc = await cluster.findService(namespace, name);
    if (!svc) {
      return {
        status: 'unknown',
        summary: `no Service ${name} in namespace ${namespace} (the name is taken from the catalog's http URL host): its backend pool was not read`,
        evidence,
      };
    }
    if (svc.type === 'ExternalName') {
      return { status: 'unknown', summary: `Service ${name} is an ExternalName alias: it has no backend pool of its own`, evidence };
    }
    evidence.push({
      call: `GET /apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices?labelSelector=${encodeURIComponent(`kubernetes.io/service-name=${name}`)}`,
      cli: `kubectl get endpointslices -n ${namespace} -l kubernetes.io/service-name=${name} -o wide`,
    });
    const endpoints = await cluster.listServiceEndpoints(namespace, name);
    const ready = endpoints.filter((e) => e.ready && !e.terminating);
    const terminating = endpoints.filter((e) => e.terminating);
    const notReady = endpoints.filter((e) => !e.ready && !e.terminating);
    const data: ServiceEndpointsData = {
      service: name,
      type: svc.type,
      selector: svc.selector,
      ready: ready.length,
      notReady: notReady.length,
      terminating: terminating.length,
      loadBalancerIngress: svc.loadBalancerIngress,
    };
    const lbPending = svc.type === 'LoadBalancer' && svc.loadBalancerIngress.length === 0;
    const parts = [`${ready.length} ready`];
    if (notReady.length) parts.push(`${notReady.length} not ready`);
    if (terminating.length) parts.push(`${terminating.length} terminating`);
    const selector = svc.selector ? `selector ${svc.selector}` : 'no selector (endpoints managed by hand)';
    let status: Status = 'ok';
    let summary = `Service ${name} (${svc.type}, ${selector}): ${parts.join(', ')} endpoint(s)`;
    if (ready.length === 0) {
      status = 'crit';
      summary = `Service ${name} has no ready endpoints — the backend pool is empty (${parts.slice(1).join(', ') || 'none listed'}; ${selector})`;
    } else if (notReady.length > 0 || lbPending) {
      status = 'warn';
    }
    if (lbPending) summary += '; no load balancer ingress provisioned (EXTERNAL-IP pending)';
    else if (svc.loadBalancerIngress.length > 0) summary += `; load balancer ${svc.loadBalancerIngress.join(', ')}`;
    return {
      status,
      summary,
      details: [
        {
          kind: 'table',
          columns: ['endpoint', 'addresses', 'ready', 'terminating', 'node'],
          rows: endpoints.map((e) => [e.name, e.addresses.join(' '), e.ready ? 'yes' : 'no', e.terminating ? 'yes' : 'no', e.node ?? '-']),
          caption: `ports ${svc.ports.join(', ') || '-'}`,
        },
      ],
      evidence,
      data: { ...data },
    };
  },
});
