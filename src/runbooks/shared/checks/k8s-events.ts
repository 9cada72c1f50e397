import type { CheckResult, Status } from '../../../domain/finding.js';
import type { ClusterEvent, WorkloadRef } from '../../../integrations/k8s/k8s-cluster.js';
import { redactSecrets } from '../../../domain/redact-secrets.js';
import { truncateText } from '../../../render/slack/mrkdwn.js';
import type { Check } from '../../types.js';
import { workloadRef } from '../k8s-workload/workload-ref.js';
import { podNamePattern, replicaSetNamePattern } from '../k8s-workload/pod-scope.js';

export const EVENTS = 'events';

/** The thresholds a runbook gives this check, from its own params. */
export interface EventsCheckParams {
  /** Warning events older than this are history, not the incident. */
  eventsWindowMinutes: number;
}

export interface EventsData {
  warnings: number;
  byReason: Record<string, number>;
  /** "Back-off restarting failed container": the kubelet's word for CrashLoopBackOff. */
  backOff: number;
  oomKilling: number;
  /** Readiness/liveness probes failing: the Service stops sending those pods traffic. */
  unhealthy: number;
}

const MESSAGE_CHARS = 200;

/** `kubectl get events -n <ns> --field-selector type=Warning`: what Kubernetes saw happen to the pods lately. */
export const k8sEventsCheck = <P extends EventsCheckParams>(title = 'Recent warning events'): Check<P> => ({
  id: EVENTS,
  title,
  skipUnless: (ctx) => {
    if (!ctx.integrations.hasK8s()) return 'the catalog names no k8s target for this env';
    return ctx.target.k8s?.namespace ? undefined : 'the k8s target names no namespace';
  },
  async run(ctx): Promise<CheckResult> {
    const p = ctx.params;
    const namespace = ctx.target.k8s!.namespace!;
    const ref = workloadRef(ctx.target.k8s);
    const name = ref?.name;
    const ours = ref ? belongsTo(ref) : () => true;
    const events = await ctx.integrations.k8s().listEvents(namespace);
    const evidence = [
      {
        call: `GET /api/v1/namespaces/${namespace}/events`,
        cli: `kubectl get events -n ${namespace} --field-selector type=Warning --sort-by=.lastTimestamp`,
      },
    ];
    const since = Date.now() - p.eventsWindowMinutes * 60_000;
    const warnings = events
      .filter((e) => e.type === 'Warning' && ours(e) && (!e.lastSeen || Date.parse(e.lastSeen) >= since))
      .sort((a, b) => (b.lastSeen ?? '').localeCompare(a.lastSeen ?? ''));
    const byReason: Record<string, number> = {};
    for (const e of warnings) byReason[e.reason] = (byReason[e.reason] ?? 0) + e.count;
    const data: EventsData = {
      warnings: warnings.reduce((n, e) => n + e.count, 0),
      byReason,
      backOff: byReason.BackOff ?? 0,
      oomKilling: warnings.filter((e) => e.reason === 'OOMKilling' || /OOMKilled|out of memory/i.test(e.message)).reduce((n, e) => n + e.count, 0),
      unhealthy: byReason.Unhealthy ?? 0,
    };
    const scope = name ? `${name} and its pods` : `namespace ${namespace}`;
    if (warnings.length === 0) {
      return { status: 'ok', summary: `no warning events for ${scope} in the last ${p.eventsWindowMinutes} min`, evidence, data: { ...data } };
    }
    const status: Status = 'warn';
    const reasons = Object.entries(byReason)
      .sort((a, b) => b[1] - a[1])
      .map(([r, n]) => `${r} ×${n}`);
    return {
      status,
      summary: `${data.warnings} warning event(s) for ${scope} in the last ${p.eventsWindowMinutes} min: ${reasons.join(', ')}`,
      details: [
        {
          kind: 'table',
          columns: ['reason', 'object', 'count', 'last seen', 'message'],
          rows: warnings.slice(0, 15).map((e) => [e.reason, e.object, String(e.count), e.lastSeen ?? '-', truncateText(redactSecrets(e.message), MESSAGE_CHARS, '…')]),
        },
      ],
      evidence,
      data: { ...data },
    };
  },
});

/**
 * The workload itself (and whatever shares its name: its HPA, PDB, Service), its pods (`vectorizer-0`,
 * `websocket-7d9f8b6c5-x2k9p`) and a Deployment's ReplicaSets (`websocket-7d9f8b6c5`) — by the exact shape of
 * their names, so a sibling workload (`websocket-gateway`, whose pods also start with `websocket-`) is not ours.
 */
function belongsTo(ref: WorkloadRef): (e: ClusterEvent) => boolean {
  const pod = new RegExp(`^${podNamePattern(ref.kind, ref.name)}$`);
  const replicaSet = new RegExp(`^${replicaSetNamePattern(ref.name)}$`);
  return (e) => {
    const slash = e.object.indexOf('/');
    const kind = e.object.slice(0, slash);
    const object = e.object.slice(slash + 1);
    if (object === ref.name) return true;
    if (kind === 'Pod') return pod.test(object);
    return ref.kind === 'deployment' && kind === 'ReplicaSet' && replicaSet.test(object);
  };
}
