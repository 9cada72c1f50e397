import type { FindingsById, ManualStep, RunbookContext } from '../types.js';
import { fmtNumber } from '../shared/evidence.js';
import { workloadRef } from '../shared/k8s-workload/workload-ref.js';
import type { ConnectionErrorsParams } from './params.js';
import { connectionLimitReached, loadBalancerIssues, networkIssues, resourceExhaustion } from './causes.js';
import { readSignals } from './signals.js';
import { execPrefix, serviceName, servicePort } from './service-names.js';

/** config.yml's default and the runbook's example value. */
const RUNBOOK_MAX_CONNECTIONS = 10_000;

/**
 * The runbook's steps that no API connbot holds can take — config.yml, limits.conf, the Service in front of the
 * pods — with this service's names and values filled in, shown when a cause points at them.
 */
export function connectionErrorsManualSteps(ctx: RunbookContext<ConnectionErrorsParams>, byId: FindingsById): ManualStep[] {
  const p = ctx.params;
  const t = ctx.target;
  const s = readSignals(byId);
  const ref = workloadRef(t.k8s);
  const namespace = t.k8s?.namespace ?? 'default';
  const workload = ref ? `${ref.kind} ${ref.name}` : ctx.service;
  const selector = t.k8s?.selector ?? s.workload?.selector;
  const exec = execPrefix(t);
  const port = servicePort(t) ?? '15002';
  const svc = serviceName(t, ctx.service);
  const steps: ManualStep[] = [];

  const limit = connectionLimitReached.assess(byId, p);
  const resources = resourceExhaustion.assess(byId, p);
  const fdsShort = (s.logs?.signals.tooManyOpenFiles ?? 0) > 0;

  if (limit) {
    // Doubling is a step an operator can reason about; below the runbook's own 10000, go to 10000 first.
    const raised = p.maxConnections < RUNBOOK_MAX_CONNECTIONS ? RUNBOOK_MAX_CONNECTIONS : p.maxConnections * 2;
    steps.push({
      title: `Raise max_connections to ${fmtNumber(raised)} in config.yml (Resolution step 2)`,
      why: `${limit.explanation} config.yml is the service's own file (in its image or ConfigMap); connbot does not edit it. Update params.maxConnections in the catalog to match.`,
      commands: [
        ['# config.yml', 'server:', `  max_connections: ${raised}`, `  connection_timeout: ${p.connectionTimeoutSeconds}`, `  keepalive_timeout: ${p.keepaliveTimeoutSeconds}`].join('\n'),
        ...(ref ? [`kubectl rollout restart ${ref.kind} ${ref.name} -n ${namespace}`, `kubectl rollout status ${ref.kind}/${ref.name} -n ${namespace}`] : []),
      ],
    });
  }

  if (limit || fdsShort) {
    steps.push({
      title: `Raise the file descriptor limit to ${p.nofileLimit} (Resolution step 3)`,
      why: `${fdsShort ? `the logs say "too many open files" (${s.logs!.signals.tooManyOpenFiles}×)` : 'every connection holds a descriptor, so more connections need a higher nofile limit'}; limits.conf is a host file (in Kubernetes the node's container runtime sets the pods' limit)`,
      commands: [
        `${exec}sh -c 'ulimit -n; ls /proc/1/fd | wc -l'`,
        `echo "* soft nofile ${p.nofileLimit}" >> /etc/security/limits.conf`,
        `echo "* hard nofile ${p.nofileLimit}" >> /etc/security/limits.conf`,
        `ulimit -n ${p.nofileLimit}`,
      ],
    });
  }

  if (resources) {
    steps.push({
      title: 'Check resource limits (Immediate action 2)',
      why: `${resources.explanation} Memory and CPU limits live in the pod spec, a deploy decision, so they are not a button.`,
      commands: [
        `kubectl top pod -n ${namespace}${selector ? ` -l ${selector}` : ''}`,
        `kubectl describe ${workload.replace(' ', '/')} -n ${namespace} | grep -A4 -i limits`,
        `${exec}free -h`,
      ],
    });
  }

  const network = networkIssues.assess(byId, p);
  if (network) {
    const host = t.http?.health ? new URL(t.http.health).hostname : svc;
    steps.push({
      title: 'Check the network path to the service (Cause 4: firewall, DNS, congestion)',
      why: `${network.explanation} DNS, network policies and firewalls are seen from a client, not from an API.`,
      commands: [
        `kubectl run -n ${namespace} conn-check --rm -it --restart=Never --image=busybox:1.36 -- nslookup ${host}`,
        `kubectl get endpoints ${svc} -n ${namespace}`,
        `kubectl get networkpolicy -n ${namespace}`,
        ...(t.http?.health ? [`curl -v ${t.http.health}`] : []),
        `${exec}sh -c 'ss -an | grep ${port} | wc -l'`,
      ],
    });
  }

  const lb = loadBalancerIssues.assess(byId, p);
  if (lb) {
    const affinity = JSON.stringify({ spec: { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: p.sessionAffinityTimeoutSeconds } } } });
    steps.push({
      title: 'Fix the load balancer (Resolution step 5)',
      why: `${lb.explanation} Check the Service's endpoints (an empty backend pool), the cloud load balancer's health checks, then pin clients to one backend.`,
      commands: [
        `kubectl get service ${svc} -n ${namespace} -o yaml`,
        `kubectl get endpoints ${svc} -n ${namespace}`,
        [
          '# Kubernetes Service',
          'apiVersion: v1',
          'kind: Service',
          'metadata:',
          `  name: ${svc}`,
          `  namespace: ${namespace}`,
          'spec:',
          '  type: LoadBalancer',
          '  sessionAffinity: ClientIP',
          '  sessionAffinityConfig:',
          '    clientIP:',
          `      timeoutSeconds: ${p.sessionAffinityTimeoutSeconds}`,
        ].join('\n'),
        `kubectl patch service ${svc} -n ${namespace} -p '${affinity}'`,
      ],
    });
  }
  return steps;
}
