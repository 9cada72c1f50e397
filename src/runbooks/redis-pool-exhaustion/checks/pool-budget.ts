import type { Evidence, Status } from '../../../domain/finding.js';
import { errorMessage } from '../../../errors.js';
import type { WorkloadRef } from '../../../integrations/k8s/k8s-cluster.js';
import type { Check } from '../../types.js';
import { readClientCounts } from '../client-counts.js';
import { pct } from '../format.js';
import type { RedisPoolParams } from '../params.js';
import { kubectl, redisCli } from '../redis-cli.js';

export interface PoolBudgetWorkload {
  namespace: string;
  kind: WorkloadRef['kind'];
  name: string;
  poolSize: number;
  /** spec.replicas: what the pool budget is sized for (a rollout's surge pods add to it briefly). */
  replicas: number;
  readyReplicas: number;
  connections: number;
  /** The workload's matchLabels as a label selector (for the log commands of the manual steps). */
  selector: string | undefined;
}

export interface PoolBudgetData {
  budget: number;
  maxclients: number | undefined;
  budgetPct: number | undefined;
  connected: number;
  workloads: PoolBudgetWorkload[];
  failed: Array<{ workload: string; error: string }>;
  totalReplicas: number;
  /** The largest per-pod pool that keeps Σ replicas × poolSize within poolBudgetPct of maxclients. */
  suggestedPoolSize: number | undefined;
}

/** Runbook "Pool Size Too Large": (replicas × max_connections) < Redis maxclients, for every app that connects. */
export const poolBudgetCheck: Check<RedisPoolParams> = {
  id: 'pool-budget',
  title: 'Pool budget: Σ replicas × poolSize vs maxclients',
  skipUnless: (ctx) => {
    if (!ctx.integrations.hasK8s()) {
      return 'no k8s target in the catalog for this env, so the client apps’ replicas (× poolSize) cannot be read';
    }
    if (!ctx.target.k8s?.clients?.length) {
      return 'the catalog names no k8s.clients (the apps that connect, with their poolSize) for this env';
    }
    return undefined;
  },
  async run(ctx) {
    const p = ctx.params;
    const clients = ctx.target.k8s?.clients ?? [];
    const cluster = ctx.integrations.k8s();
    const refs = clients.map((c) => ({
      ref: {
        namespace: c.namespace,
        kind: c.deployment ? ('deployment' as const) : ('statefulset' as const),
        name: (c.deployment ?? c.statefulset)!,
      },
      poolSize: c.poolSize,
    }));
    const [counts, ...reads] = await Promise.all([
      readClientCounts(ctx.integrations.redis()),
      ...refs.map(({ ref }) => cluster.readWorkload(ref).then((w) => ({ ok: true as const, w }), (err: unknown) => ({ ok: false as const, err }))),
    ]);
    const workloads: PoolBudgetWorkload[] = [];
    const failed: PoolBudgetData['failed'] = [];
    refs.forEach(({ ref, poolSize }, i) => {
      const r = reads[i]!;
      if (!r.ok) {
        failed.push({ workload: `${ref.kind}/${ref.name} -n ${ref.namespace}`, error: errorMessage(r.err) });
        return;
      }
      workloads.push({
        namespace: ref.namespace,
        kind: ref.kind,
        name: ref.name,
        poolSize,
        replicas: r.w.desiredReplicas,
        readyReplicas: r.w.readyReplicas,
        connections: r.w.desiredReplicas * poolSize,
        selector: r.w.selector,
      });
    });
    const budget = workloads.reduce((s, w) => s + w.connections, 0);
    const totalReplicas = workloads.reduce((s, w) => s + w.replicas, 0);
    const { maxclients } = counts;
    const budgetPct = maxclients ? pct(budget, maxclients) : undefined;
    const suggestedPoolSize =
      maxclients && totalReplicas > 0 ? Math.max(1, Math.floor((maxclients * p.poolBudgetPct) / 100 / totalReplicas)) : undefined;
    const data: PoolBudgetData = {
      budget,
      maxclients,
      budgetPct,
      connected: counts.connected,
      workloads,
      failed,
      totalReplicas,
      suggestedPoolSize,
    };
    const evidence: Evidence[] = [
      ...refs.map(({ ref }) => ({
        call: `GET /apis/apps/v1/namespaces/${ref.namespace}/${ref.kind}s/${ref.name}`,
        cli: kubectl(ctx.target, `get ${ref.kind} -n ${ref.namespace} ${ref.name} -o jsonpath='{.spec.replicas}'`),
      })),
      { call: counts.calls.join(' + '), cli: redisCli(ctx.target, 'config get maxclients') },
    ];
    const rows = workloads.map((w) => [
      `${w.kind}/${w.name}`,
      w.namespace,
      String(w.replicas),
      String(w.readyReplicas),
      String(w.poolSize),
      String(w.connections),
    ]);
    for (const f of failed) rows.push([f.workload, '', '?', '?', '?', `not read: ${f.error}`]);
    const details = [
      {
        kind: 'table' as const,
        caption: `Pool budget against maxclients ${maxclients ?? '?'} (warning at ${p.poolBudgetPct}%)`,
        columns: ['Workload', 'Namespace', 'Replicas', 'Ready', 'Pool size', 'Connections'],
        rows: [...rows, ['Σ', '', String(totalReplicas), '', '', String(budget)]],
      },
    ];
    if (workloads.length === 0) {
      return {
        status: 'error',
        summary: `no client workload could be read: ${failed.map((f) => `${f.workload}: ${f.error}`).join('; ')}`,
        details,
        evidence,
        data: { ...data },
      };
    }
    const formula = workloads.map((w) => `${w.replicas}×${w.poolSize}`).join(' + ');
    let status: Status =
      budgetPct === undefined ? 'unknown' : budgetPct > 100 ? 'crit' : budgetPct >= p.poolBudgetPct ? 'warn' : 'ok';
    // A budget that looks fine but misses a workload proves nothing.
    if (failed.length > 0 && status === 'ok') status = 'unknown';
    const summary =
      `Σ replicas × poolSize = ${formula} = ${budget} connections` +
      (maxclients ? ` vs maxclients ${maxclients} (${budgetPct}%, warning at ${p.poolBudgetPct}%)` : ' (maxclients unknown)') +
      `; ${counts.connected} connected now` +
      (budgetPct !== undefined && budgetPct >= p.poolBudgetPct && suggestedPoolSize !== undefined
        ? `; to fit, pools of at most ${suggestedPoolSize} per pod across ${totalReplicas} replicas`
        : '') +
      (failed.length > 0 ? `; ${failed.length} workload${failed.length === 1 ? '' : 's'} not read` : '');
    return { status, summary, details, evidence, data: { ...data } };
  },
};
