import type { FindingsById, ManualStep, RunbookContext } from '../types.js';
import { fmtNumber } from '../shared/evidence.js';
import { workloadRef } from '../shared/k8s-workload/workload-ref.js';
import type { ConnectionErrorsParams } from './params.js';
import { connectionLimitReached, loadBalancerIssues, networkIssues, resourceExhaustion } from './causes.js';
import { readSignals } from './signals.js';
import { execPrefix, serviceName, servicePort } from './service-names.js';
import type { WorkloadRef } from '../../integrations/k8s/k8s-cluster.js';

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
  const fdsShort = s.fdsBad || (s.logs?.signals.tooManyOpenFiles ?? 0) > 0;

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
    const why = fdsShort
      ? s.fdsBad && s.fds
        ? `${fmtNumber(s.fds.worstOpen)} of ${fmtNumber(s.fds.worstMax)} descriptors are open (${fmtNumber(s.fds.worstPct, 1)}%)`
        : `the logs say "too many open files" (${s.logs?.signals.tooManyOpenFiles ?? 0}×)`
      : 'every connection holds a descriptor, so more connections need a higher nofile limit';
    steps.push({
      title: `Raise the file descriptor limit to ${p.nofileLimit} (Resolution step 3)`,
      why: ref
        ? `${why}. In Kubernetes a container's limit comes from the container runtime on the node, not from limits.conf (which only applies to login sessions), so it is raised on each node that runs the pods, or in the image's entrypoint up to the hard limit the runtime allows; then the pods are replaced.`
        : `${why}. limits.conf and ulimit are settings of the host that runs ${ctx.service}.`,
      commands: ref ? nofileInKubernetes(exec, namespace, selector, ref, p.nofileLimit) : nofileOnHost(ctx.service, p.nofileLimit),
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
        ...(exec ? [`${exec}top -b -n 1`] : [`top -b -n 1 -p $(pgrep ${ctx.service})`]),
        ...(s.fdsBad || fdsShort ? [`${exec}sh -c 'ulimit -n; ls /proc/1/fd | wc -l'`] : []),
        ...(s.cpuThrottlingBad ? [`${exec}sh -c 'cat /sys/fs/cgroup/cpu.stat 2>/dev/null || cat /sys/fs/cgroup/cpu/cpu.stat'`] : []),
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
      why: s.poolEmpty
        ? `${lb.explanation} Compare the Service's selector with the pods' labels and fix whichever is wrong; a backend pool fills as soon as they match.`
        : `${lb.explanation} Check the Service's endpoints (an empty backend pool), the cloud load balancer's health checks, then pin clients to one backend.`,
      commands: [
        `kubectl get service ${svc} -n ${namespace} -o yaml`,
        `kubectl get endpoints ${svc} -n ${namespace}`,
        ...(s.poolEmpty
          ? [
              `kubectl get service ${svc} -n ${namespace} -o jsonpath='{.spec.selector}'`,
              `kubectl get pods -n ${namespace}${selector ? ` -l ${selector}` : ''} --show-labels`,
            ]
          : []),
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

/** Where a container's nofile limit is set: the node's container runtime, or the image's entrypoint. */
function nofileInKubernetes(exec: string, namespace: string, selector: string | undefined, ref: WorkloadRef, n: number): string[] {
  const dropIn = '/etc/systemd/system/containerd.service.d/nofile.conf';
  return [
    `# In a pod: the limit the service runs with, and the descriptors it holds\n${exec}sh -c 'ulimit -n; ls /proc/1/fd | wc -l'`,
    `# The nodes that run the pods\nkubectl get pods -n ${namespace}${selector ? ` -l ${selector}` : ''} -o custom-columns=POD:.metadata.name,NODE:.spec.nodeName`,
    [
      '# On each of those nodes (ssh or a node shell): the container runtime gives containers their limit (containerd shown; CRI-O: default_ulimits in crio.conf)',
      `sudo mkdir -p ${dropIn.slice(0, dropIn.lastIndexOf('/'))}`,
      `printf '[Service]\\nLimitNOFILE=${n}\\n' | sudo tee ${dropIn}`,
      'sudo systemctl daemon-reload && sudo systemctl restart containerd',
    ].join('\n'),
    `# Or in the container image's entrypoint, before the service starts (up to the hard limit the runtime allows)\nulimit -n ${n}`,
    `# Then replace the pods, so they start under the new limit\nkubectl rollout restart ${ref.kind} ${ref.name} -n ${ref.namespace}`,
  ];
}

/** The runbook's own commands, on the host that runs the service (systemd units set their limit themselves). */
function nofileOnHost(service: string, n: number): string[] {
  return [
    `# On the host that runs ${service}: the limit the running process has\ngrep 'open files' /proc/$(pgrep ${service})/limits`,
    [`# On that host, as root (applies to new login sessions)`, `echo "* soft nofile ${n}" >> /etc/security/limits.conf`, `echo "* hard nofile ${n}" >> /etc/security/limits.conf`].join('\n'),
    `# On that host, when ${service} runs under systemd (limits.conf does not apply to units): add LimitNOFILE=${n} under [Service]\nsudo systemctl edit ${service} && sudo systemctl restart ${service}`,
    `# In the shell on that host that starts ${service} by hand (applies to that shell and what it starts)\nulimit -n ${n}`,
  ];
}
