import type { CheckResult, Status } from '../../../domain/finding.js';
import type { Check } from '../../types.js';
import { workloadPath, workloadRef } from '../k8s-workload/workload-ref.js';

export const PODS = 'pods';

/** The thresholds a runbook gives this check, from its own params. */
export interface PodsCheckParams {
  podRestartsWarn: number;
}

/**
 * "kubectl get pods": ready, restarts and OOMKilled containers of the workload's pods — "multiple instances
 * affected" and the memory-pressure scenario as Kubernetes sees them.
 */
export const k8sPodsCheck = <P extends PodsCheckParams>(title = 'Pods (restarts, OOMKilled)'): Check<P> => ({
  id: PODS,
  title,
  skipUnless: (ctx) => {
    if (!ctx.integrations.hasK8s()) return 'the catalog names no k8s target for this env';
    if (!workloadRef(ctx.target.k8s) && !ctx.target.k8s?.selector) return 'the k8s target names no workload or pod selector';
    return undefined;
  },
  async run(ctx): Promise<CheckResult> {
    const p = ctx.params;
    const k8sTarget = ctx.target.k8s!;
    const cluster = ctx.integrations.k8s();
    const ref = workloadRef(k8sTarget);
    const namespace = k8sTarget.namespace ?? 'default';
    const evidence = [];
    let selector = k8sTarget.selector;
    if (!selector && ref) {
      selector = (await cluster.readWorkload(ref)).selector;
      evidence.push({ call: `GET ${workloadPath(ref)}`, cli: `kubectl get ${ref.kind} ${ref.name} -n ${ref.namespace} -o wide` });
    }
    const pods = await cluster.listPods(namespace, selector);
    const query = selector ? `?labelSelector=${encodeURIComponent(selector)}` : '';
    evidence.push({
      call: `GET /api/v1/namespaces/${namespace}/pods${query}`,
      cli: `kubectl get pods -n ${namespace}${selector ? ` -l ${selector}` : ''}`,
    });
    if (pods.length === 0) {
      return { status: 'crit', summary: `no pods match ${selector ?? 'the workload'} in namespace ${namespace}`, evidence, data: { pods: 0 } };
    }
    const oomKilled = pods.filter((x) => x.lastTerminationReason === 'OOMKilled');
    const restarting = pods.filter((x) => x.restarts >= p.podRestartsWarn);
    const notReady = pods.filter((x) => !x.ready);
    const crashLooping = pods.filter((x) => x.waitingReason === 'CrashLoopBackOff');
    const status: Status = notReady.length === pods.length ? 'crit' : oomKilled.length + restarting.length + notReady.length > 0 ? 'warn' : 'ok';
    const parts = [`${pods.length - notReady.length}/${pods.length} pods ready`];
    if (crashLooping.length) parts.push(`${crashLooping.length} in CrashLoopBackOff`);
    if (oomKilled.length) parts.push(`${oomKilled.length} last terminated OOMKilled`);
    if (restarting.length) parts.push(`${restarting.length} with ≥${p.podRestartsWarn} restarts`);
    return {
      status,
      summary: parts.join(', '),
      details: [
        {
          kind: 'table',
          columns: ['pod', 'phase', 'ready', 'waiting', 'restarts', 'last termination', 'node'],
          rows: pods.map((x) => [x.name, x.phase, x.ready ? 'yes' : 'no', x.waitingReason ?? '-', String(x.restarts), x.lastTerminationReason ?? '-', x.node ?? '-']),
        },
      ],
      evidence,
      data: {
        pods: pods.length,
        notReady: notReady.length,
        oomKilled: oomKilled.length,
        crashLooping: crashLooping.length,
        maxRestarts: Math.max(...pods.map((x) => x.restarts)),
      },
    };
  },
});
