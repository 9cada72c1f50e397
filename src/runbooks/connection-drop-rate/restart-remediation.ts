import { ConnbotError } from '../../errors.js';
import type { FindingsById, Remediation, RemediationPlan, VerificationOutcome } from '../types.js';
import type { DropRateParams } from './params.js';
import { DROP_RATE } from './checks/drop-rate.js';
import { FILE_DESCRIPTORS } from '../shared/checks/file-descriptors.js';
import { MEMORY } from '../shared/checks/memory.js';
import { PODS } from '../shared/checks/k8s-pods.js';
import { describeWorkload, workloadPath, workloadRef } from '../shared/k8s-workload/workload-ref.js';
import { workloadTargetKey } from '../shared/k8s-workload/plan-workload.js';

const bad = (byId: FindingsById, id: string) => {
  const f = byId.get(id);
  return f !== undefined && !f.skipped && (f.status === 'warn' || f.status === 'crit');
};

/**
 * `kubectl rollout restart` (Scenario 2). A restart hands back leaked descriptors and memory for a while; it
 * fixes neither a limit that is too low nor the network, so it is offered only when drops coincide with
 * descriptor or memory pressure.
 */
export const rolloutRestart: Remediation<DropRateParams> = {
  id: 'rollout-restart',
  title: 'Rolling restart of the workload',
  risk: 'medium',
  // The pods need time to be replaced and to take traffic before the drop rate means anything again.
  settleMs: (p) => p.verifySettleSeconds * 1000,
  applies(byId, _p, ctx) {
    if (!ctx.integrations.hasK8s() || !workloadRef(ctx.target.k8s)) return false;
    if (byId.get(DROP_RATE)?.status !== 'crit') return false;
    const oom = Number(byId.get(PODS)?.data.oomKilled ?? 0) > 0;
    return bad(byId, FILE_DESCRIPTORS) || bad(byId, MEMORY) || oom;
  },
  plan(ctx): RemediationPlan {
    const ref = workloadRef(ctx.target.k8s);
    if (!ref) throw new ConnbotError('TARGET_NOT_CONFIGURED', 'the k8s target names no deployment or statefulset');
    return {
      remediationId: 'rollout-restart',
      title: `Rolling restart of ${describeWorkload(ref)}`,
      risk: 'medium',
      summary: `Replace every pod of ${ref.kind}/${ref.name} one by one, as kubectl rollout restart does`,
      steps: [
        `PATCH ${workloadPath(ref)} (strategic merge): set spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"] to the current time`,
        `equivalent: kubectl rollout restart ${ref.kind}/${ref.name} -n ${ref.namespace}`,
      ],
      params: { namespace: ref.namespace, kind: ref.kind, name: ref.name },
      verifyChecks: [DROP_RATE, FILE_DESCRIPTORS, MEMORY],
      notes: [
        `The drop rate is a rate over ${ctx.params.rateWindow}; it includes pre-restart drops until that window has passed.`,
        'A restart frees leaked descriptors and memory but does not raise a limit: apply the manual steps to make it last.',
      ],
      targetKey: workloadTargetKey(ref, ctx.target.k8s?.context),
    };
  },
  async execute(ctx, plan) {
    const { namespace, kind, name } = plan.params as { namespace: string; kind: 'deployment' | 'statefulset'; name: string };
    const stamp = await ctx.integrations.k8s().restartWorkload({ namespace, kind, name });
    ctx.changed?.(`requested a rolling restart of ${kind}/${name} -n ${namespace} at ${stamp}`);
    return { summary: `restart of ${kind}/${name} -n ${namespace} requested at ${stamp}` };
  },
  verify(_plan, before, after): VerificationOutcome {
    const b = before.get(DROP_RATE);
    const a = after.get(DROP_RATE);
    const line = (id: string) => {
      const x = after.get(id);
      return x ? `${x.title}: ${before.get(id)?.status ?? '?'} → ${x.status}` : undefined;
    };
    const lines = [DROP_RATE, FILE_DESCRIPTORS, MEMORY].map(line).filter((l) => l !== undefined);
    const ok = a?.status === 'ok';
    return {
      ok,
      summary: `${ok ? 'drop rate back under the threshold' : `drop rate still ${a?.status ?? 'unmeasured'}${b ? ` (was ${b.status})` : ''}`} — ${lines.join('; ')}`,
    };
  },
};
