import type { FindingsById, ManualStep, RunbookContext } from '../types.js';
import type { DropRateParams } from './params.js';
import { DROP_RATE } from './checks/drop-rate.js';
import { FILE_DESCRIPTORS } from '../shared/checks/file-descriptors.js';
import { MEMORY, containerName } from '../shared/checks/memory.js';
import { PODS } from '../shared/checks/k8s-pods.js';
import { workloadRef } from '../shared/k8s-workload/workload-ref.js';
import { measured } from '../shared/finding-data.js';
import { WORKLOAD, type WorkloadData } from '../shared/k8s-workload/workload-check.js';
import { restartWorkload } from './restart-remediation.js';

const notOk = (byId: FindingsById, id: string) => {
  const f = byId.get(id);
  return f !== undefined && !f.skipped && f.status !== 'ok';
};
const bad = (byId: FindingsById, id: string) => ['warn', 'crit'].includes(byId.get(id)?.status ?? '');
/** Metrics the report could not read: the person has to look by hand. */
const unread = (byId: FindingsById, id: string) => ['unknown', 'error'].includes(byId.get(id)?.status ?? '');

/**
 * The runbook's steps no API can take — node counters, limits.conf, systemd, sysctl, the pod spec — filled in
 * with this service's names and the runbook's values, shown when the findings point at them.
 */
export function dropRateManualSteps(ctx: RunbookContext<DropRateParams>, byId: FindingsById): ManualStep[] {
  const p = ctx.params;
  const svc = ctx.service;
  const ref = workloadRef(ctx.target.k8s);
  const exec = ref ? `kubectl exec -n ${ref.namespace} ${ref.kind}/${ref.name} -- ` : '';
  const dropsNotOk = notOk(byId, DROP_RATE);
  const steps: ManualStep[] = [];

  if (dropsNotOk) {
    steps.push({
      title: 'Check the network on the hosts (runbook: Network Issues)',
      why: 'interface drops and TCP counters live on the node and in the pod network namespace; no API connbot uses reads them',
      commands: [`${exec}cat /proc/net/dev | grep -E "(drop|err)"`, `${exec}ss -s`, `${exec}netstat -s | grep -i drop`],
    });
  }

  if (dropsNotOk && unread(byId, FILE_DESCRIPTORS)) {
    steps.push({
      title: 'Check file descriptor usage by hand (runbook: Resource Constraints)',
      why: `${byId.get(FILE_DESCRIPTORS)?.summary ?? 'no descriptor metrics'}, so descriptor exhaustion is neither confirmed nor ruled out`,
      // In a container the service is PID 1 and lsof is rarely installed; on a host, the runbook's commands.
      commands: exec ? [`${exec}sh -c 'ls /proc/1/fd | wc -l; ulimit -n'`] : [`lsof -p $(pgrep ${svc}) | wc -l`, 'ulimit -n'],
    });
  }
  if (bad(byId, FILE_DESCRIPTORS)) {
    steps.push({
      title: `Raise the file descriptor limit to ${p.nofileLimit} (Scenario 1)`,
      why: `${byId.get(FILE_DESCRIPTORS)?.summary ?? 'descriptor usage unknown'}; limits.conf and systemd units are host files`,
      commands: [
        `echo "${svc} soft nofile ${p.nofileLimit}" >> /etc/security/limits.conf`,
        `echo "${svc} hard nofile ${p.nofileLimit}" >> /etc/security/limits.conf`,
        `mkdir -p /etc/systemd/system/${svc}.service.d/`,
        `echo -e "[Service]\\nLimitNOFILE=${p.nofileLimit}" > /etc/systemd/system/${svc}.service.d/limits.conf`,
        'systemctl daemon-reload',
        `systemctl restart ${svc}`,
      ],
    });
  }

  const oom = Number(byId.get(PODS)?.data.oomKilled ?? 0) > 0;
  if (dropsNotOk && unread(byId, MEMORY) && !oom) {
    steps.push({
      title: 'Check memory pressure by hand (runbook: Resource Constraints)',
      why: `${byId.get(MEMORY)?.summary ?? 'no memory metrics'}, so memory pressure is neither confirmed nor ruled out`,
      commands: [`${exec}free -h`, `${exec}cat /proc/meminfo | grep -i available`],
    });
  }
  // A restart would be offered, but an OnDelete StatefulSet replaces no pod on a new template: by hand instead.
  const restartByHand = restartWorkload.manualStepInstead(ctx, byId);
  if (restartByHand) steps.push(restartByHand);

  const memPressure = bad(byId, MEMORY) || oom;
  const container = containerName(ctx);
  if (memPressure && ref && container) {
    const patch = JSON.stringify({
      spec: { template: { spec: { containers: [{ name: container, resources: { limits: { memory: p.memoryLimit } } }] } } },
    });
    const onDelete = measured<WorkloadData>(byId, WORKLOAD)?.data.updateStrategy === 'OnDelete';
    steps.push({
      title: `Raise the memory limit to ${p.memoryLimit} and tune GOGC (Scenario 2)`,
      why:
        `${byId.get(MEMORY)?.summary ?? 'memory unknown'}${oom ? '; pods were OOMKilled' : ''}; changing the pod spec is a deploy decision, so it is not offered as a button` +
        (onDelete ? `; ${ref.kind}/${ref.name} uses OnDelete, so each pod takes the new spec only when it is deleted: delete them one by one, each ready before the next` : ''),
      commands: [
        `kubectl patch ${ref.kind} ${ref.name} -n ${ref.namespace} -p '${patch}'`,
        `kubectl set env ${ref.kind}/${ref.name} -n ${ref.namespace} GOGC=${p.gogc}`,
        ...(onDelete ? [] : [`kubectl rollout restart ${ref.kind}/${ref.name} -n ${ref.namespace}`]),
      ],
    });
  }

  const resourcesFine = !bad(byId, FILE_DESCRIPTORS) && !bad(byId, MEMORY) && !oom;
  if (byId.get(DROP_RATE)?.status === 'crit' && resourcesFine) {
    steps.push({
      title: 'Raise the TCP backlogs (Scenario 3: network configuration)',
      why: 'connections drop while descriptors and memory are fine; sysctl changes the node kernel, which connbot never touches',
      commands: [
        `sysctl -w net.core.somaxconn=${p.somaxconn}`,
        `sysctl -w net.ipv4.tcp_max_syn_backlog=${p.tcpMaxSynBacklog}`,
        `sysctl -w net.core.netdev_max_backlog=${p.netdevMaxBacklog}`,
        `echo "net.core.somaxconn = ${p.somaxconn}" >> /etc/sysctl.conf`,
        `echo "net.ipv4.tcp_max_syn_backlog = ${p.tcpMaxSynBacklog}" >> /etc/sysctl.conf`,
        'sysctl -p',
      ],
    });
  }
  return steps;
}
