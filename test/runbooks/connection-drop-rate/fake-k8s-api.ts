import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakePod {
  name: string;
  ready: boolean;
  restartCount: number;
  lastTerminationReason?: string;
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface FakeK8sApi {
  kubeconfigPath: string;
  requests: RecordedRequest[];
  onPatch?: () => void;
  stop(): Promise<void>;
}

/**
 * The few Kubernetes API paths the runbook uses, for one Deployment and its pods, on plain HTTP (the kubeconfig
 * sets insecure-skip-tls-verify, which @kubernetes/client-node requires for an http:// server).
 */
export async function startFakeK8sApi(opts: { namespace: string; deployment: string; pods: FakePod[] }): Promise<FakeK8sApi> {
  const { namespace, deployment } = opts;
  const requests: RecordedRequest[] = [];
  const deploymentObject = () => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: deployment, namespace, generation: 3 },
    spec: {
      replicas: opts.pods.length,
      selector: { matchLabels: { app: deployment } },
      template: { metadata: { labels: { app: deployment } }, spec: { containers: [{ name: deployment, image: 'tickstorm:1' }] } },
    },
    status: { replicas: opts.pods.length, readyReplicas: opts.pods.filter((p) => p.ready).length, observedGeneration: 3 },
  });
  const podList = () => ({
    apiVersion: 'v1',
    kind: 'PodList',
    metadata: {},
    items: opts.pods.map((p) => ({
      metadata: { name: p.name, namespace, labels: { app: deployment } },
      spec: { nodeName: 'node-a', containers: [{ name: deployment }] },
      status: {
        phase: 'Running',
        startTime: '2026-01-01T00:00:00Z',
        containerStatuses: [
          {
            name: deployment,
            ready: p.ready,
            restartCount: p.restartCount,
            image: 'tickstorm:1',
            imageID: 'x',
            lastState: p.lastTerminationReason ? { terminated: { reason: p.lastTerminationReason, exitCode: 137 } } : {},
          },
        ],
      },
    })),
  });
  const api: FakeK8sApi = { kubeconfigPath: '', requests, stop: async () => {} };
  const deploymentPath = `/apis/apps/v1/namespaces/${namespace}/deployments/${deployment}`;
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const url = new URL(req.url ?? '/', 'http://x');
      const send = (code: number, obj: unknown) => {
        res.writeHead(code, { 'content-type': 'application/json' });
        res.end(JSON.stringify(obj));
      };
      if (req.method === 'GET' && url.pathname === deploymentPath) return send(200, deploymentObject());
      if (req.method === 'PATCH' && url.pathname === deploymentPath) {
        api.onPatch?.();
        return send(200, deploymentObject());
      }
      if (req.method === 'GET' && url.pathname === `/api/v1/namespaces/${namespace}/pods`) {
        if (url.searchParams.get('labelSelector') !== `app=${deployment}`) return send(200, { ...podList(), items: [] });
        return send(200, podList());
      }
      send(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const dir = mkdtempSync(join(tmpdir(), 'connbot-kube-'));
  api.kubeconfigPath = join(dir, 'config');
  writeFileSync(
    api.kubeconfigPath,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `  - name: fake`,
      `    cluster: { server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true }`,
      'users:',
      '  - name: connbot',
      '    user: { token: fake-token }',
      'contexts:',
      '  - name: fake',
      '    context: { cluster: fake, user: connbot }',
      'current-context: fake',
      '',
    ].join('\n'),
  );
  api.stop = async () => {
    await new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
    rmSync(dir, { recursive: true, force: true });
  };
  return api;
}
