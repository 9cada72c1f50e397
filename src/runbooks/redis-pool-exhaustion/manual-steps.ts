import type { FindingsById, ManualStep, RunbookContext } from '../types.js';
import type { BlockedClientsData } from './checks/blocked-clients.js';
import type { ClientDistributionData } from './checks/client-distribution.js';
import type { IdleClientsData } from './checks/idle-clients.js';
import type { PoolBudgetData } from './checks/pool-budget.js';
import type { UtilisationData } from './checks/utilisation.js';
import { measured } from '../shared/finding-data.js';
import { persistInHelmRelease } from './helm-release.js';
import type { RedisPoolParams } from './params.js';
import { kubectl, redisCli } from './redis-cli.js';

/** connbot's own diagnostics connection (RedisTargetClient's connectionName) is not an app to fix. */
const CONNBOT_NAME = 'connbot-diagnostics';

interface ClientApp {
  namespace: string;
  kind: 'deployment' | 'statefulset';
  name: string;
  poolSize: number;
  replicas: number | undefined;
  selector: string;
}

/** The runbook's steps no API call can take: persisting config in git/Helm, changing app code, scaling apps. */
export function manualSteps(ctx: RunbookContext<RedisPoolParams>, findings: FindingsById): ManualStep[] {
  const p = ctx.params;
  const t = ctx.target;
  const util = measured<UtilisationData>(findings, 'utilisation')?.data;
  const idle = measured<IdleClientsData>(findings, 'idle-clients')?.data;
  const blocked = measured<BlockedClientsData>(findings, 'blocked-clients')?.data;
  const budget = measured<PoolBudgetData>(findings, 'pool-budget')?.data;
  const distribution = measured<ClientDistributionData>(findings, 'client-distribution')?.data;
  const apps = clientApps(ctx, budget);
  const steps: ManualStep[] = [];

  const raise = util !== undefined && util.utilisationPct >= p.utilisationWarnPct;
  const maxclients = Math.max(util?.maxclients ?? 0, raise ? p.raisedMaxclients : 0) || p.raisedMaxclients;
  steps.push({
    title: `Persist the Redis connection settings in HelmRelease ${p.helmRelease}`,
    why:
      'CONFIG SET (the remediations) lasts only until the next restart or failover; the runbook keeps maxclients, ' +
      `timeout, tcp-backlog and tcp-keepalive in the chart values${util ? ` (maxclients is ${util.maxclients} now)` : ''}.`,
    commands: [
      ...persistInHelmRelease(t, p, [
        ['maxclients', maxclients],
        ['timeout', p.idleTimeoutSeconds],
        ['tcp-backlog', 511],
        ['tcp-keepalive', 300],
      ]),
      redisCli(t, 'config get maxclients'),
      redisCli(t, 'config get timeout'),
    ],
  });

  if (apps.length > 0) {
    const suggested = budget?.suggestedPoolSize;
    steps.push({
      title: 'Fix the application connection pools',
      why:
        (budget
          ? `Σ replicas × poolSize is ${budget.budget} against maxclients ${budget.maxclients ?? '?'}` +
            (suggested !== undefined ? `; pools of at most ${suggested} per pod keep it within ${p.poolBudgetPct}%` : '') +
            '. '
          : '') +
        'Each app should create one pool per process (not a connection per request), release connections ' +
        '(context managers), and use a separate small pool with timeouts for BLPOP/BRPOP.',
      commands: apps.flatMap((a) => [
        kubectl(t, `get ${a.kind} -n ${a.namespace} ${a.name} -o jsonpath='{.spec.replicas}'`),
        `${kubectl(t, `logs -n ${a.namespace} -l ${a.selector} --tail=100`)} | grep -i "redis\\|connection\\|pool"`,
        `${kubectl(t, `logs -n ${a.namespace} -l ${a.selector} --tail=100`)} | grep -i "timeout\\|refused"`,
        `# ${a.name}: poolSize ${a.poolSize}${a.replicas !== undefined ? ` × ${a.replicas} replicas = ${a.poolSize * a.replicas}` : ''}` +
          (suggested !== undefined && suggested < a.poolSize ? ` → set max_connections ≤ ${suggested}` : ''),
      ]),
    });
  } else {
    const names = distribution?.byName.filter((g) => g.key !== '(no name)' && g.key !== CONNBOT_NAME).slice(0, 3) ?? [];
    const sources = distribution?.bySource.slice(0, 3) ?? [];
    steps.push({
      title: 'Find and fix the applications holding the connections',
      why:
        'The catalog names no k8s.clients for this env, so the apps are known only by what Redis shows: ' +
        [...names.map((g) => `name ${g.key} (${g.clients})`), ...sources.map((g) => `source ${g.key} (${g.clients})`)].join(', ') +
        '. Add them to the catalog (namespace, deployment, poolSize) to get the pool-budget check.',
      commands: [
        `${redisCli(t, 'client list')} | awk '{print $2}' | cut -d= -f2 | cut -d: -f1 | sort | uniq -c | sort -rn | head -10`,
        `${redisCli(t, 'client list')} | grep -o " name=[^ ]*" | cut -d= -f2- | sort | uniq -c | sort -rn | head -10`,
      ],
    });
  }

  const overBudget = budget?.budgetPct !== undefined && budget.budgetPct >= p.poolBudgetPct;
  if (overBudget && apps.length > 0) {
    steps.push({
      title: 'Scale down over-provisioned client deployments',
      why: `The pools of ${budget!.totalReplicas} replicas add up to ${budget!.budgetPct}% of maxclients; fewer replicas (or an HPA ceiling) shrink that.`,
      commands: apps.flatMap((a) => [
        kubectl(t, `get ${a.kind} -n ${a.namespace} ${a.name}`),
        kubectl(t, `get hpa -n ${a.namespace}`),
        kubectl(t, `scale ${a.kind} -n ${a.namespace} ${a.name} --replicas=${Math.max(1, Math.ceil((a.replicas ?? 2) / 2))}`),
      ]),
    });
  }

  if (apps.length > 0 && idle && idle.idleCount > 0) {
    steps.push({
      title: 'Restart the applications that leak connections',
      why: `${idle.idleCount} clients (${idle.idleSharePct}%) sit idle ≥ ${idle.idleSeconds} s; a rolling restart clears the leaked connections until the pool code is fixed.`,
      commands: apps.flatMap((a) => [
        kubectl(t, `rollout restart ${a.kind}/${a.name} -n ${a.namespace}`),
        kubectl(t, `rollout status ${a.kind}/${a.name} -n ${a.namespace}`),
      ]),
    });
  }

  if (blocked && blocked.blockedClients > 0 && (blocked.blockedClients > p.blockedClientsWarn || blocked.blockedSharePct >= p.blockedShareWarnPct)) {
    steps.push({
      title: 'Move blocking operations to their own small pool, with timeouts',
      why: `${blocked.blockedClients} connections (${blocked.blockedSharePct}%) are blocked in ${Object.keys(blocked.byCommand).join(', ')}; BLPOP with timeout 0 holds a connection forever.`,
      commands: [`${redisCli(t, 'client list')} | grep "flags=b"`, '# e.g. blocking_client.blpop("queue", timeout=10) from a pool of max_connections=5'],
    });
  }
  return steps;
}

function clientApps(ctx: RunbookContext<RedisPoolParams>, budget: PoolBudgetData | undefined): ClientApp[] {
  return (ctx.target.k8s?.clients ?? []).map((c) => {
    const kind = c.deployment ? ('deployment' as const) : ('statefulset' as const);
    const name = (c.deployment ?? c.statefulset)!;
    const read = budget?.workloads.find((w) => w.namespace === c.namespace && w.name === name && w.kind === kind);
    // The runbook's `-l app=<name>` is a convention; the workload's own selector is the truth when we read it.
    return { namespace: c.namespace, kind, name, poolSize: c.poolSize, replicas: read?.replicas, selector: read?.selector ?? `app=${name}` };
  });
}
