import { describe, expect, it } from 'vitest';
import type { DetailBlock } from '../../../src/domain/finding.js';
import {
  progressMessage,
  reportMessages,
  rootMessage,
  type SlackMessage,
} from '../../../src/render/slack/report-blocks.js';
import { allTexts, finding, sampleReport } from '../sample-report.js';
import { blockKitViolations } from './block-kit-limits.js';

const texts = (messages: SlackMessage[]) => messages.flatMap((m) => allTexts(m.blocks));

describe('reportMessages', () => {
  it('shows the overall status, one section per check with its details and evidence, the cause and manual steps', () => {
    const messages = reportMessages(sampleReport());
    expect(messages).toHaveLength(1);
    const [message] = messages;
    expect(blockKitViolations(message!)).toEqual([]);
    expect(message!.text).toContain('CRIT redis-master/prod');
    const all = texts(messages).join('\n');
    expect(message!.blocks[0]).toMatchObject({ type: 'header', text: { text: 'redis-master / prod: CRIT' } });
    expect(all).toContain(':red_circle: *Connected clients* — 42 of 50 clients (84%)');
    expect(all).toContain(':large_yellow_circle: *Connection trend*');
    expect(all).toContain(':heavy_minus_sign: *Client pool budget*');
    // The table in monospace, aligned.
    expect(all).toMatch(/```\nname {10}count {2}max idle\n-{12} {2}-{5} {2}-{8}\nleaky-worker {2}36 {5}912\napi {11}4 {6}0\n```/);
    // The series as a sparkline with its numbers; the image only announced, never embedded.
    expect(all).toMatch(/connected_clients\n`[▁▂▃▄▅▆▇█]{4}` {2}min 30 · max 42 · last 42 · limit 50/);
    expect(all).toContain('chart attached below');
    expect(message!.blocks.some((b) => b.type === 'image')).toBe(false);
    expect(JSON.stringify(messages)).not.toContain('iVBORw0KGgo');
    // Evidence: the call and the runbook's command in code.
    expect(all).toContain('call: `INFO clients`\n```\nkubectl exec -n redis redis-master-0 -- redis-cli info clients\n```');
    expect(all).toContain('*Idle connection leak* — 85% confidence');
    expect(all).toContain('_Supported by:_ :red_circle: Idle connections, :red_circle: Connected clients');
    expect(all).toContain('```\nkubectl exec -n redis redis-master-0 -- redis-cli config set timeout 300\n```');
    expect(all).toContain('*Kill idle client connections* (low risk)');
  });

  it('splits a large report into messages of at most 50 blocks, keeping each check whole and in order', () => {
    const findings = Array.from({ length: 30 }, (_, i) =>
      finding({
        checkId: `check-${i}`,
        title: `Check number ${i}`,
        status: 'warn',
        summary: `summary ${i}`,
        details: [{ kind: 'text', text: `detail ${i}` }],
        evidence: [{ call: `CALL ${i}` }],
      }),
    );
    const messages = reportMessages(sampleReport({ findings }));
    expect(messages.length).toBeGreaterThan(1);
    for (const m of messages) expect(blockKitViolations(m)).toEqual([]);
    expect(messages.map((m) => m.text)).toEqual(
      messages.map((_, i) => expect.stringContaining(`(${i + 1}/${messages.length})`)),
    );
    const order = texts(messages).flatMap((t) => [...t.matchAll(/\*Check number (\d+)\*/g)].map((m) => Number(m[1])));
    expect(order).toEqual(findings.map((_, i) => i));
    // A check's title, detail and evidence stay in one message.
    for (const m of messages) {
      const t = allTexts(m.blocks).join('\n');
      for (const [, n] of t.matchAll(/\*Check number (\d+)\*/g)) {
        expect(t).toContain(`detail ${n}`);
        expect(t).toContain(`CALL ${n}`);
      }
    }
  });

  it('truncates a table too long for one section with a note saying how many rows were left out', () => {
    const rows = Array.from({ length: 400 }, (_, i) => [`10.0.${Math.floor(i / 250)}.${i % 250}`, String(1000 + i), 'leaky-worker']);
    const report = sampleReport({
      findings: [finding({ checkId: 'by-source', title: 'By source', details: [{ kind: 'table', columns: ['addr', 'idle', 'name'], rows }] })],
    });
    const [message] = reportMessages(report);
    expect(blockKitViolations(message!)).toEqual([]);
    const table = allTexts(message!.blocks).find((t) => t.includes('10.0.0.0'))!;
    expect(table.length).toBeLessThanOrEqual(3000);
    const shown = table.split('\n').filter((l) => /^10\.0\./.test(l)).length;
    expect(shown).toBeGreaterThan(20);
    expect(table).toContain(`… truncated, ${400 - shown} more rows\n\`\`\``);
  });

  it('keeps a single oversized check within limits: long summary, many details, more than ten evidence items', () => {
    const details: DetailBlock[] = Array.from({ length: 70 }, (_, i) => ({ kind: 'text', text: `line ${i} ${'x'.repeat(4000)}` }));
    const evidence = Array.from({ length: 15 }, (_, i) => ({ call: `CALL ${i}`, cli: `redis-cli ${'y'.repeat(400)}` }));
    const report = sampleReport({
      runbookTitle: 'T'.repeat(400),
      findings: [finding({ checkId: 'huge', title: 'Huge', summary: 's'.repeat(5000), details, evidence })],
    });
    const messages = reportMessages(report);
    expect(messages.length).toBeGreaterThan(1);
    for (const m of messages) expect(blockKitViolations(m)).toEqual([]);
    const context = messages.flatMap((m) => m.blocks).find((b) => b.type === 'context' && JSON.stringify(b).includes('CALL 0'));
    expect(context).toBeDefined();
    expect(JSON.stringify(context)).toContain('CALL 14');
  });

  it('never sends an empty text, which Slack rejects', () => {
    const report = sampleReport({
      findings: [finding({ checkId: 'blank', title: '', summary: '', details: [{ kind: 'text', text: '  ' }], evidence: [{ call: '' }] })],
      causes: [],
      proposals: [],
      manualSteps: [],
    });
    for (const m of reportMessages(report)) {
      expect(blockKitViolations(m)).toEqual([]);
      for (const t of allTexts(m.blocks)) expect(t.trim()).not.toBe('');
    }
  });

  it('neutralises mentions, links, entities, backticks and secrets coming from a Redis client name', () => {
    const evil = '<!channel> <http://evil.example|click> a&b ```x``` xoxb-1234-5678-abcdef redis://app:hunter2@redis:6379';
    const report = sampleReport({
      findings: [
        finding({
          checkId: 'idle-connections',
          title: `Idle ${evil}`,
          status: 'crit',
          summary: evil,
          details: [
            { kind: 'text', text: evil },
            { kind: 'table', columns: ['name', 'n'], rows: [[evil, '1']], caption: evil },
            { kind: 'series', label: evil, points: [[0, 1]] },
            { kind: 'image', title: evil, pngBase64: '', altText: evil },
          ],
          evidence: [{ call: `CLIENT KILL ${evil}`, cli: `redis-cli ${evil}` }],
        }),
      ],
      causes: [{ id: 'c', title: evil, confidence: 0.5, explanation: evil, supportedBy: ['idle-connections', evil] }],
      manualSteps: [{ title: evil, why: evil, commands: [evil] }],
      proposals: [],
    });
    const messages = reportMessages(report);
    const all = [...texts(messages), ...messages.map((m) => m.text)];
    for (const t of all) {
      expect(t).not.toContain('<!channel>');
      expect(t).not.toContain('<http://evil');
      expect(t).not.toMatch(/&(?!amp;|lt;|gt;)/);
      expect(t).not.toContain('xoxb-1234');
      expect(t).not.toContain('hunter2');
    }
    const joined = all.join('\n');
    expect(joined).toContain('&lt;!channel&gt;');
    expect(joined).toContain('a&amp;b');
    expect(joined).toContain('redis://app:[redacted]@redis:6379');
    // Inside code blocks a backtick from outside can never close the fence: only our own fences remain.
    for (const t of all) {
      for (const block of t.match(/```\n[\s\S]*?\n```/g) ?? []) expect(block.slice(3, -3)).not.toContain('`');
    }
  });
});

describe('rootMessage', () => {
  it('names service, env, runbook and who asked, with the status once known', () => {
    const m = rootMessage({ service: 'redis-master', env: 'prod', runbookTitle: 'Redis pool', requestedBy: 'U123ABC', trigger: 'slash', status: 'warn' });
    const t = allTexts(m.blocks).join('\n');
    expect(t).toContain('`redis-master` / `prod`');
    expect(t).toContain('*Redis pool*');
    expect(t).toContain('asked by <@U123ABC>');
    expect(t).toContain(':large_yellow_circle: *WARN*');
    expect(blockKitViolations(m)).toEqual([]);
  });

  it('says an alert triggered it, and never turns a forged user id into markup', () => {
    const alert = allTexts(rootMessage({ service: 's', env: 'e', runbookTitle: 'R', trigger: 'alert' }).blocks).join('\n');
    expect(alert).toContain('triggered by an alert');
    expect(alert).toContain('diagnosing');
    const forged = allTexts(rootMessage({ service: 's', env: 'e', runbookTitle: 'R', requestedBy: 'U1> <!channel', trigger: 'slash' }).blocks).join('\n');
    expect(forged).not.toContain('<!channel');
    expect(forged).not.toContain('<@U1>');
  });
});

describe('progressMessage', () => {
  it('counts finished checks and gives one short line per finished check', () => {
    const m = progressMessage({
      runbookTitle: 'Redis connection pool exhaustion',
      done: 4,
      total: 6,
      findings: sampleReport().findings,
    });
    const [text] = allTexts(m.blocks);
    expect(text).toContain('4/6 checks done');
    expect(text!.split('\n')).toHaveLength(1 + 4);
    expect(text).toContain(':red_circle: Connected clients — 42 of 50 clients (84%)');
    expect(m.text).toContain('4/6 checks done');
  });

  it('stays within a section when many checks have long summaries', () => {
    const findings = Array.from({ length: 60 }, (_, i) => finding({ checkId: `c${i}`, summary: 'z'.repeat(500) }));
    const m = progressMessage({ runbookTitle: 'R', done: 60, total: 60, findings });
    expect(blockKitViolations(m)).toEqual([]);
  });
});
