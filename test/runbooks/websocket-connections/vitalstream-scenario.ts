import { validateCatalog } from '../../../src/catalog/load-catalog.js';
import { resolveTarget, type ResolvedTarget } from '../../../src/catalog/resolve-target.js';
import { FakeWorkloadApi, type FakePod } from '../../support/fake-workload-api.js';
import type { FakeSeries } from '../../support/fake-prometheus.js';
import type { FakeVitalStream } from './fake-vitalstream.js';

/** The example catalog's vitalstream-websocket/production, pointed at local fakes. */
export function vitalstreamTarget(service: FakeVitalStream, prometheusUrl: string, params: Record<string, number> = {}): ResolvedTarget {
  return resolveTarget(
    validateCatalog({
      version: 1,
      services: {
        'vitalstream-websocket': {
          runbooks: ['websocket-connections'],
          envs: {
            production: {
              prometheus: { url: prometheusUrl, selector: '{environment="production"}' },
              http: { health: service.healthUrl, detailedHealth: service.detailedUrl, websocket: service.websocketUrl },
              k8s: { namespace: 'vitalstream', deployment: 'websocket', selector: 'app=websocket', minReplicas: 2, maxReplicas: 10 },
              params: { replyTimeoutMs: 400, handshakeTimeoutMs: 1000, rolloutWaitSeconds: 3, rolloutPollSeconds: 0.05, ...params },
            },
          },
        },
      },
    }),
    'vitalstream-websocket',
    'production',
  );
}

export function websocketPods(n: number, ready = true): FakePod[] {
  return Array.from({ length: n }, (_, i) => ({ name: `websocket-7b9c5d-${'abc'[i % 3]}${i}`, ready, restartCount: 0 }));
}

export async function startVitalStreamCluster(pods: FakePod[]): Promise<FakeWorkloadApi> {
  const api = await FakeWorkloadApi.start(
    { namespace: 'vitalstream', kind: 'deployment', name: 'websocket', matchLabels: { app: 'websocket' }, replicas: pods.length, pods, events: [], rollout: 'completes', rolloutDelayMs: 100 },
    'default',
  );
  process.env.KUBECONFIG = api.kubeconfigPath;
  return api;
}

/** The runbook's queries as connbot sends them for selector {environment="production"}. */
export const Q = {
  active: 'sum by (instance) (websocket_connections_active{environment="production"})',
  disconnections: 'sum(rate(websocket_disconnections_total{environment="production"}[5m])) by (reason)',
  latency: 'histogram_quantile(0.95, sum by (le) (rate(websocket_message_latency_seconds_bucket{environment="production"}[5m])))',
  errors: 'sum(rate(websocket_connection_errors_total{environment="production"}[5m])) by (error_type)',
  cpu: 'sum by (pod) (rate(container_cpu_usage_seconds_total{environment="production",pod=~"websocket.*",container!="",container!="POD"}[5m])) * 100',
};

export interface MetricsPicture {
  activeByInstance: Record<string, number>;
  disconnectionsByReason: Record<string, number>;
  latencySeconds: number;
  errorsByType: Record<string, number>;
  cpuByPod: Record<string, number>;
}

export const CALM: MetricsPicture = {
  activeByInstance: { '10.0.5.11:8003': 1210, '10.0.5.12:8003': 1187, '10.0.5.13:8003': 1240 },
  disconnectionsByReason: { client_close: 0.21, ping_timeout: 0.01 },
  latencySeconds: 0.042,
  errorsByType: { handshake_failed: 0 },
  cpuByPod: { 'websocket-7b9c5d-a0': 23.5, 'websocket-7b9c5d-b1': 21.0, 'websocket-7b9c5d-c2': 25.1 },
};

export function answersFor(m: MetricsPicture): Map<string, FakeSeries[]> {
  const by = (label: string, values: Record<string, number>) => Object.entries(values).map(([k, v]) => ({ metric: { [label]: k }, value: v }));
  return new Map<string, FakeSeries[]>([
    [Q.active, by('instance', m.activeByInstance)],
    [Q.disconnections, by('reason', m.disconnectionsByReason)],
    [Q.latency, [{ metric: {}, value: m.latencySeconds }]],
    [Q.errors, by('error_type', m.errorsByType)],
    [Q.cpu, by('pod', m.cpuByPod)],
  ]);
}
