import { describe, expect, it } from 'vitest';
import type { RemediationOutcome } from '../../../src/remediation/apply-remediation.js';
import {
  decisionMessage,
  errorMessage,
  helpMessage,
  listMessage,
  outcomeMessage,
  remediationMessage,
} from '../../../src/render/slack/report-blocks.js';
import { allTexts, finding, killIdlePlan } from '../sample-report.js';
import { blockKitViolations } from './block-kit-limits.js';

const base = {
  plan: killIdlePlan,
  pendingId: 'pend_7f3a',
  expiresAt: '2026-05-01T03:27:00.000Z',
  approversText: '<!subteam^S0ONCALL>',
  dryRun: false,
};

function actions(m: { blocks: unknown[] }) {
  return m.blocks.filter((b) => (b as { type: string }).type === 'actions') as Array<{
    block_id: string;
    elements: Array<Record<string, unknown>>;
  }>;
}

describe('remediationMessage', () => {
  it('shows the plan verbatim and offers Approve (primary, confirmed) and Dismiss carrying only the pending id', () => {
    const m = remediationMessage(base);
    expect(blockKitViolations(m)).toEqual([]);
    const t = allTexts(m.blocks).join('\n');
    expect(t).toContain('*Proposed remediation: Kill idle client connections*');
    expect(t).toContain('low risk');
    expect(t).toContain(killIdlePlan.summary);
    expect(t).toContain('1. CLIENT LIST, keep clients with idle &gt; 600 s');
    expect(t).toContain('2. CLIENT KILL ID &lt;id&gt; SKIPME yes');
    expect(t).toContain('• Leaking apps will leak again');
    expect(t).toContain('Approvers: <!subteam^S0ONCALL>');
    expect(t).toContain('expires at 03:27 UTC');
    const [block] = actions(m);
    expect(block!.block_id).toContain('pend_7f3a');
    const [approve, dismiss] = block!.elements;
    expect(approve).toMatchObject({ type: 'button', action_id: 'remediation.approve', style: 'primary', value: 'pend_7f3a' });
    expect(dismiss).toMatchObject({ type: 'button', action_id: 'remediation.dismiss', value: 'pend_7f3a' });
    expect(dismiss!.confirm).toBeUndefined();
    const confirm = approve!.confirm as { text: { type: string; text: string }; confirm: { text: string } };
    expect(confirm.text).toEqual({ type: 'mrkdwn', text: killIdlePlan.summary });
    // The plan itself never travels in a button.
    expect(JSON.stringify(block)).not.toContain('"ids"');
  });

  it('offers a select of numeric choices, each option carrying the pending id and the choice, plus Dismiss', () => {
    const plan = { ...killIdlePlan, remediationId: 'scale-up', params: { choices: [3, 4, 6] } };
    const m = remediationMessage({ ...base, plan });
    expect(blockKitViolations(m)).toEqual([]);
    const [block] = actions(m);
    const [select, dismiss] = block!.elements;
    expect(select).toMatchObject({ type: 'static_select', action_id: 'remediation.approve.choice' });
    expect((select!.options as Array<{ value: string; text: { text: string } }>).map((o) => [o.text.text, o.value])).toEqual([
      ['3', 'pend_7f3a|3'],
      ['4', 'pend_7f3a|4'],
      ['6', 'pend_7f3a|6'],
    ]);
    expect(select!.confirm).toBeDefined();
    expect(dismiss).toMatchObject({ action_id: 'remediation.dismiss', value: 'pend_7f3a' });
    expect(block!.elements.some((e) => e.action_id === 'remediation.approve')).toBe(false);
  });

  it('falls back to one Approve button when choices are not all numbers', () => {
    const plan = { ...killIdlePlan, params: { choices: [3, 'all'] } };
    const [block] = actions(remediationMessage({ ...base, plan }));
    expect(block!.elements.map((e) => e.action_id)).toEqual(['remediation.approve', 'remediation.dismiss']);
  });

  it('truncates a long summary in the confirm dialog, says dry run, and keeps every limit', () => {
    const plan = { ...killIdlePlan, summary: `Kill ${'many '.repeat(200)}connections`, steps: Array.from({ length: 200 }, (_, i) => `step ${i} ${'z'.repeat(50)}`) };
    const m = remediationMessage({ ...base, plan, dryRun: true });
    expect(blockKitViolations(m)).toEqual([]);
    const approve = actions(m)[0]!.elements[0]!;
    expect(approve.text).toMatchObject({ text: 'Approve (dry run)' });
    expect((approve.confirm as { text: { text: string } }).text.text).toMatch(/^Kill many/);
    expect(allTexts(m.blocks).join('\n')).toContain('DRY_RUN');
    expect(allTexts(m.blocks).join('\n')).toContain('… truncated');
  });

  it('keeps approver mentions live but escapes anything else in the approvers text and the plan', () => {
    const plan = { ...killIdlePlan, title: 'Kill <!here>', summary: 'kill `x` <http://evil|y> & co', notes: ['token xoxb-99-abc'] };
    const m = remediationMessage({ ...base, plan, approversText: '<@U0LEAD> <!channel> <!subteam^S0ONCALL|@oncall>' });
    const all = [...allTexts(m.blocks), m.text].join('\n');
    expect(all).toContain('<@U0LEAD> &lt;!channel&gt; <!subteam^S0ONCALL|@oncall>');
    expect(all).not.toContain('<!here>');
    expect(all).not.toContain('<http://evil');
    expect(all).not.toContain('xoxb-99');
    expect(all).toContain('&amp; co');
  });
});

describe('decisionMessage', () => {
  it('replaces the buttons with who approved and when', () => {
    const m = decisionMessage({ plan: killIdlePlan, decision: 'approved', by: 'U1ALICE', at: new Date('2026-05-01T03:12:40Z') });
    expect(actions(m)).toHaveLength(0);
    const t = allTexts(m.blocks).join('\n');
    expect(t).toContain('Approved by <@U1ALICE> at 03:12 UTC');
    expect(t).toContain('*Proposed remediation: Kill idle client connections*');
    expect(blockKitViolations(m)).toEqual([]);
  });

  it('says dismissed with a note, or expired', () => {
    const d = allTexts(decisionMessage({ plan: killIdlePlan, decision: 'dismissed', by: 'U2BOB', at: new Date('2026-05-01T04:05:00Z'), note: 'not <!everyone>' }).blocks).join('\n');
    expect(d).toContain('Dismissed by <@U2BOB> at 04:05 UTC');
    expect(d).toContain('not &lt;!everyone&gt;');
    const e = allTexts(decisionMessage({ plan: killIdlePlan, decision: 'expired', at: new Date('2026-05-01T03:27:00Z') }).blocks).join('\n');
    expect(e).toContain('Expired at 03:27 UTC');
  });
});

describe('outcomeMessage', () => {
  const before = [
    finding({ checkId: 'connected-clients', title: 'Connected clients', status: 'crit', summary: '42 of 50 clients (84%)' }),
    finding({ checkId: 'idle-connections', title: 'Idle connections', status: 'crit', summary: '36 idle' }),
  ];
  const after = [
    finding({ checkId: 'connected-clients', title: 'Connected clients', status: 'ok', summary: '6 of 50 clients (12%)' }),
    finding({ checkId: 'idle-connections', title: 'Idle connections', status: 'ok', summary: '0 idle' }),
  ];

  it('shows the execution result, then before/after for each verify check, then the verdict', () => {
    const outcome: RemediationOutcome = {
      executed: true,
      dryRun: false,
      execution: { summary: 'killed 36 of 36 clients', details: [{ kind: 'table', columns: ['id', 'name'], rows: [['7', 'leaky-worker-1']] }] },
      before,
      after,
      verification: { ok: true, summary: 'improved — Connected clients: crit → ok; Idle connections: crit → ok' },
    };
    const m = outcomeMessage({ plan: killIdlePlan, outcome, approvedBy: 'U1ALICE' });
    expect(blockKitViolations(m)).toEqual([]);
    const t = allTexts(m.blocks).join('\n');
    expect(t).toContain('Executed *Kill idle client connections* (approved by <@U1ALICE>): killed 36 of 36 clients');
    expect(t).toContain('leaky-worker-1');
    expect(t).toContain('*Before*\n:red_circle: CRIT — 42 of 50 clients (84%)');
    expect(t).toContain('*After*\n:large_green_circle: OK — 6 of 50 clients (12%)');
    expect(t).toContain(':white_check_mark: *Verified: improved*');
    expect(t.indexOf('killed 36')).toBeLessThan(t.indexOf('*Before*'));
    expect(t.indexOf('*Before*')).toBeLessThan(t.indexOf('Verified'));
    expect(m.text).toContain('verified');
  });

  it('reports a failure with its error, and a dry run without an "after"', () => {
    const failed = outcomeMessage({
      plan: killIdlePlan,
      outcome: { executed: false, dryRun: false, error: 'NOPERM `x`', before, after: [] },
      approvedBy: 'U1ALICE',
    });
    const f = allTexts(failed.blocks).join('\n');
    expect(f).toContain(':x: *Kill idle client connections* failed');
    expect(f).toContain("NOPERM 'x'");
    const dry = allTexts(outcomeMessage({ plan: killIdlePlan, outcome: { executed: false, dryRun: true, before, after: before }, approvedBy: 'U1ALICE' }).blocks).join('\n');
    expect(dry).toContain('Dry run');
    expect(dry).toContain('*Now*\n:red_circle: CRIT');
    expect(dry).not.toContain('*After*');
  });

  it('fits in one message when a plan verifies many checks', () => {
    const many = Array.from({ length: 40 }, (_, i) => finding({ checkId: `c${i}`, title: `C${i}` }));
    const plan = { ...killIdlePlan, verifyChecks: many.map((f) => f.checkId) };
    const m = outcomeMessage({
      plan,
      outcome: { executed: true, dryRun: false, execution: { summary: 'x' }, before: many, after: many, verification: { ok: false, summary: 'not improved' } },
      approvedBy: 'U1ALICE',
    });
    expect(blockKitViolations(m)).toEqual([]);
    const t = allTexts(m.blocks).join('\n');
    expect(t).toMatch(/… truncated, \d+ more verify checks/);
    expect(t).toContain('Not verified');
  });
});

describe('help, list and errors', () => {
  const services = [
    { name: 'redis-master', envs: ['prod'], runbooks: ['redis-pool-exhaustion'], description: 'Shared Redis <!here>' },
    { name: 'tickstorm', envs: ['prod', 'staging'], runbooks: ['connection-drop-rate'] },
  ];

  it('help gives the grammar, an example from the catalog and the services', () => {
    const t = allTexts(helpMessage(services).blocks).join('\n');
    expect(t).toContain('`/conn check <service> <env> [runbook]`');
    expect(t).toContain('`/conn list`');
    expect(t).toContain('`/conn check redis-master prod`');
    expect(t).toContain('*tickstorm*');
  });

  it('list names each service with envs, runbooks and its escaped description, within limits', () => {
    const m = listMessage(services);
    const t = allTexts(m.blocks).join('\n');
    expect(t).toContain('*redis-master* — Shared Redis &lt;!here&gt;');
    expect(t).toContain('envs: `prod` `staging` · runbooks: connection-drop-rate');
    const big = listMessage(Array.from({ length: 500 }, (_, i) => ({ name: `svc-${i}`, envs: ['prod'], runbooks: ['r'], description: 'd'.repeat(150) })));
    expect(blockKitViolations(big)).toEqual([]);
  });

  it('errorMessage escapes what the user typed', () => {
    const m = errorMessage('unknown service "<!channel>" — did you mean "redis-master"?');
    expect(allTexts(m.blocks).join('')).toContain('&lt;!channel&gt;');
    expect(m.text).not.toContain('<!channel>');
  });
});
