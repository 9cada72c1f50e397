import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runDiagnosis } from '../../../src/diagnosis/run-diagnosis.js';
import type { DiagnosisReport } from '../../../src/diagnosis/report.js';
import type { FakeWorkloadApi } from '../../support/fake-workload-api.js';
import { startFakePrometheus, type FakePrometheus } from '../../support/fake-prometheus.js';
import { HEALTHY, startFakeIngress, startFakeVitalStream, type FakeIngress, type FakeVitalStream } from './fake-vitalstream.js';
import { CALM, answersFor, startVitalStreamCluster, vitalstreamTarget, websocketPods } from './vitalstream-scenario.js';

const finding = (r: DiagnosisReport, id: string) => r.findings.find((f) => f.checkId === id)!;
const PROXY_STEPS = ['Check the Service, ingress and network policies (Step 2)', 'Check TLS and the proxy configuration (Step 4)'];

/** The handshake from two places: straight to the Service in the cluster, and through the ingress as clients do. */
describe('websocket-connections: proxy or app', () => {
  const previousKubeconfig = process.env.KUBECONFIG;
  let service: FakeVitalStream;
  let ingress: FakeIngress;
  let prometheus: FakePrometheus;
  let cluster: FakeWorkloadApi | undefined;

  beforeAll(async () => {
    service = await startFakeVitalStream();
    ingress = await startFakeIngress(service);
    prometheus = await startFakePrometheus(answersFor({ ...CALM, errorsByType: { handshake_failed: 0.4 } }));
  });
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
    ingress.mode = 'pass';
    Object.assign(service.behaviour, structuredClone(HEALTHY));
  });
  afterAll(async () => {
    await Promise.all([service?.stop(), ingress?.stop(), prometheus?.stop()]);
    if (previousKubeconfig === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = previousKubeconfig;
  });

  const diagnose = async (publicWebsocket: string | undefined) => {
    cluster = await startVitalStreamCluster(websocketPods(3));
    return runDiagnosis(vitalstreamTarget(service, prometheus.url, publicWebsocket ? { publicWebsocket } : {}));
  };

  it('blames the proxy when the public upgrade gets a 502 while the in-cluster one works, and hands over the ingress and TLS checks', async () => {
    ingress.mode = 'refuse';
    const report = await diagnose(ingress.websocketUrl);

    const pub = finding(report, 'public-websocket-handshake');
    expect(pub.status).toBe('crit');
    expect(pub.summary).toMatch(/^upgrade refused: HTTP 502 Bad Gateway after \d+ ms$/);
    expect(pub.data).toMatchObject({ outcome: 'rejected', upgraded: false, handshakeStatus: 502, url: ingress.websocketUrl });
    expect(pub.details).toContainEqual({ kind: 'text', text: expect.stringContaining('<h1>502 Bad Gateway</h1>') });
    expect(finding(report, 'websocket-handshake').status).toBe('ok');
    expect(finding(report, 'health').status).toBe('ok');

    expect(report.causes.map((c) => c.id)).toEqual(['handshake-failing-at-proxy']);
    expect(report.causes[0]!.confidence).toBe(0.85);
    expect(report.causes[0]!.supportedBy).toEqual(['public-websocket-handshake', 'websocket-handshake', 'health']);
    expect(report.causes[0]!.explanation).toMatch(/answered with HTTP 502 instead of 101; while in the cluster ws:\/\/127\.0\.0\.1:\d+\/ws upgrades and answers the ping/);
    // Restarting the app does not fix the proxy.
    expect(report.proposals).toEqual([]);

    expect(report.manualSteps.map((s) => s.title)).toEqual(PROXY_STEPS);
    const commands = report.manualSteps.flatMap((s) => s.commands);
    expect(commands).toContain('kubectl get ingress websocket-ingress -n vitalstream -o yaml');
    expect(commands).toContain('kubectl get networkpolicy -n vitalstream');
    expect(commands).toContain(
      "kubectl get secret websocket-tls -n vitalstream -o jsonpath='{.data.tls\\.crt}' | base64 -d | openssl x509 -noout -subject -enddate",
    );
    expect(commands).toContain(`curl -I -H "Connection: Upgrade" -H "Upgrade: websocket" ${ingress.websocketUrl.replace(/^ws/, 'http')}`);
  });

  it('blames the app, not the proxy, when the upgrade fails in the cluster as well as through it', async () => {
    service.behaviour.websocket = { kind: 'refuse', status: 502, reason: 'Bad Gateway' };
    const report = await diagnose(ingress.websocketUrl);

    expect(finding(report, 'websocket-handshake')).toMatchObject({ status: 'crit', data: { outcome: 'rejected', handshakeStatus: 502 } });
    expect(finding(report, 'public-websocket-handshake')).toMatchObject({ status: 'crit', data: { outcome: 'rejected', handshakeStatus: 502 } });
    expect(report.causes.map((c) => c.id)).toEqual(['handshake-failing-in-app']);
    expect(report.causes[0]!.confidence).toBe(0.8);
    expect(report.causes[0]!.explanation).toMatch(/fails through the public URL as well \(upgrade refused: HTTP 502 Bad Gateway after \d+ ms\), so the proxy only passes the app's failure on\.$/);
    expect(report.proposals.map((p) => p.remediationId)).toEqual(['rollout-restart']);
    // The public probe ruled the proxy out: no proxy steps.
    expect(report.manualSteps.map((s) => s.title)).toEqual([]);
  });

  it('says a proxy cannot be told apart when the catalog names no public URL', async () => {
    service.behaviour.websocket = { kind: 'refuse', status: 502, reason: 'Bad Gateway' };
    const report = await diagnose(undefined);

    expect(finding(report, 'public-websocket-handshake').skipped).toBe('the catalog names no http.publicWebsocket URL for this env');
    expect(report.causes.map((c) => c.id)).toEqual(['handshake-failing-in-app']);
    expect(report.causes[0]!.confidence).toBe(0.65);
    expect(report.causes[0]!.explanation).toContain(
      "the catalog names no http.publicWebsocket to try through the proxy, so a proxy or ingress fault cannot be told apart from the app's",
    );
    expect(report.causes.some((c) => c.id === 'handshake-failing-at-proxy')).toBe(false);
    // Both looks handed over, since neither is ruled out.
    expect(report.manualSteps.map((s) => s.title)).toEqual(PROXY_STEPS);
  });
});
