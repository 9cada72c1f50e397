import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakePod {
  name: string;
  ready: boolean;
  restartCount: number;
  lastTerminationReason?: string;
  /** `CrashLoopBackOff` while the kubelet backs off. */
  waitingReason?: string;
  /** Runs the current pod template (false during a rollout until replaced). */
  updated?: boolean;
  /** What `kubectl logs` prints, one line per entry. */
  log?: string[];
  /** Being deleted (metadata.deletionTimestamp set): listed by the API, counted by no controller. */
  terminating?: boolean;
}

/** The Service in front of the pods, and so its EndpointSlice. */
export interface FakeService {
  name: string;
  /** spec.selector: the pods whose labels (the workload's matchLabels) include it are its endpoints. */
  selector: Record<string, string>;
  type?: 'ClusterIP' | 'LoadBalancer' | 'NodePort';
  /** status.loadBalancer.ingress hostnames (LoadBalancer only; empty = EXTERNAL-IP pending). */
  loadBalancerIngress?: string[];
  /** spec.ports; default one `http` port 15002 → 15002. targetPort may name a container port. */
  ports?: Array<{ name?: string; port: number; protocol?: string; targetPort?: number | string }>;
}

/** A container of the pod template, with the ports it declares. */
export interface FakeContainer {
  name: string;
  ports?: Array<{ name?: string; containerPort: number; protocol?: string }>;
}

export interface FakeEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** `Pod/vectorizer-0`, `StatefulSet/vectorizer`. */
  object: string;
  count: number;
  /** Defaults to now. */
  lastTimestamp?: string;
  /**
   * Written through events.k8s.io/v1 (the scheduler's FailedScheduling, newer controllers): as core/v1 shows such
   * an event, eventTime (a MicroTime) is its first occurrence, firstTimestamp/lastTimestamp are null and count is
   * absent; repeats are counted in `series`. Setting this ignores lastTimestamp and count.
   */
  eventTime?: string;
  series?: { count: number; lastObservedTime: string };
}

export interface FakeWorkload {
  namespace: string;
  kind: 'deployment' | 'statefulset';
  name: string;
  matchLabels: Record<string, string>;
  replicas: number;
  pods: FakePod[];
  events: FakeEvent[];
  /** How a rollout (restart or scale) ends: pods replaced by ready ones, or stuck not ready. */
  rollout: 'completes' | 'stalls';
  /** How long the controller takes to finish a rollout. */
  rolloutDelayMs: number;
  /** Called when a rollout has finished: what the new pods change in the service (it recovers, say). */
  onRollout?: () => void;
  /**
   * A Deployment's surge: once the new pods are ready the old ones stay (ready, still counted in status.replicas)
   * this long while the old ReplicaSet scales down, then Terminating (not ready) as long again before they go.
   */
  oldPodsLingerMs?: number;
  /** How long those old pods then stay Terminating (default: oldPodsLingerMs). */
  oldPodsTerminatingMs?: number;
  service?: FakeService;
  /** The pod template's containers; default one named like the workload, declaring containerPort 15002. */
  containers?: FakeContainer[];
  /**
   * A StatefulSet's spec.updateStrategy.type (default RollingUpdate). OnDelete: a template change (a restart)
   * replaces no pod, and a scale adds or removes ordinals, leaving the others as they are.
   */
  updateStrategy?: 'RollingUpdate' | 'OnDelete';
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * The Kubernetes API paths connbot's k8s adapter uses for one Deployment or StatefulSet — read, restart
 * (strategic-merge PATCH), scale (PATCH /scale), pods, pod logs, events, the Service and its EndpointSlices — on
 * plain HTTP with a kubeconfig that sets insecure-skip-tls-verify. Restarts and scales play out like a controller
 * would: generation (and a StatefulSet's updateRevision) first, the pods after `rolloutDelayMs`.
 */
export class FakeWorkloadApi {
  readonly requests: RecordedRequest[] = [];
  readonly kubeconfigPath: string;
  /** Reads of the workload to answer 500 after its next change (a flaky API server mid-rollout). */
  failReadsAfterChange = 0;
  private failReadsNow = 0;
  private generation = 4;
  private observedGeneration = 4;
  private restartedAt: string | undefined;
  private revision = 1;
  private currentRevision = 1;
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly server: Server,
    private readonly dir: string,
    readonly state: FakeWorkload,
  ) {
    this.kubeconfigPath = join(dir, 'kubeconfig.yaml');
  }

  static async start(state: FakeWorkload, context = 'prod'): Promise<FakeWorkloadApi> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const api = new FakeWorkloadApi(server, mkdtempSync(join(tmpdir(), 'connbot-kube-')), state);
    server.on('request', (req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://x');
        api.requests.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers, body });
        const answer = api.route(req.method ?? '', url, body);
        res.writeHead(answer.code, { 'content-type': answer.text === undefined ? 'application/json' : 'text/plain' });
        res.end(answer.text ?? JSON.stringify(answer.json));
      });
    });
    const port = (server.address() as AddressInfo).port;
    writeFileSync(
      api.kubeconfigPath,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '  - name: fake',
        `    cluster: { server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true }`,
        'users:',
        '  - name: connbot',
        '    user: { token: fake-token }',
        'contexts:',
        `  - name: ${context}`,
        '    context: { cluster: fake, user: connbot }',
        `current-context: ${context}`,
        '',
      ].join('\n'),
    );
    return api;
  }

  patches(): RecordedRequest[] {
    return this.requests.filter((r) => r.method === 'PATCH');
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
    rmSync(this.dir, { recursive: true, force: true });
  }

  private get workloadPath(): string {
    return `/apis/apps/v1/namespaces/${this.state.namespace}/${this.state.kind}s/${this.state.name}`;
  }

  private route(method: string, url: URL, body: string): { code: number; json?: unknown; text?: string } {
    const s = this.state;
    const path = url.pathname;
    if (path === this.workloadPath && method === 'GET') {
      if (this.failReadsNow > 0) {
        this.failReadsNow -= 1;
        return { code: 500, json: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'etcdserver: request timed out', code: 500 } };
      }
      return { code: 200, json: this.workloadJson() };
    }
    if (method === 'PATCH') this.failReadsNow = this.failReadsAfterChange;
    if (path === this.workloadPath && method === 'PATCH') {
      const patch = JSON.parse(body) as { spec?: { template?: { metadata?: { annotations?: Record<string, string> } } } };
      this.restartedAt = patch.spec?.template?.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'] ?? this.restartedAt;
      this.generation += 1;
      this.revision += 1;
      for (const p of s.pods) p.updated = false;
      if (this.onDelete) this.later(() => (this.observedGeneration = this.generation));
      else this.later(() => this.finishRollout(s.replicas));
      return { code: 200, json: this.workloadJson() };
    }
    if (path === `${this.workloadPath}/scale` && method === 'PATCH') {
      const replicas = (JSON.parse(body) as { spec: { replicas: number } }).spec.replicas;
      s.replicas = replicas;
      this.generation += 1;
      this.later(() => this.finishRollout(replicas));
      return { code: 200, json: this.scaleJson() };
    }
    const pods = `/api/v1/namespaces/${s.namespace}/pods`;
    if (path === pods && method === 'GET') {
      const wanted = url.searchParams.get('labelSelector');
      const ours = Object.entries(s.matchLabels).map(([k, v]) => `${k}=${v}`).join(',');
      return { code: 200, json: { apiVersion: 'v1', kind: 'PodList', metadata: {}, items: wanted === ours ? s.pods.map((p) => this.podJson(p)) : [] } };
    }
    const log = new RegExp(`^${pods}/([^/]+)/log$`).exec(path);
    if (log && method === 'GET') {
      const pod = s.pods.find((p) => p.name === log[1]);
      if (!pod) return notFound('pods', log[1]!);
      const tail = Number(url.searchParams.get('tailLines') ?? 1e9);
      return { code: 200, text: (pod.log ?? []).slice(-tail).map((l) => `${l}\n`).join('') };
    }
    if (s.service && path === `/api/v1/namespaces/${s.namespace}/services/${s.service.name}` && method === 'GET') {
      return { code: 200, json: this.serviceJson(s.service) };
    }
    if (path === `/apis/discovery.k8s.io/v1/namespaces/${s.namespace}/endpointslices` && method === 'GET') {
      const wanted = url.searchParams.get('labelSelector');
      const svc = s.service && wanted === `kubernetes.io/service-name=${s.service.name}` ? s.service : undefined;
      return { code: 200, json: { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSliceList', metadata: {}, items: svc ? [this.endpointSliceJson(svc)] : [] } };
    }
    if (path === `/api/v1/namespaces/${s.namespace}/events` && method === 'GET') {
      return { code: 200, json: { apiVersion: 'v1', kind: 'EventList', metadata: {}, items: s.events.map((e, i) => this.eventJson(e, i)) } };
    }
    return notFound(path.split('/').at(-2) ?? 'object', path.split('/').at(-1) ?? '');
  }

  private later(fn: () => void, delayMs = this.state.rolloutDelayMs): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, delayMs);
    this.timers.add(t);
  }

  private get onDelete(): boolean {
    return this.state.kind === 'statefulset' && this.state.updateStrategy === 'OnDelete';
  }

  /** The controller's work: pods replaced (or added/removed) and the new generation observed. */
  private finishRollout(replicas: number): void {
    const s = this.state;
    const stalls = s.rollout === 'stalls';
    if (this.onDelete) {
      // Ordinals below the count stay as they are (old revision included); missing ones are created new.
      const kept = s.pods.filter((p) => Number(p.name.slice(s.name.length + 1)) < replicas);
      const added: FakePod[] = [];
      for (let i = 0; i < replicas; i++) {
        if (kept.some((p) => p.name === `${s.name}-${i}`)) continue;
        added.push({ name: `${s.name}-${i}`, ready: !stalls, restartCount: stalls ? 5 : 0, updated: true, ...(stalls ? { waitingReason: 'CrashLoopBackOff' } : {}) });
      }
      s.pods = [...kept, ...added];
      this.observedGeneration = this.generation;
      s.onRollout?.();
      return;
    }
    // StatefulSet pods keep their names: an old one is replaced, never kept beside its successor.
    const linger = s.kind === 'deployment' ? (s.oldPodsLingerMs ?? 0) : 0;
    const old = linger > 0 ? s.pods.filter((p) => p.updated === false) : [];
    // With a lingering old ReplicaSet the new pods need their own template hash in their names.
    const hash = linger > 0 ? `7d${this.generation}e` : '6c9d7f';
    const fresh: FakePod[] = Array.from({ length: replicas }, (_, i) => ({
      name: s.kind === 'statefulset' ? `${s.name}-${i}` : `${s.name}-${hash}-${String.fromCharCode(97 + i)}x${i}`,
      ready: !stalls,
      restartCount: stalls ? 5 : 0,
      ...(stalls ? { waitingReason: 'CrashLoopBackOff', lastTerminationReason: 'Error' } : {}),
      updated: true,
      log: stalls ? ['ERROR failed to bind 0.0.0.0:15002: address already in use'] : ['INFO server listening on 0.0.0.0:15002'],
    }));
    s.pods = [...fresh, ...old];
    this.observedGeneration = this.generation;
    if (!stalls) this.currentRevision = this.revision;
    if (old.length > 0) {
      this.later(() => {
        for (const p of old) Object.assign(p, { terminating: true, ready: false });
        this.later(() => (s.pods = s.pods.filter((p) => !old.includes(p))), s.oldPodsTerminatingMs ?? linger);
      }, linger);
    }
    s.onRollout?.();
  }

  private workloadJson() {
    const s = this.state;
    // Controllers count no pod that is being deleted.
    const live = s.pods.filter((p) => !p.terminating);
    const ready = live.filter((p) => p.ready).length;
    const template = {
      metadata: { labels: s.matchLabels, ...(this.restartedAt ? { annotations: { 'kubectl.kubernetes.io/restartedAt': this.restartedAt } } : {}) },
      spec: {
        containers: (s.containers ?? [{ name: s.name, ports: [{ containerPort: 15002 }] }]).map((c) => ({
          name: c.name,
          image: `ghcr.io/example/${c.name}:1.8.2`,
          ...(c.ports ? { ports: c.ports } : {}),
        })),
      },
    };
    return {
      apiVersion: 'apps/v1',
      kind: s.kind === 'deployment' ? 'Deployment' : 'StatefulSet',
      metadata: { name: s.name, namespace: s.namespace, generation: this.generation, uid: '3b0d6c55-9a61-4f0e-8d7e-2f5b1f0a9c11', resourceVersion: '9912837' },
      spec: {
        replicas: s.replicas,
        selector: { matchLabels: s.matchLabels },
        // What the API server defaults each to.
        ...(s.kind === 'statefulset'
          ? {
              serviceName: s.name,
              podManagementPolicy: 'OrderedReady',
              updateStrategy: this.onDelete ? { type: 'OnDelete' } : { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
            }
          : { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } } }),
        template,
      },
      status: {
        observedGeneration: this.observedGeneration,
        replicas: live.length,
        readyReplicas: ready,
        availableReplicas: ready,
        updatedReplicas: live.filter((p) => p.updated !== false).length,
        ...(s.kind === 'statefulset'
          ? {
              currentReplicas: live.length,
              currentRevision: `${s.name}-7f8b9c${this.currentRevision}`,
              updateRevision: `${s.name}-7f8b9c${this.revision}`,
            }
          : {}),
      },
    };
  }

  private scaleJson() {
    const s = this.state;
    return {
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: { name: s.name, namespace: s.namespace },
      spec: { replicas: s.replicas },
      status: { replicas: s.pods.length, selector: Object.entries(s.matchLabels).map(([k, v]) => `${k}=${v}`).join(',') },
    };
  }

  private podJson(p: FakePod) {
    const s = this.state;
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: p.name, namespace: s.namespace, labels: s.matchLabels, ...(p.terminating ? { deletionTimestamp: '2026-01-16T09:30:00Z', deletionGracePeriodSeconds: 30 } : {}) },
      spec: { nodeName: 'ip-10-0-3-17.ec2.internal', containers: [{ name: s.name, image: `ghcr.io/example/${s.name}:1.8.2` }] },
      status: {
        phase: 'Running',
        startTime: '2026-01-16T08:00:00Z',
        containerStatuses: [
          {
            name: s.name,
            ready: p.ready,
            restartCount: p.restartCount,
            image: `ghcr.io/example/${s.name}:1.8.2`,
            imageID: `ghcr.io/example/${s.name}@sha256:0f3a`,
            started: p.ready,
            state: p.waitingReason ? { waiting: { reason: p.waitingReason, message: 'back-off 5m0s restarting failed container' } } : { running: { startedAt: '2026-01-16T08:00:05Z' } },
            lastState: p.lastTerminationReason ? { terminated: { reason: p.lastTerminationReason, exitCode: p.lastTerminationReason === 'OOMKilled' ? 137 : 1 } } : {},
          },
        ],
      },
    };
  }

  private serviceJson(svc: FakeService) {
    const s = this.state;
    const type = svc.type ?? 'ClusterIP';
    return {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: svc.name, namespace: s.namespace },
      spec: { type, selector: svc.selector, clusterIP: '10.96.14.7', ports: svc.ports ?? [{ name: 'http', port: 15002, protocol: 'TCP', targetPort: 15002 }] },
      status: { loadBalancer: type === 'LoadBalancer' ? { ingress: (svc.loadBalancerIngress ?? []).map((hostname) => ({ hostname })) } : {} },
    };
  }

  /** What the EndpointSlice controller writes: every pod the selector matches, with its readiness. */
  private endpointSliceJson(svc: FakeService) {
    const s = this.state;
    const matches = Object.entries(svc.selector).every(([k, v]) => s.matchLabels[k] === v);
    return {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: `${svc.name}-x7k2p`, namespace: s.namespace, labels: { 'kubernetes.io/service-name': svc.name } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 15002, protocol: 'TCP' }],
      endpoints: (matches ? s.pods : []).map((p, i) => ({
        addresses: [`10.0.3.${10 + i}`],
        conditions: { ready: p.ready && !p.terminating, serving: p.ready, terminating: p.terminating === true },
        targetRef: { kind: 'Pod', name: p.name, namespace: s.namespace },
        nodeName: 'ip-10-0-3-17.ec2.internal',
      })),
    };
  }

  private eventJson(e: FakeEvent, i: number) {
    const [kind, name] = e.object.split('/');
    if (e.eventTime !== undefined) {
      return {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: `${name}.17a${i}`, namespace: this.state.namespace },
        involvedObject: { kind, name, namespace: this.state.namespace },
        reason: e.reason,
        message: e.message,
        type: e.type,
        firstTimestamp: null,
        lastTimestamp: null,
        eventTime: e.eventTime,
        ...(e.series ? { series: e.series } : {}),
        action: 'Scheduling',
        reportingComponent: 'default-scheduler',
        reportingInstance: 'default-scheduler-ip-10-0-1-5',
        source: {},
      };
    }
    const at = e.lastTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    return {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${name}.17a${i}`, namespace: this.state.namespace },
      involvedObject: { kind, name, namespace: this.state.namespace },
      reason: e.reason,
      message: e.message,
      type: e.type,
      count: e.count,
      firstTimestamp: at,
      lastTimestamp: at,
      source: { component: 'kubelet', host: 'ip-10-0-3-17.ec2.internal' },
    };
  }
}

function notFound(kind: string, name: string) {
  return {
    code: 404,
    json: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `${kind} "${name}" not found`, reason: 'NotFound', code: 404 },
  };
}
