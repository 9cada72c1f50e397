import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakeDeployment {
  namespace: string;
  name: string;
  replicas: number;
  readyReplicas?: number;
  matchLabels?: Record<string, string>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  accept: string | undefined;
}

/** What `kubectl get deployment -o json` returns from a real 1.30 cluster, trimmed of managedFields. */
function deploymentJson(d: FakeDeployment) {
  const labels = d.matchLabels ?? { 'app.kubernetes.io/name': d.name, 'app.kubernetes.io/instance': d.name };
  const ready = d.readyReplicas ?? d.replicas;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: d.name,
      namespace: d.namespace,
      uid: '6f1c2a9e-52b4-4d8e-9a3c-1f0e7d2b8c41',
      resourceVersion: '48211937',
      generation: 7,
      creationTimestamp: '2025-09-02T08:14:55Z',
      labels: { ...labels, 'app.kubernetes.io/managed-by': 'Helm' },
      annotations: { 'deployment.kubernetes.io/revision': '7', 'meta.helm.sh/release-name': d.name },
    },
    spec: {
      replicas: d.replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels, annotations: { 'kubectl.kubernetes.io/restartedAt': '2025-10-14T21:03:11Z' } },
        spec: {
          containers: [
            {
              name: d.name,
              image: `ghcr.io/example/${d.name}:1.42.0`,
              ports: [{ containerPort: 8080, protocol: 'TCP' }],
              env: [{ name: 'REDIS_URL', value: 'redis://redis-master.redis.svc.cluster.local:6379' }],
              resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } },
            },
          ],
          restartPolicy: 'Always',
          terminationGracePeriodSeconds: 30,
        },
      },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
    status: {
      observedGeneration: 7,
      replicas: d.replicas,
      updatedReplicas: d.replicas,
      readyReplicas: ready,
      availableReplicas: ready,
      conditions: [
        { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' },
        { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${d.name}-7d9f8c6b5" has successfully progressed.` },
      ],
    },
  };
}

/**
 * The one Kubernetes API path the pool-budget check reads, served from 127.0.0.1, plus a kubeconfig pointing at
 * it (http:// needs insecure-skip-tls-verify for @kubernetes/client-node). Unknown paths get the API's 404 Status.
 */
export class FakeKubeApi {
  private readonly dir = mkdtempSync(join(tmpdir(), 'connbot-kube-'));

  private constructor(
    private readonly server: Server,
    readonly port: number,
    readonly token: string,
    readonly requests: RecordedRequest[],
  ) {}

  static async start(deployments: FakeDeployment[], token = 'fake-sa-token-7c1e'): Promise<FakeKubeApi> {
    const byPath = new Map(deployments.map((d) => [`/apis/apps/v1/namespaces/${d.namespace}/deployments/${d.name}`, d]));
    const requests: RecordedRequest[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      const path = (req.url ?? '').split('?')[0]!;
      requests.push({ method: req.method ?? '', path, authorization: req.headers.authorization, accept: req.headers.accept });
      const d = req.method === 'GET' ? byPath.get(path) : undefined;
      res.setHeader('Content-Type', 'application/json');
      if (req.headers.authorization !== `Bearer ${token}`) {
        res.statusCode = 401;
        res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 }));
        return;
      }
      if (!d) {
        const name = path.split('/').at(-1);
        res.statusCode = 404;
        res.end(
          JSON.stringify({
            kind: 'Status',
            apiVersion: 'v1',
            metadata: {},
            status: 'Failure',
            message: `deployments.apps "${name}" not found`,
            reason: 'NotFound',
            details: { name, group: 'apps', kind: 'deployments' },
            code: 404,
          }),
        );
        return;
      }
      res.end(JSON.stringify(deploymentJson(d)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    return new FakeKubeApi(server, port, token, requests);
  }

  /** A kubeconfig file with context `context` → this server, authenticating with the bearer token. */
  writeKubeconfig(context = 'prod'): string {
    const file = join(this.dir, 'kubeconfig.yaml');
    writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '  - name: fake',
        '    cluster:',
        `      server: http://127.0.0.1:${this.port}`,
        '      insecure-skip-tls-verify: true',
        'users:',
        '  - name: connbot',
        '    user:',
        `      token: ${this.token}`,
        'contexts:',
        `  - name: ${context}`,
        '    context:',
        '      cluster: fake',
        '      user: connbot',
        `current-context: ${context}`,
        '',
      ].join('\n'),
    );
    return file;
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // The API client keeps connections alive; close them so close() does not wait for their idle timeout.
    this.server.closeAllConnections();
    await closed;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
