import { describe, expect, it } from 'vitest';
import { outcomeText, planText } from '../../../src/render/terminal/remediation-text.js';
import { renderReportText, reportJson } from '../../../src/render/terminal/report-text.js';
import { sparkline, summariseSeries } from '../../../src/render/terminal/sparkline.js';
import { alignTable } from '../../../src/render/terminal/text-table.js';
import { finding, killIdlePlan, sampleReport } from '../sample-report.js';

const ESC = '\u001b';

describe('renderReportText', () => {
  it('prints the same sections as the Slack view in plain text when colour is off', () => {
    const text = renderReportText(sampleReport());
    expect(text).not.toContain(ESC);
    expect(text).toMatch(/^CRIT {2}redis-master \/ prod — Redis connection pool exhaustion\n/);
    expect(text).toContain('4 checks in 4.2 s');
    expect(text).toContain('[CRIT] Connected clients — 42 of 50 clients (84%)');
    expect(text).toContain('[WARN] Connection trend — rising: 30 → 42 over 15 s');
    expect(text).toContain('[SKIP] Client pool budget — skipped: no k8s target');
    expect(text).toContain('    call: INFO clients\n      $ kubectl exec -n redis redis-master-0 -- redis-cli info clients');
    expect(text).toContain('  1. Idle connection leak — 85% confidence');
    expect(text).toContain('     supported by: Idle connections (crit), Connected clients (crit)');
    expect(text).toContain('  • Kill idle client connections [low risk, id kill-idle-clients]');
    expect(text).toContain('       $ kubectl exec -n redis redis-master-0 -- redis-cli config set timeout 300');
  });

  it('aligns tables and shows the series as a sparkline with min/max/limit instead of the image', () => {
    const text = renderReportText(sampleReport());
    const lines = text.split('\n');
    const table = lines.slice(lines.findIndex((l) => l.includes('Idle clients by name')) + 1).slice(0, 4);
    expect(table).toEqual([
      '    name          count  max idle',
      '    ------------  -----  --------',
      '    leaky-worker  36     912',
      '    api           4      0',
    ]);
    expect(text).toMatch(/ {4}connected_clients {2}[▁▂▃▄▅▆▇█]{4} {2}min 30 · max 42 · last 42 · limit 50 \(4 points\)/);
    expect(text).not.toContain('iVBORw0KGgo');
    expect(text).not.toContain('connected_clients over 15 s');
  });

  it('colours statuses only when asked', () => {
    const text = renderReportText(sampleReport(), { colour: true });
    expect(text).toContain(`${ESC}[31m[CRIT]${ESC}[39m`);
    expect(text).toContain(`${ESC}[33m[WARN]${ESC}[39m`);
  });

  it('keeps outside text from driving the terminal and redacts secrets', () => {
    const evil = `name\u001b[2J\u001b]0;pwned\u0007 redis://u:hunter2@h:6379 xoxb-1-2-abc`;
    const text = renderReportText(
      sampleReport({ findings: [finding({ checkId: 'x', title: evil, summary: evil, details: [{ kind: 'table', columns: ['n'], rows: [[evil]] }] })], causes: [] }),
      { colour: false },
    );
    expect(text).not.toContain(ESC);
    expect(text).not.toContain('\u0007');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('xoxb-1-2');
    expect(text).toContain('name?[2J?]0;pwned? redis://u:[redacted]@h:6379');
  });
});

describe('reportJson', () => {
  it('is the report as data with image base64 replaced by a note', () => {
    const report = sampleReport();
    const parsed = JSON.parse(reportJson(report)) as typeof report;
    const image = parsed.findings[2]!.details[1]!;
    expect(image).toMatchObject({ kind: 'image', title: 'connected_clients over 15 s' });
    expect((image as { pngBase64: string }).pngBase64).toMatch(/^\[omitted: \d+ bytes of PNG/);
    expect(JSON.stringify(parsed)).not.toContain('iVBORw0KGgo');
    parsed.findings[2]!.details[1] = report.findings[2]!.details[1]!;
    expect(parsed).toEqual(report);
  });
});

describe('sparkline', () => {
  it('rises with the values, from ▁ at zero to █ at the maximum', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe('▁▂▃▄▅▆▇█');
  });

  it('scales to the limit, so values far below it stay low', () => {
    expect(sparkline([10, 10, 10], { limit: 100 })).toBe('▂▂▂');
    expect(sparkline([10, 10, 10])).toBe('███');
  });

  it('buckets long series by their maximum so a spike is never lost', () => {
    const values = Array.from({ length: 400 }, (_, i) => (i === 201 ? 100 : 1));
    const line = sparkline(values, { width: 40 });
    expect([...line]).toHaveLength(40);
    expect(line).toContain('█');
  });

  it('summarises min, max, last and limit', () => {
    expect(summariseSeries({ points: [[0, 3.14159], [1, 2], [2, 7]], limit: 10 }).stats).toBe(
      'min 2 · max 7 · last 7 · limit 10 (3 points)',
    );
    expect(summariseSeries({ points: [] })).toEqual({ spark: '', stats: 'no data points' });
  });
});

describe('alignTable', () => {
  it('pads by code points and flattens newlines inside cells', () => {
    expect(alignTable(['a', 'b'], [['█…', 'x'], ['multi\nline', 'y']])).toEqual([
      'a           b',
      '----------  -',
      '█…          x',
      'multi line  y',
    ]);
  });
});

describe('planText and outcomeText', () => {
  it('shows the plan verbatim and the outcome with before → after per verify check', () => {
    const plan = planText(killIdlePlan);
    expect(plan).toContain('Proposed remediation: Kill idle client connections  [low risk]');
    expect(plan).toContain(`  2. ${killIdlePlan.steps[1]}`);
    expect(plan).toContain('verified by re-running: connected-clients, idle-connections');
    const out = outcomeText(killIdlePlan, {
      executed: true,
      dryRun: false,
      execution: { summary: 'killed 36 clients' },
      before: [finding({ checkId: 'connected-clients', title: 'Connected clients', status: 'crit', summary: '42 of 50' })],
      after: [finding({ checkId: 'connected-clients', title: 'Connected clients', status: 'ok', summary: '6 of 50' })],
      verification: { ok: true, summary: 'improved — Connected clients: crit → ok' },
    });
    expect(out).toContain('Executed: Kill idle client connections\n  killed 36 clients');
    expect(out).toContain('  Connected clients\n    before: CRIT — 42 of 50\n    after:  OK — 6 of 50');
    expect(out).toContain('Verification: improved\n  improved — Connected clients: crit → ok');
  });
});
