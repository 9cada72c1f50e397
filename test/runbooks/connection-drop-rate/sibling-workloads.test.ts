import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { validateCatalog } from '../../../src/catalog/load-catalog.js';
import { resolveTarget } from '../../../src/catalog/resolve-target.js';
import { buildContext } from '../../../src/diagnosis/run-diagnosis.js';
import { runCheck } from '../../../src/diagnosis/run-checks.js';
import { Integrations } from '../../../src/integrations/integrations.js';
import { silentLogger } from '../../../src/log.js';
import { k8sEventsCheck, type EventsCheckParams } from '../../../src/runbooks/shared/checks/k8s-events.js';
import { cadvisorPodMatchers } from '../../../src/runbooks/shared/k8s-workload/pod-scope.js';
import { FakeWorkloadApi, type FakeEvent } from '../../support/fake-workload-api.js';
import { startPrometheus, type PrivatePrometheus } from '../../support/prometheus.js';

/**
 * The shared pod scope (cAdvisor matchers) and events check, on the drop-rate runbook's workload `tickstorm`
 * beside siblings whose names start with `tickstorm-`: a Deployment `tickstorm-gateway` and a StatefulSet
 * `tickstorm-cache`. Only the workload's own pods, by the exact shape of their names, are its.
 */
const PODS = [
  'tickstorm-7d9f8b6c5-x2k9p', // deployment/tickstorm
  'tickstorm-7d9f8b6c5-m4vqz', // deployment/tickstorm
  'tickstorm-gateway-5f6d7c8b9-h8w4k', // deployment/tickstorm-gateway
  'tickstorm-cache-0', // statefulset/tickstorm-cache
  'tickstorm-cache-1',
  'tickstorm-0', // statefulset/tickstorm (when the catalog names one)
  'tickstorm-12',
];

describe('pods of the workload, not of a sibling whose name starts the same', () => {
  let exporter: Server;
  let prometheus: PrivatePrometheus;
  let api: FakeWorkloadApi | undefined;
  const previousKubeconfig = process.env.KUBECONFIG;

  beforeAll(async () => {
    exporter = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(
        ['# TYPE container_memory_working_set_bytes gauge', ...PODS.map((pod) => `container_memory_working_set_bytes{namespace="tickstorm",pod="${pod}",container="app"} 1`)].join('\n') +
          '\n',
      );
    });
    await new Promise<void>((resolve) => exporter.listen(0, '127.0.0.1', resolve));
    prometheus = await startPrometheus({ targets: [{ job: 'cadvisor', target: `127.0.0.1:${(exporter.address() as AddressInfo).port}` }] });
    await prometheus.waitForQuery('count(container_memory_working_set_bytes)', (v) => v[0] === PODS.length);
  });

  afterEach(async () => {
    await api?.stop();
    api = undefined;
  });

  afterAll(async () => {
    if (previousKubeconfig === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = previousKubeconfig;
    await prometheus?.stop();
    await new Promise<void>((resolve) => exporter?.close(() => resolve()));
  });

  const podsMatched = async (kind: 'deployment' | 'statefulset') => {
    const matchers = cadvisorPodMatchers({ namespace: 'tickstorm', podPrefix: 'tickstorm', kind, container: 'app' });
    const query = `container_memory_working_set_bytes{${matchers}}`;
    const res = await fetch(`${prometheus.url}/api/v1/query?${new URLSearchParams({ query })}`);
    const body = (await res.json()) as { status: string; data: { result: Array<{ metric: Record<string, string> }> } };
    expect(body.status).toBe('success');
    return { matchers, pods: body.data.result.map((r) => r.metric.pod).sort() };
  };

  it('matches cAdvisor series of a Deployment\'s pods by <name>-<hash>-<suffix>, and of a StatefulSet\'s by <name>-<ordinal>, in a real Prometheus', async () => {
    const deployment = await podsMatched('deployment');
    expect(deployment.matchers).toBe('namespace="tickstorm",pod=~"tickstorm-[a-z0-9]{5,10}-[a-z0-9]{5}",container="app"');
    expect(deployment.pods).toEqual(['tickstorm-7d9f8b6c5-m4vqz', 'tickstorm-7d9f8b6c5-x2k9p']);
    const statefulset = await podsMatched('statefulset');
    expect(statefulset.matchers).toBe('namespace="tickstorm",pod=~"tickstorm-[0-9]+",container="app"');
    expect(statefulset.pods).toEqual(['tickstorm-0', 'tickstorm-12']);
  });

  it('counts the warning events of the workload, its ReplicaSets and pods, not of its siblings', async () => {
    const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
    const warn = (object: string, reason: string, count: number): FakeEvent => ({ type: 'Warning', reason, message: `${reason} on ${object}`, object, count });
    api = await FakeWorkloadApi.start({
      namespace: 'tickstorm',
      kind: 'deployment',
      name: 'tickstorm',
      matchLabels: { app: 'tickstorm' },
      replicas: 2,
      pods: [],
      events: [
        warn('Pod/tickstorm-7d9f8b6c5-x2k9p', 'BackOff', 4),
        warn('ReplicaSet/tickstorm-7d9f8b6c5', 'FailedCreate', 1),
        warn('Deployment/tickstorm', 'ProgressDeadlineExceeded', 1),
        warn('Pod/tickstorm-gateway-5f6d7c8b9-h8w4k', 'BackOff', 50),
        warn('ReplicaSet/tickstorm-gateway-5f6d7c8b9', 'FailedCreate', 50),
        warn('Deployment/tickstorm-gateway', 'ProgressDeadlineExceeded', 50),
        warn('Pod/tickstorm-cache-0', 'Unhealthy', 50),
        // The scheduler's event (events.k8s.io/v1): first seen three hours ago, still repeating a minute ago.
        {
          type: 'Warning',
          reason: 'FailedScheduling',
          message: '0/5 nodes are available: 5 Insufficient memory.',
          object: 'Pod/tickstorm-7d9f8b6c5-m4vqz',
          count: 0,
          eventTime: minutesAgo(180),
          series: { count: 7, lastObservedTime: minutesAgo(1) },
        },
      ],
      rollout: 'completes',
      rolloutDelayMs: 10,
    });
    process.env.KUBECONFIG = api.kubeconfigPath;
    const resolved = resolveTarget(
      validateCatalog({
        version: 1,
        services: {
          tickstorm: {
            runbooks: ['connection-drop-rate'],
            envs: { prod: { prometheus: { url: prometheus.url }, k8s: { namespace: 'tickstorm', deployment: 'tickstorm' } } },
          },
        },
      }),
      'tickstorm',
      'prod',
    );
    const integrations = new Integrations(resolved.target, 'services.tickstorm.envs.prod');
    try {
      const ctx = buildContext(resolved, integrations, silentLogger, new AbortController().signal);
      const finding = await runCheck(k8sEventsCheck<EventsCheckParams>(), { ...ctx, params: { eventsWindowMinutes: 60 } });
      expect(finding.status).toBe('warn');
      expect(finding.data).toMatchObject({
        warnings: 13,
        byReason: { BackOff: 4, FailedCreate: 1, ProgressDeadlineExceeded: 1, FailedScheduling: 7 },
        backOff: 4,
      });
      expect(finding.summary).toBe(
        '13 warning event(s) for tickstorm and its pods in the last 60 min: FailedScheduling ×7, BackOff ×4, FailedCreate ×1, ProgressDeadlineExceeded ×1',
      );
    } finally {
      await integrations.close();
    }
  });
});
