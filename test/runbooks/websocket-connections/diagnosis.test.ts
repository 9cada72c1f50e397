import { describe, expect, it } from 'vitest';
import { runDiagnosis } from '../../../src/diagnosis/run-diagnosis.js';
import type { DiagnosisReport } from '../../../src/diagnosis/report.js';
import type { FakeWorkload } from '../../support/fake-workload-api.js';
import { CALM, Q, answersFor, startVitalStreamCluster, vitalstreamTarget, websocketPods, useVitalStreamFakes } from './vitalstream-scenario.js';

const finding = (r: DiagnosisReport, id: string) => r.findings.find((f) => f.checkId === id)!;

describe('websocket-connections diagnosis of VitalStream', () => {
  const fakes = useVitalStreamFakes();


  const diagnose = async (metrics = CALM) => {
    fakes.prometheus.answers.clear();
    fakes.prometheus.queries.length = 0;
    for (const [q, a] of answersFor(metrics)) fakes.prometheus.answers.set(q, a);
    return runDiagnosis(vitalstreamTarget(fakes.service, fakes.prometheus.url));
  };

  it('finds a calm service healthy after a real handshake and ping, with the runbook queries as evidence', async () => {
    fakes.cluster = await startVitalStreamCluster(websocketPods(3));
    const before = fakes.service.received.length;
    const report = await diagnose();

    expect(report.findings.map((f) => [f.checkId, f.skipped ? 'skipped' : f.status])).toEqual([
      ['active-connections', 'ok'],
      ['disconnections', 'ok'],
      ['message-latency', 'ok'],
      ['connection-errors', 'ok'],
      ['health', 'ok'],
      ['detailed-health', 'ok'],
      ['websocket-handshake', 'ok'],
      ['public-websocket-handshake', 'skipped'],
      ['logs', 'ok'],
      ['workload', 'ok'],
      ['pods', 'ok'],
      ['events', 'ok'],
      ['cpu', 'ok'],
      ['memory', 'ok'],
    ]);
    expect(fakes.service.received.slice(before)).toEqual(['{"type":"ping"}']);
    expect(finding(report, 'websocket-handshake').summary).toMatch(/^handshake 101 in \d+ ms, (message|pong) reply in \d+ ms$/);
    expect(finding(report, 'active-connections').summary).toBe(
      '3,637 active connections on 3 instance(s); busiest 10.0.5.13:8003 at 1,240 (12.4% of max_connections 10,000)',
    );
    expect(finding(report, 'disconnections').summary).toBe('0.22 disconnections/s over 5m: client_close 0.21/s, ping_timeout 0.01/s (warn 1/s, crit 10/s); 0.19/s over the last 2m');
    expect(finding(report, 'message-latency').summary).toBe('p95 message latency 42 ms over 5m (warn 500 ms, crit 2000 ms)');
    expect(finding(report, 'detailed-health').summary).toMatch(/^HTTP 200 in \d+ ms; reports "healthy"; 3 component\(s\) healthy$/);
    // Limits known, so neither cAdvisor's quota nor the process RSS is asked for.
    expect([...fakes.prometheus.queries].sort()).toEqual(
      [Q.active, Q.disconnections, Q.disconnectionsNow, Q.latency, Q.errors, Q.cpu, Q.cpuLimit, Q.memory, Q.memoryLimit].sort(),
    );
    expect(report.status).toBe('ok');
    expect(report.causes).toEqual([]);
    expect(report.proposals).toEqual([]);
    expect(report.manualSteps).toEqual([]);

    const clis = report.findings.flatMap((f) => f.evidence.map((e) => e.cli ?? ''));
    expect(clis).toContain(
      `curl -s -G '${fakes.prometheus.url}/api/v1/query' --data-urlencode 'query=sum(websocket_connections_active{environment="production"})'`,
    );
    expect(clis).toContain(
      `curl -s -G '${fakes.prometheus.url}/api/v1/query' --data-urlencode 'query=sum(rate(websocket_disconnections_total{environment="production"}[2m]))'`,
    );
    expect(clis).toContain(`curl -f ${fakes.service.detailedUrl} || echo "Detailed health check failed"`);
    expect(clis).toContain('kubectl get pods -n vitalstream -l app=websocket');
    expect(clis).toContain('kubectl logs -l app=websocket -n vitalstream --tail=100 | grep -iE "(connect|disconnect|error)"');
    expect(clis).toContain('kubectl describe pod -l app=websocket -n vitalstream');
    // Inside the pod the test connects to the container's port (the pod template's only one, 15002), not the
    // Service URL's.
    expect(clis.find((c) => c.startsWith('kubectl exec -it deployment/websocket -n vitalstream -- python -c'))).toContain(
      "websockets.connect('ws://localhost:15002/ws')",
    );
    // No runbook curl leaves PromQL unencoded in a URL.
    expect(clis.filter((c) => c.includes('/api/v1/query?query='))).toEqual([]);
  });

  it('reads a mass ping-timeout under CPU and latency pressure, and offers a restart and a bounded scale-out', async () => {
    fakes.cluster = await startVitalStreamCluster(websocketPods(3));
    const report = await diagnose({
      ...CALM,
      activeByInstance: { '10.0.5.11:8003': 9610, '10.0.5.12:8003': 8800, '10.0.5.13:8003': 9020 },
      disconnectionsByReason: { ping_timeout: 12.4, client_close: 0.8, server_error: 0.3 },
      disconnectionsNow: 14.2,
      latencySeconds: 2.7,
      errorsByType: { handshake_failed: 0.02, protocol_error: 0 },
      cpuCoresByPod: { 'websocket-7b9c5d-a0': 1.944, 'websocket-7b9c5d-b1': 1.768, 'websocket-7b9c5d-c2': 1.82 },
    });

    expect(finding(report, 'disconnections')).toMatchObject({ status: 'crit', data: { totalPerSec: expect.closeTo(13.5), currentPerSec: 14.2 } });
    expect(finding(report, 'disconnections').summary).toBe(
      '13.5 disconnections/s over 5m: ping_timeout 12.4/s, client_close 0.8/s, server_error 0.3/s (warn 1/s, crit 10/s); 14.2/s over the last 2m',
    );
    expect(finding(report, 'message-latency').status).toBe('crit');
    expect(finding(report, 'cpu').summary).toBe('busiest pod websocket-7b9c5d-a0 uses 1.944 cores, 97.2% of its 2-core limit over 5m (warn 80%, crit 95%)');
    expect(finding(report, 'active-connections').status).toBe('crit');
    expect(finding(report, 'connection-errors').status).toBe('ok');

    expect(report.causes.map((c) => c.id)).toEqual(['latency-resource-pressure', 'high-disconnection-rate']);
    expect(report.causes[1]!.explanation).toBe('13.50 disconnections/s (warn 1/s): ping_timeout 12.4/s, client_close 0.8/s, server_error 0.3/s.');
    const scale = report.proposals.find((p) => p.remediationId === 'scale-out')!;
    expect(scale.params).toMatchObject({ kind: 'deployment', name: 'websocket', replicas: 4, choices: [4, 5, 6, 7, 8, 9, 10], choiceParam: 'replicas' });
    expect(scale.steps[0]).toContain('kubectl scale deployment websocket --replicas=4 -n vitalstream');
    expect(report.proposals.map((p) => p.remediationId)).toEqual(['rollout-restart', 'scale-out']);

    // Connections are near max_connections: the patch raises it (doubled), and shows its diff before applying.
    const config = report.manualSteps.find((s) => s.title.includes('(Step 3)'))!;
    expect(config.title).toBe('Raise max_connections to 20,000 and adjust connection pooling (Step 3)');
    expect(config.why).toMatch(/read the current ConfigMap first and diff it against the patched one/);
    const patch = `kubectl patch configmap websocket-config -n vitalstream -p '{"data":{"websocket.yaml":"max_connections: 20000\\nheartbeat_interval: 30\\nconnection_timeout: 300\\nmax_message_size: 1048576"}}'`;
    expect(config.commands.slice(0, 3)).toEqual([
      'kubectl get configmap websocket-config -n vitalstream -o yaml',
      `diff <(kubectl get configmap websocket-config -n vitalstream -o yaml) <(${patch} --dry-run=server -o yaml)`,
      patch,
    ]);
    expect(config.commands).toContain(
      `kubectl patch configmap websocket-config -n vitalstream -p '{"data":{"connection_pool.yaml":"max_pool_size: 1000\\npool_timeout: 30\\nmax_idle_time: 300"}}'`,
    );
  });

  it('keeps max_connections when CPU, not connections, is short', async () => {
    fakes.cluster = await startVitalStreamCluster(websocketPods(3));
    const report = await diagnose({ ...CALM, cpuCoresByPod: { 'websocket-7b9c5d-a0': 1.9, 'websocket-7b9c5d-b1': 1.7, 'websocket-7b9c5d-c2': 1.75 } });

    const config = report.manualSteps.find((s) => s.title.includes('(Step 3)'))!;
    expect(config.title).toBe('Adjust the WebSocket configuration and connection pooling (Step 3)');
    expect(config.why).toContain('max_connections stays at 10,000');
    expect(config.commands.join('\n')).toContain('max_connections: 10000\\n');
  });

  it('calls the service down when no pod is ready and nothing answers, and offers no scale-out', async () => {
    fakes.cluster = await startVitalStreamCluster(websocketPods(3, false).map((p) => ({ ...p, restartCount: 9, lastTerminationReason: 'OOMKilled' })));
    fakes.service.behaviour.health = { code: 503, body: { status: 'unhealthy', error: 'kafka unreachable' } };
    fakes.service.behaviour.detailed = { code: 503, body: { status: 'unhealthy', checks: { redis: { status: 'healthy' }, kafka: { status: 'down', error: 'broker timeout' } } } };
    fakes.service.behaviour.websocket = { kind: 'close', code: 1011, reason: 'internal error' };
    const report = await diagnose({ ...CALM, activeByInstance: {} });

    expect(finding(report, 'health').status).toBe('crit');
    expect(finding(report, 'detailed-health')).toMatchObject({ status: 'crit', data: { failing: ['kafka'] } });
    expect(finding(report, 'websocket-handshake')).toMatchObject({ status: 'crit', data: { outcome: 'closed', closeCode: 1011 } });
    expect(finding(report, 'active-connections')).toMatchObject({ status: 'unknown', summary: 'no data: websocket_connections_active has no series for this selector' });
    expect(report.causes[0]!.id).toBe('service-down');
    expect(report.causes[0]!.explanation).toMatch(/^no pod ready \(0\/3\); health endpoint: unhealthy: HTTP 503 .*; 3 pod\(s\) last terminated OOMKilled\.$/);
    expect(report.proposals.map((p) => p.remediationId)).toEqual(['rollout-restart']);
  });

  /** Every pod Ready, health 503 and a silent WebSocket: the case for Step 4.3's probes. */
  const readyButBroken = async (more: Partial<FakeWorkload>) => {
    fakes.cluster = await startVitalStreamCluster(websocketPods(3), [], more);
    fakes.service.behaviour.health = { code: 503, body: { status: 'unhealthy' } };
    fakes.service.behaviour.websocket = { kind: 'silent' };
    const report = await diagnose();
    expect(finding(report, 'websocket-handshake')).toMatchObject({ status: 'warn', data: { outcome: 'no-reply', upgraded: true } });
    return { report, probes: report.manualSteps.find((s) => s.title === 'Add readiness and liveness probes (Step 4.3)')! };
  };
  const probePatch = (container: string, port: number) =>
    `kubectl patch deployment websocket -n vitalstream -p '${JSON.stringify({
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: container,
                readinessProbe: { httpGet: { path: '/health', port }, initialDelaySeconds: 5, periodSeconds: 10 },
                livenessProbe: { httpGet: { path: '/health', port }, initialDelaySeconds: 15, periodSeconds: 20 },
              },
            ],
          },
        },
      },
    })}'`;

  it('asks for probes on the containerPort the Service targets when every pod is Ready yet the service does not answer', async () => {
    const servicePort = Number(new URL(fakes.service.healthUrl).port);
    const { report, probes } = await readyButBroken({
      containers: [
        { name: 'websocket', ports: [{ name: 'metrics', containerPort: 9102 }, { name: 'ws', containerPort: 8003 }] },
        { name: 'istio-proxy', ports: [{ name: 'http-envoy-prom', containerPort: 15090 }] },
      ],
      // The health URL's host is an IP: the Service is looked up by the workload's name. Its targetPort names the port.
      service: { name: 'websocket', selector: { app: 'websocket' }, ports: [{ name: 'ws', port: servicePort, targetPort: 'ws' }] },
    });

    expect(finding(report, 'workload').data).toMatchObject({
      probePort: { port: 8003, portName: 'ws', container: 'websocket', basis: 'service-target', service: { name: 'websocket', port: servicePort, targetPort: 'ws' } },
    });
    expect(finding(report, 'workload').evidence.map((e) => e.cli)).toContain(`kubectl get service websocket -n vitalstream -o jsonpath='{.spec.ports}'`);
    expect(fakes.cluster!.requests.map((r) => r.path)).toContain('/api/v1/namespaces/vitalstream/services/websocket');
    expect(probes.why).toContain(
      `The probe goes to the pod, so it names the container's port: 8003 ("ws"), the containerPort of container websocket that Service websocket's port ${servicePort} targets (targetPort ws).`,
    );
    expect(probes.why).not.toContain('taken from the catalog');
    expect(probes.commands[0]).toBe(`kubectl get deployment/websocket -n vitalstream -o jsonpath='{.spec.template.spec.containers[?(@.name=="websocket")].ports}'`);
    expect(probes.commands[1]).toBe(probePatch('websocket', 8003));
    // The runbook's WebSocket test runs in the pod, against the port the Service sends the WebSocket URL's port to.
    const test = finding(report, 'websocket-handshake').evidence.map((e) => e.cli ?? '').find((c) => c.includes('python -c'))!;
    expect(test.startsWith('kubectl exec -it deployment/websocket -n vitalstream -- python -c')).toBe(true);
    expect(test).toContain("websockets.connect('ws://localhost:8003/ws')");
    expect(finding(report, 'websocket-handshake').evidence.map((e) => e.call)).toContain('GET /api/v1/namespaces/vitalstream/services/websocket');
  });

  it('takes the first TCP port of the pod template\'s first container when no Service says which, and asks to check it', async () => {
    const { report, probes } = await readyButBroken({
      containers: [{ name: 'vitalstream-ws', ports: [{ name: 'stats', containerPort: 8125, protocol: 'UDP' }, { containerPort: 8003 }, { name: 'metrics', containerPort: 9102 }] }],
    });

    // The patch names the container that exists, not one called like the Deployment (a strategic merge would add it).
    expect(probes.commands[1]).toBe(probePatch('vitalstream-ws', 8003));
    const test = finding(report, 'websocket-handshake').evidence.map((e) => e.cli ?? '').find((c) => c.includes('python -c'))!;
    expect(test.split('\n')[0]).toBe("# 8003: container vitalstream-ws's first TCP containerPort; check it serves /ws");
    expect(probes.why).toContain(
      "The probe goes to the pod, so it names the container's port: 8003, the first of container vitalstream-ws's TCP containerPorts (8003, 9102), so check with the first command that 8003 is the port serving /health.",
    );
    expect(probes.commands[0]).toBe(`kubectl get deployment/websocket -n vitalstream -o jsonpath='{.spec.template.spec.containers[?(@.name=="vitalstream-ws")].ports}'`);
  });

  it('falls back to the Service URL\'s port, and says to check it, when the pod template declares no port', async () => {
    const port = Number(new URL(fakes.service.healthUrl).port);
    const { report, probes } = await readyButBroken({ containers: [{ name: 'websocket' }] });

    expect(finding(report, 'workload').data).not.toHaveProperty('probePort');
    // connbot knows the Service URL's port only: the step says the probe needs the container's, and how to read it.
    expect(probes.why).toContain(`The probe's port must be the container's port (its containerPort, or the port's name), not the Service's: ${port} is taken from the catalog's Service URL`);
    expect(probes.commands[0]).toBe(`kubectl get deployment/websocket -n vitalstream -o jsonpath='{.spec.template.spec.containers[?(@.name=="websocket")].ports}'`);
    expect(probes.commands[1]).toBe(probePatch('websocket', port));
    // Nor does the in-pod WebSocket test know the container's port: it says the one it uses is the Service's.
    const test = finding(report, 'websocket-handshake').evidence.map((e) => e.cli ?? '').find((c) => c.includes('python -c'))!;
    expect(test.split('\n')[0]).toBe(
      `# ${port} is the Service's port (the catalog URL's): the container may listen on another, see kubectl get deployment websocket -n vitalstream -o jsonpath='{.spec.template.spec.containers[*].ports}'`,
    );
    expect(test).toContain(`websockets.connect('ws://localhost:${port}/ws')`);
  });
});
