import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runDiagnosis } from '../../../src/diagnosis/run-diagnosis.js';
import type { DiagnosisReport } from '../../../src/diagnosis/report.js';
import type { FakeWorkloadApi } from '../../support/fake-workload-api.js';
import { startFakePrometheus, type FakePrometheus } from '../../support/fake-prometheus.js';
import { findingBlocks } from '../../../src/render/slack/detail-blocks.js';
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
    // The proxy's page is outside text: a table (an escaped code block in Slack), not mrkdwn.
    expect(pub.details.some((d) => d.kind === 'text')).toBe(false);
    const body = pub.details.find((d) => d.kind === 'table' && d.caption === 'The response body');
    // Cut into cells a table keeps whole, at spaces where there are some.
    expect(body?.kind === 'table' && body.rows.map((r) => r[0]).join(' ')).toContain('<h1>502 Bad Gateway</h1>');
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

  it('keeps a refused upgrade\'s body and a detailed-health body inside a code block in Slack', async () => {
    const markup = '```*bold* _it_ ~gone~ `code` <!here>';
    service.behaviour.websocket = { kind: 'refuse', status: 502, reason: 'Bad Gateway' };
    service.behaviour.detailed = { code: 503, body: { error: markup } };
    const report = await diagnose(undefined);

    for (const id of ['websocket-handshake', 'detailed-health']) {
      const f = finding(report, id);
      expect(f.details.some((d) => d.kind === 'text')).toBe(false);
      const texts = findingBlocks(f).map((b) => (b as { text?: { text?: string } }).text?.text ?? '');
      const block = texts.find((t) => t.startsWith('The response body'))!;
      expect(block.split('\n').slice(0, 2)).toEqual(['The response body', '```']);
      expect(block.endsWith('\n```')).toBe(true);
      // Our two fences only: a backtick from the body cannot close the block, nothing can mention the channel.
      expect(block.match(/```/g)).toHaveLength(2);
      expect(block).not.toContain('<!here>');
      if (id === 'detailed-health') expect(block).toContain("'''*bold* _it_ ~gone~ 'code' &lt;!here&gt;");
      else expect(block).toContain('&lt;h1&gt;502 Bad');
    }
  });

  it('tests the network on the WebSocket URL\'s Service port, and runs the in-pod test on the container\'s port', async () => {
    // The WebSocket URL is another Service port than the health URL's: the pass-through stands in for it.
    const wsService = await startFakeIngress(service);
    try {
      const healthPort = Number(new URL(service.healthUrl).port);
      const wsPort = Number(new URL(wsService.websocketUrl).port);
      service.behaviour.websocket = { kind: 'refuse', status: 502, reason: 'Bad Gateway' };
      cluster = await startVitalStreamCluster(websocketPods(3), [], {
        containers: [{ name: 'websocket', ports: [{ name: 'http', containerPort: 8080 }, { name: 'ws', containerPort: 8003 }] }],
        service: {
          name: 'websocket',
          selector: { app: 'websocket' },
          ports: [
            { name: 'http', port: healthPort, targetPort: 'http' },
            { name: 'ws', port: wsPort, targetPort: 'ws' },
          ],
        },
      });
      const report = await runDiagnosis(vitalstreamTarget(service, prometheus.url, { websocket: wsService.websocketUrl }));

      expect(finding(report, 'websocket-handshake').data).toMatchObject({ url: wsService.websocketUrl, outcome: 'rejected' });
      const test = finding(report, 'websocket-handshake').evidence.map((e) => e.cli ?? '').find((c) => c.includes('python -c'))!;
      expect(test.startsWith('kubectl exec -it deployment/websocket -n vitalstream -- python -c')).toBe(true);
      expect(test).toContain("websockets.connect('ws://localhost:8003/ws')");

      expect(report.manualSteps.map((s) => s.title)).toEqual(PROXY_STEPS);
      const commands = report.manualSteps.flatMap((s) => s.commands);
      expect(commands).toContain(`kubectl exec -it deployment/websocket -n vitalstream -- nc -zv 127.0.0.1 ${wsPort}`);
      expect(commands).toContain(`kubectl exec -it deployment/websocket -n vitalstream -- openssl s_client -connect 127.0.0.1:${wsPort} -servername websocket.vitalstream.com`);
      expect(commands.join('\n')).not.toContain(`${healthPort}`);
      expect(commands.join('\n')).not.toContain('8003');
    } finally {
      await wsService.stop();
    }
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
