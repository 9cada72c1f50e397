import { validateCatalog } from '../../../src/catalog/load-catalog.js';
import { resolveTarget, type ResolvedTarget } from '../../../src/catalog/resolve-target.js';
import { FakeWorkloadApi, type FakeEvent, type FakePod, type FakeWorkload } from '../../support/fake-workload-api.js';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startFakePrometheus, type FakePrometheus, type FakeSeries } from '../../support/fake-prometheus.js';
import { HEALTHY, startFakeVitalStream, type FakeVitalStream } from './fake-vitalstream.js';

export interface TargetOptions {
  params?: Record<string, number>;
  /** The catalog's http.publicWebsocket: the fake ingress in front of the service. */
  publicWebsocket?: string;
  /** The catalog's http.websocket, when not the service's own URL (another Service port in front of it). */
  websocket?: string;
}

/** The example catalog's vitalstream-websocket/production, pointed at local fakes. */
export function vitalstreamTarget(service: FakeVitalStream, prometheusUrl: string, opts: TargetOptions = {}): ResolvedTarget {
  return resolveTarget(
    validateCatalog({
      version: 1,
      services: {
        'vitalstream-websocket': {
          runbooks: ['websocket-connections'],
          envs: {
            production: {
              prometheus: { url: prometheusUrl, selector: '{environment="production"}' },
              http: {
                health: service.healthUrl,
                detailedHealth: service.detailedUrl,
                websocket: opts.websocket ?? service.websocketUrl,
                ...(opts.publicWebsocket ? { publicWebsocket: opts.publicWebsocket } : {}),
              },
              k8s: { namespace: 'vitalstream', deployment: 'websocket', selector: 'app=websocket', minReplicas: 2, maxReplicas: 10 },
              // Handshake limits generous enough for a loaded CI machine (a slow local handshake is not what is tested);
              // no settle: the fakes change at once, and the Prometheus fake answers by query, not by time.
              params: {
                replyTimeoutMs: 1000,
                handshakeTimeoutMs: 5000,
                handshakeWarnMs: 5000,
                rolloutWaitSeconds: 3,
                rolloutPollSeconds: 0.05,
                verifySettleSeconds: 0,
                ...opts.params,
              },
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

/** `more`: the pod template's containers, the Service, … (default: one container `websocket`, containerPort 15002; no Service). */
export async function startVitalStreamCluster(pods: FakePod[], events: FakeEvent[] = [], more: Partial<FakeWorkload> = {}): Promise<FakeWorkloadApi> {
  const api = await FakeWorkloadApi.start(
    { namespace: 'vitalstream', kind: 'deployment', name: 'websocket', matchLabels: { app: 'websocket' }, replicas: pods.length, pods, events, rollout: 'completes', rolloutDelayMs: 100, ...more },
    'default',
  );
  process.env.KUBECONFIG = api.kubeconfigPath;
  return api;
}

/** cAdvisor / kube-state-metrics matchers for the Deployment's pods: namespace and pod, not the service's labels. */
const PODS = 'namespace="vitalstream",pod=~"websocket-[a-z0-9]{5,10}-[a-z0-9]{5}",container!="",container!="POD"';

/** The runbook's queries as connbot sends them for selector {environment="production"}. */
export const Q = {
  active: 'sum by (instance) (websocket_connections_active{environment="production"})',
  disconnections: 'sum(rate(websocket_disconnections_total{environment="production"}[5m])) by (reason)',
  disconnectionsNow: 'sum(rate(websocket_disconnections_total{environment="production"}[2m]))',
  latency: 'histogram_quantile(0.95, sum by (le) (rate(websocket_message_latency_seconds_bucket{environment="production"}[5m])))',
  errors: 'sum(rate(websocket_connection_errors_total{environment="production"}[5m])) by (error_type)',
  cpu: `sum by (pod) (rate(container_cpu_usage_seconds_total{${PODS}}[5m]))`,
  cpuLimit: `sum by (pod) (kube_pod_container_resource_limits{${PODS},resource="cpu"})`,
  cpuQuota: `sum by (pod) (container_spec_cpu_quota{${PODS}} / container_spec_cpu_period{${PODS}})`,
  memory: 'sum by (pod) (container_memory_working_set_bytes{namespace="vitalstream",container="websocket"})',
  memoryLimit: 'sum by (pod) (container_spec_memory_limit_bytes{namespace="vitalstream",container="websocket"})',
};

export interface MetricsPicture {
  activeByInstance: Record<string, number>;
  disconnectionsByReason: Record<string, number>;
  /** Step 1.1's [2m] total. */
  disconnectionsNow: number;
  latencySeconds: number;
  errorsByType: Record<string, number>;
  /** Cores used per pod. */
  cpuCoresByPod: Record<string, number>;
  /** Each pod's CPU limit in cores, as kube-state-metrics reports it; undefined: not scraped. */
  cpuLimitCores: number | undefined;
  /** The same limit from cAdvisor's quota/period; undefined: no quota series. */
  cpuQuotaCores?: number | undefined;
  memoryBytesByPod: Record<string, number>;
  memoryLimitBytes: number;
}

const GiB = 1024 ** 3;

export const CALM: MetricsPicture = {
  activeByInstance: { '10.0.5.11:8003': 1210, '10.0.5.12:8003': 1187, '10.0.5.13:8003': 1240 },
  disconnectionsByReason: { client_close: 0.21, ping_timeout: 0.01 },
  disconnectionsNow: 0.19,
  latencySeconds: 0.042,
  errorsByType: { handshake_failed: 0 },
  cpuCoresByPod: { 'websocket-7b9c5d-a0': 0.47, 'websocket-7b9c5d-b1': 0.42, 'websocket-7b9c5d-c2': 0.502 },
  cpuLimitCores: 2,
  memoryBytesByPod: { 'websocket-7b9c5d-a0': 0.9 * GiB, 'websocket-7b9c5d-b1': 0.85 * GiB, 'websocket-7b9c5d-c2': 1.0 * GiB },
  memoryLimitBytes: 2 * GiB,
};

export function answersFor(m: MetricsPicture): Map<string, FakeSeries[]> {
  const by = (label: string, values: Record<string, number>) => Object.entries(values).map(([k, v]) => ({ metric: { [label]: k }, value: v }));
  const perPod = (value: number | undefined) => (value === undefined ? [] : Object.keys(m.cpuCoresByPod).map((pod) => ({ metric: { pod }, value })));
  return new Map<string, FakeSeries[]>([
    [Q.active, by('instance', m.activeByInstance)],
    [Q.disconnections, by('reason', m.disconnectionsByReason)],
    [Q.disconnectionsNow, [{ metric: {}, value: m.disconnectionsNow }]],
    [Q.latency, [{ metric: {}, value: m.latencySeconds }]],
    [Q.errors, by('error_type', m.errorsByType)],
    [Q.cpu, by('pod', m.cpuCoresByPod)],
    [Q.cpuLimit, perPod(m.cpuLimitCores)],
    [Q.cpuQuota, perPod(m.cpuQuotaCores)],
    [Q.memory, by('pod', m.memoryBytesByPod)],
    [Q.memoryLimit, Object.keys(m.memoryBytesByPod).map((pod) => ({ metric: { pod }, value: m.memoryLimitBytes }))],
  ]);
}

export interface VitalStreamFakes {
  service: FakeVitalStream;
  prometheus: FakePrometheus;
  /** The test's cluster; stopped after each test. */
  cluster: FakeWorkloadApi | undefined;
}

/**
 * The fakes a websocket-connections test file runs against: the service and Prometheus for the whole file, a
 * cluster per test, the service healthy again after each test, and KUBECONFIG as it was.
 */
export function useVitalStreamFakes(): VitalStreamFakes {
  const previousKubeconfig = process.env.KUBECONFIG;
  const fakes = { cluster: undefined } as VitalStreamFakes;
  beforeAll(async () => {
    fakes.service = await startFakeVitalStream();
    fakes.prometheus = await startFakePrometheus();
  });
  afterEach(async () => {
    await fakes.cluster?.stop();
    fakes.cluster = undefined;
    Object.assign(fakes.service.behaviour, structuredClone(HEALTHY));
  });
  afterAll(async () => {
    await Promise.all([fakes.service?.stop(), fakes.prometheus?.stop()]);
    if (previousKubeconfig === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = previousKubeconfig;
  });
  return fakes;
}
