import * as k8s from '@kubernetes/client-node';
import { ConnbotError, errorMessage } from '../../errors.js';

export type WorkloadKind = 'deployment' | 'statefulset';

export interface WorkloadRef {
  namespace: string;
  kind: WorkloadKind;
  name: string;
}

export interface WorkloadStatus {
  ref: WorkloadRef;
  /** spec.replicas. */
  desiredReplicas: number;
  /**
   * status.replicas: every pod the controller counts, old template and new. During a Deployment rollout it is
   * above updatedReplicas until the old ReplicaSet has scaled down.
   */
  replicas: number;
  /** Ready pods of any template (a Deployment counts its old and new ReplicaSets together). */
  readyReplicas: number;
  availableReplicas: number;
  updatedReplicas: number;
  /** metadata.generation: bumped by every spec change. */
  generation: number;
  /** status.observedGeneration: the generation the controller has acted on. */
  observedGeneration: number;
  /** StatefulSet: the revision the pods run and the one they are being moved to. */
  currentRevision: string | undefined;
  updateRevision: string | undefined;
  /** StatefulSet RollingUpdate partition: ordinals below it keep the old revision. */
  partition: number | undefined;
  /** RollingUpdate, Recreate (Deployment) or OnDelete (StatefulSet: pods change only when deleted). */
  updateStrategy: string | undefined;
  /** Deployment condition Progressing=False, reason ProgressDeadlineExceeded. */
  progressDeadlineExceeded: boolean;
  selector: string | undefined;
  restartedAt: string | undefined;
  /** The pod template's containers (not init containers), in spec order, with the ports each declares. */
  containers: ContainerSummary[];
}

/** One port a container declares (spec.template.spec.containers[].ports[]). */
export interface ContainerPort {
  name?: string;
  containerPort: number;
  /** TCP when the spec leaves it out. */
  protocol?: string;
}

export interface ContainerSummary {
  name: string;
  ports: ContainerPort[];
}

export interface PodSummary {
  name: string;
  phase: string;
  ready: boolean;
  restarts: number;
  lastTerminationReason: string | undefined;
  /** Why a container is not running now: CrashLoopBackOff, ImagePullBackOff, CreateContainerConfigError, … */
  waitingReason: string | undefined;
  node: string | undefined;
  startedAt: string | undefined;
}

/** A Service in front of the pods: what a client's connection reaches first. */
export interface ServiceSummary {
  name: string;
  namespace: string;
  /** ClusterIP, NodePort, LoadBalancer, ExternalName. */
  type: string;
  /** spec.selector as `k=v,k=v`; undefined when the Service has none (endpoints managed by hand). */
  selector: string | undefined;
  ports: string[];
  /** The same ports, structured: what a client connects to and the pod port (number or container port name) it reaches. */
  portMappings: ServicePortMapping[];
  /** status.loadBalancer.ingress hostnames/IPs (LoadBalancer Services only). */
  loadBalancerIngress: string[];
}

export interface ServicePortMapping {
  name?: string;
  port: number;
  protocol: string;
  /** spec.ports[].targetPort: a number, or the name of a container port; the API defaults it to `port`. */
  targetPort: number | string;
}

/** One backend of a Service, as its EndpointSlices list it. */
export interface ServiceEndpoint {
  /** The pod (targetRef) or, without one, the first address. */
  name: string;
  addresses: string[];
  /** An endpoint with no ready condition counts as ready (the API's rule for an unknown state). */
  ready: boolean;
  terminating: boolean;
  node: string | undefined;
}

export interface ClusterEvent {
  type: string;
  reason: string;
  message: string;
  object: string;
  count: number;
  lastSeen: string | undefined;
}

export function describeWorkload(ref: WorkloadRef): string {
  return `${ref.kind}/${ref.name} -n ${ref.namespace}`;
}

const STRATEGIC = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch);
const MERGE = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

/**
 * Thin adapter over @kubernetes/client-node. Config from KUBECONFIG or in-cluster; `context` picks a kubeconfig
 * context per env.
 */
export class K8sCluster {
  private readonly apps: k8s.AppsV1Api;
  private readonly core: k8s.CoreV1Api;
  private readonly discovery: k8s.DiscoveryV1Api;

  constructor(context?: string) {
    const kc = new k8s.KubeConfig();
    try {
      kc.loadFromDefault();
    } catch (err) {
      throw new ConnbotError('TARGET_NOT_CONFIGURED', `cannot load Kubernetes config: ${errorMessage(err)}`, {
        hint: 'set KUBECONFIG or run inside a cluster with a service account',
      });
    }
    if (context) {
      if (!kc.getContexts().some((c) => c.name === context)) {
        throw new ConnbotError('TARGET_NOT_CONFIGURED', `kubeconfig has no context "${context}"`, {
          hint: `known contexts: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'}`,
        });
      }
      kc.setCurrentContext(context);
    }
    if (!kc.getCurrentCluster()) {
      throw new ConnbotError('TARGET_NOT_CONFIGURED', 'no Kubernetes cluster configured', {
        hint: 'set KUBECONFIG or run inside a cluster with a service account',
      });
    }
    this.apps = kc.makeApiClient(k8s.AppsV1Api);
    this.core = kc.makeApiClient(k8s.CoreV1Api);
    this.discovery = kc.makeApiClient(k8s.DiscoveryV1Api);
  }

  async readWorkload(ref: WorkloadRef): Promise<WorkloadStatus> {
    const obj = await wrap(ref, () =>
      ref.kind === 'deployment'
        ? this.apps.readNamespacedDeployment({ name: ref.name, namespace: ref.namespace })
        : this.apps.readNamespacedStatefulSet({ name: ref.name, namespace: ref.namespace }),
    );
    const matchLabels = obj.spec?.selector?.matchLabels ?? {};
    const sts = ref.kind === 'statefulset' ? (obj as k8s.V1StatefulSet) : undefined;
    const deploy = sts ? undefined : (obj as k8s.V1Deployment);
    const status = obj.status ?? {};
    return {
      ref,
      desiredReplicas: obj.spec?.replicas ?? 1,
      replicas: status.replicas ?? 0,
      readyReplicas: status.readyReplicas ?? 0,
      availableReplicas: status.availableReplicas ?? 0,
      updatedReplicas: status.updatedReplicas ?? 0,
      generation: obj.metadata?.generation ?? 0,
      observedGeneration: status.observedGeneration ?? 0,
      currentRevision: sts?.status?.currentRevision,
      updateRevision: sts?.status?.updateRevision,
      partition: sts?.spec?.updateStrategy?.rollingUpdate?.partition,
      updateStrategy: sts ? sts.spec?.updateStrategy?.type : deploy?.spec?.strategy?.type,
      progressDeadlineExceeded: (deploy?.status?.conditions ?? []).some(
        (c) => c.type === 'Progressing' && c.status === 'False' && c.reason === 'ProgressDeadlineExceeded',
      ),
      selector: Object.entries(matchLabels).map(([k, v]) => `${k}=${v}`).join(',') || undefined,
      restartedAt: obj.spec?.template?.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'],
      containers: (obj.spec?.template?.spec?.containers ?? []).map((c) => ({
        name: c.name,
        ports: (c.ports ?? []).map((port) => ({
          ...(port.name ? { name: port.name } : {}),
          containerPort: port.containerPort,
          ...(port.protocol ? { protocol: port.protocol } : {}),
        })),
      })),
    };
  }

  /** What `kubectl rollout restart` does: stamp the pod template so every pod is replaced, rolling. */
  async restartWorkload(ref: WorkloadRef, at = new Date()): Promise<string> {
    const stamp = at.toISOString();
    const body = { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': stamp } } } } };
    await wrap(ref, () =>
      ref.kind === 'deployment'
        ? this.apps.patchNamespacedDeployment({ name: ref.name, namespace: ref.namespace, body }, STRATEGIC)
        : this.apps.patchNamespacedStatefulSet({ name: ref.name, namespace: ref.namespace, body }, STRATEGIC),
    );
    return stamp;
  }

  async scaleWorkload(ref: WorkloadRef, replicas: number): Promise<void> {
    const body = { spec: { replicas } };
    await wrap(ref, () =>
      ref.kind === 'deployment'
        ? this.apps.patchNamespacedDeploymentScale({ name: ref.name, namespace: ref.namespace, body }, MERGE)
        : this.apps.patchNamespacedStatefulSetScale({ name: ref.name, namespace: ref.namespace, body }, MERGE),
    );
  }

  /**
   * The pods that are, or will be, the service: pods being deleted (Terminating, metadata.deletionTimestamp set)
   * are left out — after a rollout the old ones linger for their grace period, not ready, and are no longer part
   * of the workload (the controllers do not count them either).
   */
  async listPods(namespace: string, labelSelector?: string): Promise<PodSummary[]> {
    const list = await wrap({ namespace, kind: 'pods' }, () =>
      this.core.listNamespacedPod({ namespace, ...(labelSelector ? { labelSelector } : {}) }),
    );
    return list.items.filter((p) => !p.metadata?.deletionTimestamp).map((p) => {
      const statuses = p.status?.containerStatuses ?? [];
      return {
        name: p.metadata?.name ?? '?',
        phase: p.status?.phase ?? 'Unknown',
        ready: statuses.length > 0 && statuses.every((s) => s.ready),
        restarts: statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0),
        lastTerminationReason: statuses.map((s) => s.lastState?.terminated?.reason).find(Boolean),
        waitingReason: statuses.map((s) => s.state?.waiting?.reason).find(Boolean),
        node: p.spec?.nodeName,
        startedAt: p.status?.startTime ? new Date(p.status.startTime).toISOString() : undefined,
      };
    });
  }

  async podLogs(namespace: string, pod: string, tailLines: number, container?: string): Promise<string> {
    return wrap({ namespace, kind: 'pods/log', name: pod }, () =>
      this.core.readNamespacedPodLog({ name: pod, namespace, tailLines, ...(container ? { container } : {}) }),
    );
  }

  /** The Service, or undefined when there is none of that name (404). */
  async findService(namespace: string, name: string): Promise<ServiceSummary | undefined> {
    const svc = await wrap({ namespace, kind: 'services', name }, async () => {
      try {
        return await this.core.readNamespacedService({ name, namespace });
      } catch (err) {
        if ((err as { code?: number }).code === 404) return undefined;
        throw err;
      }
    });
    if (!svc) return undefined;
    const selector = Object.entries(svc.spec?.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
    const portMappings = (svc.spec?.ports ?? []).map((p) => ({
      ...(p.name ? { name: p.name } : {}),
      port: p.port,
      protocol: p.protocol ?? 'TCP',
      targetPort: p.targetPort ?? p.port,
    }));
    return {
      name,
      namespace,
      type: svc.spec?.type ?? 'ClusterIP',
      selector: selector || undefined,
      ports: portMappings.map((p) => `${p.name ? `${p.name}:` : ''}${p.port}/${p.protocol}→${String(p.targetPort)}`),
      portMappings,
      loadBalancerIngress: (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.hostname ?? i.ip ?? '?'),
    };
  }

  /**
   * The Service's backends from its EndpointSlices (discovery.k8s.io/v1, label kubernetes.io/service-name): what
   * kube-proxy and cloud load balancers route to. A pod listed in several slices (dual-stack) counts once.
   */
  async listServiceEndpoints(namespace: string, service: string): Promise<ServiceEndpoint[]> {
    const list = await wrap({ namespace, kind: 'endpointslices', name: service }, () =>
      this.discovery.listNamespacedEndpointSlice({ namespace, labelSelector: `kubernetes.io/service-name=${service}` }),
    );
    const byName = new Map<string, ServiceEndpoint>();
    for (const slice of list.items) {
      for (const e of slice.endpoints ?? []) {
        const name = e.targetRef?.name ?? e.addresses[0] ?? '?';
        const seen = byName.get(name);
        if (seen) {
          seen.addresses.push(...e.addresses);
          continue;
        }
        byName.set(name, {
          name,
          addresses: [...e.addresses],
          ready: e.conditions?.ready !== false,
          terminating: e.conditions?.terminating === true,
          node: e.nodeName,
        });
      }
    }
    return [...byName.values()];
  }

  async listEvents(namespace: string, involvedName?: string): Promise<ClusterEvent[]> {
    const list = await wrap({ namespace, kind: 'events' }, () =>
      this.core.listNamespacedEvent({
        namespace,
        ...(involvedName ? { fieldSelector: `involvedObject.name=${involvedName}` } : {}),
      }),
    );
    // Events written through events.k8s.io/v1 (the scheduler's FailedScheduling, most controllers now) keep their
    // latest occurrence and count in `series`; their deprecated lastTimestamp/count are empty or the first ones.
    return list.items.map((e) => ({
      type: e.type ?? '',
      reason: e.reason ?? '',
      message: e.message ?? '',
      object: `${e.involvedObject.kind ?? ''}/${e.involvedObject.name ?? ''}`,
      count: e.series?.count ?? e.count ?? 1,
      lastSeen: isoTime(e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime),
    }));
  }
}

/** A Time or MicroTime as the client hands it over (a Date, or the wire string), as ISO 8601. */
function isoTime(t: Date | string | undefined | null): string | undefined {
  if (t === undefined || t === null) return undefined;
  const d = t instanceof Date ? t : new Date(t);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

async function wrap<T>(what: { namespace: string; kind: string; name?: string }, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const code = (err as { code?: number }).code;
    const target = `${what.kind}${what.name ? `/${what.name}` : ''} in namespace ${what.namespace}`;
    if (code === 403) {
      throw new ConnbotError('PERMISSION_DENIED', `Kubernetes refused access to ${target} (403)`, {
        hint: 'grant the connbot service account get/list/patch on it (RBAC Role)',
        cause: err,
      });
    }
    if (code === 404) throw new ConnbotError('INTEGRATION_FAILED', `${target} not found (404)`, { cause: err });
    throw new ConnbotError('INTEGRATION_FAILED', `Kubernetes API call for ${target} failed: ${errorMessage(err)}`, {
      cause: err,
    });
  }
}
