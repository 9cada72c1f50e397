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
 * (strategic-merge PATCH), scale (PATCH /scale), pods, pod logs, events — on plain HTTP with a kubeconfig that
 * sets insecure-skip-tls-verify. Restarts and scales play out like a controller would: generation first, the
 * pods after `rolloutDelayMs`.
 */
export class FakeWorkloadApi {
  readonly requests: RecordedRequest[] = [];
  readonly kubeconfigPath: string;
  private generation = 4;
  private observedGeneration = 4;
  private restartedAt: string | undefined;
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
    if (path === this.workloadPath && method === 'GET') return { code: 200, json: this.workloadJson() };
    if (path === this.workloadPath && method === 'PATCH') {
      const patch = JSON.parse(body) as { spec?: { template?: { metadata?: { annotations?: Record<string, string> } } } };
      this.restartedAt = patch.spec?.template?.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'] ?? this.restartedAt;
      this.generation += 1;
      for (const p of s.pods) p.updated = false;
      this.later(() => this.finishRollout(s.replicas));
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
    if (path === `/api/v1/namespaces/${s.namespace}/events` && method === 'GET') {
      return { code: 200, json: { apiVersion: 'v1', kind: 'EventList', metadata: {}, items: s.events.map((e, i) => this.eventJson(e, i)) } };
    }
    return notFound(path.split('/').at(-2) ?? 'object', path.split('/').at(-1) ?? '');
  }

  private later(fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, this.state.rolloutDelayMs);
    this.timers.add(t);
  }

  /** The controller's work: pods replaced (or added/removed) and the new generation observed. */
  private finishRollout(replicas: number): void {
    const s = this.state;
    const stalls = s.rollout === 'stalls';
    s.pods = Array.from({ length: replicas }, (_, i) => ({
      name: s.kind === 'statefulset' ? `${s.name}-${i}` : `${s.name}-6c9d7f-${String.fromCharCode(97 + i)}x${i}`,
      ready: !stalls,
      restartCount: stalls ? 5 : 0,
      ...(stalls ? { waitingReason: 'CrashLoopBackOff', lastTerminationReason: 'Error' } : {}),
      updated: true,
      log: stalls ? ['ERROR failed to bind 0.0.0.0:15002: address already in use'] : ['INFO server listening on 0.0.0.0:15002'],
    }));
    this.observedGeneration = this.generation;
    s.onRollout?.();
  }

  private workloadJson() {
    const s = this.state;
    const ready = s.pods.filter((p) => p.ready).length;
    const template = {
      metadata: { labels: s.matchLabels, ...(this.restartedAt ? { annotations: { 'kubectl.kubernetes.io/restartedAt': this.restartedAt } } : {}) },
      spec: { containers: [{ name: s.name, image: `ghcr.io/example/${s.name}:1.8.2`, ports: [{ containerPort: 15002 }] }] },
    };
    return {
      apiVersion: 'apps/v1',
      kind: s.kind === 'deployment' ? 'Deployment' : 'StatefulSet',
      metadata: { name: s.name, namespace: s.namespace, generation: this.generation, uid: '3b0d6c55-9a61-4f0e-8d7e-2f5b1f0a9c11', resourceVersion: '9912837' },
      spec: {
        replicas: s.replicas,
        selector: { matchLabels: s.matchLabels },
        ...(s.kind === 'statefulset' ? { serviceName: s.name, podManagementPolicy: 'OrderedReady' } : {}),
        template,
      },
      status: {
        observedGeneration: this.observedGeneration,
        replicas: s.pods.length,
        readyReplicas: ready,
        availableReplicas: ready,
        updatedReplicas: s.pods.filter((p) => p.updated !== false).length,
        ...(s.kind === 'statefulset' ? { currentReplicas: s.pods.length, currentRevision: `${s.name}-7f8b9c`, updateRevision: `${s.name}-7f8b9c` } : {}),
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
      metadata: { name: p.name, namespace: s.namespace, labels: s.matchLabels },
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

  private eventJson(e: FakeEvent, i: number) {
    const [kind, name] = e.object.split('/');
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
