import { describe, expect, it } from 'vitest';
import { runDiagnosis } from '../../../src/diagnosis/run-diagnosis.js';
import type { DiagnosisReport } from '../../../src/diagnosis/report.js';
import { findingBlocks } from '../../../src/render/slack/detail-blocks.js';
import { CALM, Q, answersFor, startVitalStreamCluster, vitalstreamTarget, websocketPods, type MetricsPicture, useVitalStreamFakes } from './vitalstream-scenario.js';

const finding = (r: DiagnosisReport, id: string) => r.findings.find((f) => f.checkId === id)!;
const GiB = 1024 ** 3;

describe('websocket-connections: connection logs, pod events, CPU and memory against their limits', () => {
  const fakes = useVitalStreamFakes();


  const diagnose = async (metrics: MetricsPicture = CALM) => {
    fakes.prometheus.answers.clear();
    fakes.prometheus.queries.length = 0;
    for (const [q, a] of answersFor(metrics)) fakes.prometheus.answers.set(q, a);
    return runDiagnosis(vitalstreamTarget(fakes.service, fakes.prometheus.url));
  };

  it('reads the connection logs and describe-pod events through the Kubernetes API, redacted and escaped on the way to Slack', async () => {
    const pods = websocketPods(3);
    pods[0]!.log = [
      '2026-01-16T09:29:58Z INFO client connected id=4411 dashboard=icu-3',
      '2026-01-16T09:30:01Z ERROR ping timeout, disconnecting client id=4411 token=eyJhbGciOiJIUzI1NiJ9.c2VjcmV0',
      '2026-01-16T09:30:02Z ERROR upstream kafka: connection refused <!channel> <https://evil.example|click>',
      '2026-01-16T09:30:03Z DEBUG heartbeat sent to 212 clients',
    ];
    pods[1]!.log = ['2026-01-16T09:30:00Z INFO client disconnected ```*bold* _it_ ~gone~ `code` id=4410 reason=client_close by the dashboard at icu-3'];
    fakes.cluster = await startVitalStreamCluster(pods, [
      { type: 'Warning', reason: 'Unhealthy', message: 'Readiness probe failed: HTTP probe failed with statuscode: 503', object: 'Pod/websocket-7b9c5d8f4-a0x2k', count: 4 },
      { type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container', object: 'Pod/other-app-5f6d-x', count: 9 },
    ]);
    const report = await diagnose();

    const logs = finding(report, 'logs');
    expect(logs.status).toBe('warn');
    // The runbook's grep -E "(connect|disconnect|error)", case-insensitive: connects and disconnects counted beside
    // the error lines (which alone judge the status). "connection refused" is an error, not a connect.
    expect(logs.summary).toBe('2 error, 1 connect, 2 disconnect line(s) in the last 100 lines of 3 pod(s); connection refused ×1, timeouts ×1');
    expect(logs.data).toMatchObject({ podsRead: 3, linesRead: 5, errorLines: 2, matchedLines: 4, kinds: { connect: 1, disconnect: 2 } });
    expect(logs.title).toBe('Connection logs');
    // The runbook's command keeps the same lines the check counts: case-insensitive, as `ERROR` and `Client connected` are.
    expect(logs.evidence.map((e) => e.cli)).toContain('kubectl logs -l app=websocket -n vitalstream --tail=100 | grep -iE "(connect|disconnect|error)"');
    expect(logs.evidence.map((e) => e.cli)).toContain('kubectl logs websocket-7b9c5d-a0 -n vitalstream --tail=100 | grep -iE "(connect|disconnect|error)"');
    expect(logs.details[0]).toMatchObject({
      kind: 'table',
      columns: ['pod', 'lines', 'error lines', 'connect lines', 'disconnect lines', 'state'],
      rows: expect.arrayContaining([
        ['websocket-7b9c5d-a0', '4', '2', '1', '1', 'ready'],
        ['websocket-7b9c5d-b1', '1', '0', '0', '1', 'ready'],
      ]),
    });
    // The examples are what the grep keeps: connection events as well as errors, not the other lines.
    // A table, so the lines reach Slack in an escaped code block rather than as mrkdwn.
    expect(logs.details.some((d) => d.kind === 'text')).toBe(false);
    const examples = logs.details.find((d) => d.kind === 'table' && d.columns.includes('line'));
    expect(examples).toMatchObject({ caption: 'Latest matching lines (4 of 4)', columns: ['pod', 'line'] });
    const rows = examples?.kind === 'table' ? examples.rows : [];
    expect(rows).toContainEqual(['websocket-7b9c5d-a0', '2026-01-16T09:29:58Z INFO client connected id=4411 dashboard=icu-3']);
    expect(rows).toContainEqual(['websocket-7b9c5d-b1', '2026-01-16T09:30:00Z INFO client disconnected ```*bold* _it_ ~gone~ `code`']);
    expect(rows).toContainEqual(['', 'id=4410 reason=client_close by the dashboard at icu-3']);
    expect(JSON.stringify(rows)).not.toContain('heartbeat');
    // A line longer than a table cell is continued on the next rows, not cut off.
    expect(rows.every((r) => [...r[1]!].length <= 80)).toBe(true);
    expect(fakes.cluster.requests.filter((r) => r.path.endsWith('/log')).map((r) => r.query.get('tailLines'))).toEqual(['100', '100', '100']);

    const events = finding(report, 'events');
    expect(events).toMatchObject({ status: 'warn', data: { unhealthy: 4, backOff: 0 } });
    expect(events.summary).toBe('4 warning event(s) for websocket and its pods in the last 60 min: Unhealthy ×4');
    expect(events.evidence.map((e) => e.cli)).toContain('kubectl describe pod -l app=websocket -n vitalstream');

    // The log lines reach Slack as escaped, redacted text: no live mention or link, no token.
    const slack = JSON.stringify(findingBlocks(logs));
    expect(slack).toContain('connection refused &lt;!channel&gt;');
    expect(slack).toContain('&lt;https://evil.example|click&gt;');
    expect(slack).not.toContain('<!channel>');
    expect(slack).not.toContain('eyJhbGciOiJIUzI1NiJ9');
    expect(slack).toContain('token=[redacted]');
    // The examples are one code block: a backtick in a line cannot close it, `*_~` stay literal inside it.
    const texts = findingBlocks(logs).map((b) => (b as { text?: { text?: string } }).text?.text ?? '');
    const block = texts.find((t) => t.startsWith('Latest matching lines'))!;
    expect(block.split('\n').slice(0, 2)).toEqual(['Latest matching lines (4 of 4)', '```']);
    expect(block.endsWith('\n```')).toBe(true);
    expect(block.match(/```/g)).toHaveLength(2);
    expect(block).toContain("'''*bold* _it_ ~gone~ 'code'");
    expect(texts.filter((t) => t.includes('*bold*'))).toEqual([block]);
  });

  it('judges CPU against each pod\'s limit from kube-state-metrics, on namespace and pod labels rather than the service selector', async () => {
    fakes.cluster = await startVitalStreamCluster(websocketPods(3));
    const report = await diagnose({ ...CALM, cpuCoresByPod: { 'websocket-7b9c5d-a0': 0.9, 'websocket-7b9c5d-b1': 0.8, 'websocket-7b9c5d-c2': 0.7 }, cpuLimitCores: 1 });

    // 0.9 cores would be 90% "of a core" either way; 1-core limits make it 90% of the limit.
    expect(finding(report, 'cpu')).toMatchObject({ status: 'warn', data: { worstPct: 90, basis: 'limit', pods: 3 } });
    expect(finding(report, 'cpu').summary).toBe('busiest pod websocket-7b9c5d-a0 uses 0.9 cores, 90% of its 1-core limit over 5m (warn 80%, crit 95%)');
    const cadvisor = fakes.prometheus.queries.filter((q) => q.includes('container_') || q.includes('kube_pod'));
    expect(cadvisor.length).toBeGreaterThan(0);
    expect(cadvisor.filter((q) => q.includes('environment='))).toEqual([]);

    // The same usage on 4-core pods is far from the limit.
    const roomy = await diagnose({ ...CALM, cpuCoresByPod: { 'websocket-7b9c5d-a0': 0.9 }, cpuLimitCores: 4 });
    expect(finding(roomy, 'cpu')).toMatchObject({ status: 'ok', data: { worstPct: 22.5, basis: 'limit' } });
  });

  it('takes the limit from cAdvisor quota/period when kube-state-metrics is not scraped', async () => {
    fakes.cluster = await startVitalStreamCluster(websocketPods(3));
    const report = await diagnose({ ...CALM, cpuCoresByPod: { 'websocket-7b9c5d-a0': 0.48 }, cpuLimitCores: undefined, cpuQuotaCores: 0.5 });

    expect(fakes.prometheus.queries).toContain(Q.cpuQuota);
    expect(finding(report, 'cpu')).toMatchObject({ status: 'crit', data: { worstPct: 96, basis: 'limit' } });
    expect(finding(report, 'cpu').details[0]).toMatchObject({ caption: 'limit from container_spec_cpu_quota / container_spec_cpu_period' });
  });

  it('falls back to percent of one core, and says so, when no CPU limit metric exists', async () => {
    fakes.cluster = await startVitalStreamCluster(websocketPods(3));
    const report = await diagnose({ ...CALM, cpuCoresByPod: { 'websocket-7b9c5d-a0': 0.85 }, cpuLimitCores: undefined, cpuQuotaCores: undefined });

    expect(finding(report, 'cpu')).toMatchObject({ status: 'warn', data: { worstPct: 85, basis: 'core' } });
    expect(finding(report, 'cpu').summary).toBe(
      'busiest pod websocket-7b9c5d-a0 uses 0.85 cores, 85% of one core over 5m (warn 80%, crit 95%); ' +
        'no CPU limit metric (kube_pod_container_resource_limits, container_spec_cpu_quota) for these pods, so judged as percent of one core, as the runbook does',
    );
  });

  it('judges memory by working set against the container limit, and counts it as resource pressure', async () => {
    fakes.cluster = await startVitalStreamCluster(websocketPods(3));
    const report = await diagnose({ ...CALM, memoryBytesByPod: { 'websocket-7b9c5d-a0': 1.8 * GiB, 'websocket-7b9c5d-b1': 1.2 * GiB }, memoryLimitBytes: 2 * GiB });

    expect(finding(report, 'memory')).toMatchObject({ status: 'warn', data: { worstPct: 90 } });
    expect(finding(report, 'memory').summary).toBe('websocket-7b9c5d-a0: 1.8 GiB of its 2 GiB limit (90%; warn 80%, crit 95%)');
    const pressure = report.causes.find((c) => c.id === 'latency-resource-pressure')!;
    expect(pressure.supportedBy).toContain('memory');
  });
});
