import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { K8sCluster } from '../../../src/integrations/k8s/k8s-cluster.js';
import { FakeWorkloadApi, type FakeWorkload } from '../../support/fake-workload-api.js';

const REF = { namespace: 'vectorizer', kind: 'deployment', name: 'vectorizer' } as const;
const waitFor = async (cond: () => boolean, ms = 3000) => {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('K8sCluster against the API at the wire', () => {
  const previousKubeconfig = process.env.KUBECONFIG;
  let api: FakeWorkloadApi;

  const start = async (over: Partial<FakeWorkload> = {}) => {
    api = await FakeWorkloadApi.start({
      namespace: 'vectorizer',
      kind: 'deployment',
      name: 'vectorizer',
      matchLabels: { app: 'vectorizer' },
      replicas: 2,
      pods: [
        { name: 'vectorizer-5b8c4d-ax0', ready: true, restartCount: 0 },
        { name: 'vectorizer-5b8c4d-bx1', ready: true, restartCount: 0 },
      ],
      events: [],
      rollout: 'completes',
      rolloutDelayMs: 50,
      ...over,
    });
    process.env.KUBECONFIG = api.kubeconfigPath;
    return new K8sCluster('prod');
  };
  beforeEach(() => {
    delete process.env.KUBECONFIG;
  });
  afterEach(async () => {
    await api?.stop();
  });
  afterAll(() => {
    if (previousKubeconfig === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = previousKubeconfig;
  });

  it('reads status.replicas apart from ready and updated replicas while the old ReplicaSet scales down', async () => {
    const cluster = await start({ oldPodsLingerMs: 400, oldPodsTerminatingMs: 5000 });
    await cluster.restartWorkload(REF);
    // The new pods are up; the old ones are still counted.
    await waitFor(() => api.state.pods.length === 4);
    expect(await cluster.readWorkload(REF)).toMatchObject({
      desiredReplicas: 2,
      replicas: 4,
      readyReplicas: 4,
      availableReplicas: 4,
      updatedReplicas: 2,
      generation: 5,
      observedGeneration: 5,
      updateStrategy: 'RollingUpdate',
      progressDeadlineExceeded: false,
    });
    // Then the old pods are Terminating: the controller no longer counts them, and neither does listPods.
    await waitFor(() => api.state.pods.some((p) => p.terminating));
    expect(await cluster.readWorkload(REF)).toMatchObject({ replicas: 2, readyReplicas: 2, updatedReplicas: 2 });
    const listed = await cluster.listPods('vectorizer', 'app=vectorizer');
    expect(api.state.pods).toHaveLength(4);
    expect(listed.map((p) => [p.name, p.ready])).toEqual([
      ['vectorizer-7d5e-ax0', true],
      ['vectorizer-7d5e-bx1', true],
    ]);
  });

  it('reads a StatefulSet\'s revisions and update strategy', async () => {
    const cluster = await start({ kind: 'statefulset', pods: [{ name: 'vectorizer-0', ready: true, restartCount: 0 }], replicas: 1, rolloutDelayMs: 300 });
    const sts = { ...REF, kind: 'statefulset' as const };
    const before = await cluster.readWorkload(sts);
    expect(before).toMatchObject({ updateStrategy: 'RollingUpdate', partition: 0 });
    expect(before.currentRevision).toBe(before.updateRevision);
    await cluster.restartWorkload(sts);
    const rolling = await cluster.readWorkload(sts);
    expect(rolling.updateRevision).not.toBe(rolling.currentRevision);
    await waitFor(() => api.state.pods[0]!.updated === true);
    const after = await cluster.readWorkload(sts);
    expect(after.currentRevision).toBe(after.updateRevision);
    expect(after.updateRevision).not.toBe(before.updateRevision);
  });

  it('reads the Service and the ready endpoints of its EndpointSlices, or says there is no such Service', async () => {
    const cluster = await start({
      pods: [
        { name: 'vectorizer-5b8c4d-ax0', ready: true, restartCount: 0 },
        { name: 'vectorizer-5b8c4d-bx1', ready: false, restartCount: 3 },
        { name: 'vectorizer-5b8c4d-cx2', ready: true, restartCount: 0, terminating: true },
      ],
      service: { name: 'vectorizer', selector: { app: 'vectorizer' }, type: 'LoadBalancer', loadBalancerIngress: [] },
    });
    expect(await cluster.findService('vectorizer', 'vectorizer')).toEqual({
      name: 'vectorizer',
      namespace: 'vectorizer',
      type: 'LoadBalancer',
      selector: 'app=vectorizer',
      ports: ['http:15002/TCP→15002'],
      portMappings: [{ name: 'http', port: 15002, protocol: 'TCP', targetPort: 15002 }],
      loadBalancerIngress: [],
    });
    expect(await cluster.listServiceEndpoints('vectorizer', 'vectorizer')).toEqual([
      { name: 'vectorizer-5b8c4d-ax0', addresses: ['10.0.3.10'], ready: true, terminating: false, node: 'ip-10-0-3-17.ec2.internal' },
      { name: 'vectorizer-5b8c4d-bx1', addresses: ['10.0.3.11'], ready: false, terminating: false, node: 'ip-10-0-3-17.ec2.internal' },
      { name: 'vectorizer-5b8c4d-cx2', addresses: ['10.0.3.12'], ready: false, terminating: true, node: 'ip-10-0-3-17.ec2.internal' },
    ]);
    const slices = api.requests.find((r) => r.path.endsWith('/endpointslices'))!;
    expect(slices.path).toBe('/apis/discovery.k8s.io/v1/namespaces/vectorizer/endpointslices');
    expect(slices.query.get('labelSelector')).toBe('kubernetes.io/service-name=vectorizer');

    expect(await cluster.findService('vectorizer', 'vectorizer-api')).toBeUndefined();
  });

  it('reads the pod template\'s containers with their ports, and a Service targetPort that names one', async () => {
    const cluster = await start({
      containers: [
        { name: 'vectorizer', ports: [{ name: 'http', containerPort: 8080 }, { name: 'stats', containerPort: 8125, protocol: 'UDP' }] },
        { name: 'envoy' },
      ],
      service: { name: 'vectorizer', selector: { app: 'vectorizer' }, ports: [{ port: 80, targetPort: 'http' }, { name: 'grpc', port: 9090, protocol: 'TCP' }] },
    });
    expect((await cluster.readWorkload(REF)).containers).toEqual([
      { name: 'vectorizer', ports: [{ name: 'http', containerPort: 8080 }, { name: 'stats', containerPort: 8125, protocol: 'UDP' }] },
      { name: 'envoy', ports: [] },
    ]);
    const svc = await cluster.findService('vectorizer', 'vectorizer');
    // A targetPort left out is the port itself (the API server's default); the protocol, TCP.
    expect(svc?.portMappings).toEqual([
      { port: 80, protocol: 'TCP', targetPort: 'http' },
      { name: 'grpc', port: 9090, protocol: 'TCP', targetPort: 9090 },
    ]);
    expect(svc?.ports).toEqual(['80/TCP→http', 'grpc:9090/TCP→9090']);
  });

  it('reads an events.k8s.io/v1 event\'s latest time and count from its series, and the core/v1 fields otherwise', async () => {
    const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
    const firstSeen = minutesAgo(180).replace('Z', '').replace(/\.\d+$/, '.123456Z');
    const lastObserved = minutesAgo(1).replace('Z', '').replace(/\.\d+$/, '.654321Z');
    const cluster = await start({
      events: [
        // The scheduler writes through events.k8s.io/v1: first occurrence in eventTime, the rest in series.
        { type: 'Warning', reason: 'FailedScheduling', message: '0/5 nodes are available: 5 Insufficient memory.', object: 'Pod/vectorizer-5b8c4d7f9-q2x7z', count: 0, eventTime: firstSeen, series: { count: 37, lastObservedTime: lastObserved } },
        // Seen once, never repeated: no series.
        { type: 'Warning', reason: 'FailedScheduling', message: '0/5 nodes are available', object: 'Pod/vectorizer-5b8c4d7f9-h8w4k', count: 0, eventTime: firstSeen },
        { type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container', object: 'Pod/vectorizer-5b8c4d7f9-m4vqz', count: 12, lastTimestamp: '2026-01-16T09:30:00Z' },
      ],
    });
    const events = await cluster.listEvents('vectorizer');
    expect(events.map((e) => [e.reason, e.object, e.count, e.lastSeen])).toEqual([
      ['FailedScheduling', 'Pod/vectorizer-5b8c4d7f9-q2x7z', 37, new Date(lastObserved).toISOString()],
      ['FailedScheduling', 'Pod/vectorizer-5b8c4d7f9-h8w4k', 1, new Date(firstSeen).toISOString()],
      ['BackOff', 'Pod/vectorizer-5b8c4d7f9-m4vqz', 12, '2026-01-16T09:30:00.000Z'],
    ]);
  });
});
