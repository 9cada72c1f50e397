import type { DiagnosisReport } from '../../src/diagnosis/report.js';
import type { Finding } from '../../src/domain/finding.js';
import type { RemediationPlan } from '../../src/runbooks/types.js';

/** Hand-built findings and reports shaped like the Redis runbook's, for renderer tests. */
export function finding(over: Partial<Finding> & { checkId: string }): Finding {
  return {
    title: over.checkId,
    status: 'ok',
    summary: 'fine',
    details: [],
    evidence: [],
    data: {},
    durationMs: 12,
    ...over,
  };
}

export const killIdlePlan: RemediationPlan = {
  remediationId: 'kill-idle-clients',
  title: 'Kill idle client connections',
  risk: 'low',
  summary: 'CLIENT KILL 36 connections idle longer than 600 s on redis://redis-master:6379',
  steps: [
    'CLIENT LIST, keep clients with idle > 600 s that are not replicas, masters, pub/sub or connbot itself',
    'CLIENT KILL ID <id> SKIPME yes for each (redis-cli client kill id <id>)',
  ],
  params: { idleSeconds: 600, ids: ['7', '8'] },
  verifyChecks: ['connected-clients', 'idle-connections'],
  notes: ['Leaking apps will leak again: fix their pools (see manual steps).'],
  targetKey: 'redis://redis-master:6379',
};

export function sampleReport(over: Partial<DiagnosisReport> = {}): DiagnosisReport {
  return {
    runId: 'run-1',
    service: 'redis-master',
    env: 'prod',
    runbookId: 'redis-pool-exhaustion',
    runbookTitle: 'Redis connection pool exhaustion',
    runbookSource: 'runbooks/redis-pool-exhaustion.md',
    startedAt: '2026-05-01T03:10:00.000Z',
    finishedAt: '2026-05-01T03:10:04.200Z',
    status: 'crit',
    findings: [
      finding({
        checkId: 'connected-clients',
        title: 'Connected clients',
        status: 'crit',
        summary: '42 of 50 clients (84%)',
        details: [{ kind: 'text', text: 'connected_clients 42, maxclients 50' }],
        evidence: [
          { call: 'INFO clients', cli: 'kubectl exec -n redis redis-master-0 -- redis-cli info clients' },
          { call: 'CONFIG GET maxclients', cli: 'kubectl exec -n redis redis-master-0 -- redis-cli config get maxclients' },
        ],
      }),
      finding({
        checkId: 'idle-connections',
        title: 'Idle connections',
        status: 'crit',
        summary: '36 clients idle > 300 s',
        details: [
          {
            kind: 'table',
            caption: 'Idle clients by name',
            columns: ['name', 'count', 'max idle'],
            rows: [
              ['leaky-worker', '36', '912'],
              ['api', '4', '0'],
            ],
          },
        ],
        evidence: [{ call: 'CLIENT LIST', cli: 'kubectl exec -n redis redis-master-0 -- redis-cli client list' }],
      }),
      finding({
        checkId: 'connection-trend',
        title: 'Connection trend',
        status: 'warn',
        summary: 'rising: 30 → 42 over 15 s',
        details: [
          { kind: 'series', label: 'connected_clients', points: [[0, 30], [5, 34], [10, 38], [15, 42]], limit: 50 },
          { kind: 'image', title: 'connected_clients over 15 s', pngBase64: 'iVBORw0KGgoAAAANSUhEUg==', altText: 'chart' },
        ],
      }),
      finding({
        checkId: 'client-pools',
        title: 'Client pool budget',
        status: 'unknown',
        summary: 'skipped: no k8s target',
        skipped: 'no k8s target',
      }),
    ],
    causes: [
      {
        id: 'idle-leak',
        title: 'Idle connection leak',
        confidence: 0.85,
        explanation: '36 of 42 clients idle > 300 s, all named leaky-worker',
        supportedBy: ['idle-connections', 'connected-clients'],
      },
    ],
    proposals: [killIdlePlan],
    manualSteps: [
      {
        title: 'Set an idle timeout',
        why: 'Redis closes idle connections itself',
        commands: ['kubectl exec -n redis redis-master-0 -- redis-cli config set timeout 300'],
      },
    ],
    ...over,
  };
}

/** Every mrkdwn/plain text string anywhere in a Block Kit structure. */
export function allTexts(value: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if ((o.type === 'mrkdwn' || o.type === 'plain_text') && typeof o.text === 'string') out.push(o.text);
      Object.values(o).forEach(walk);
    }
  };
  walk(value);
  return out;
}
