import type { RemediationOutcome } from '../../remediation/apply-remediation.js';
import type { RemediationPlan } from '../../runbooks/types.js';
import { paint, safeLine, safeText } from './ansi.js';
import { detailsText, indent, statusLabel, type TextOptions } from './report-text.js';

/** A plan exactly as an approver sees it. */
export function planText(plan: RemediationPlan, opts: TextOptions = {}): string {
  const p = paint(opts.colour ?? false);
  const out = [
    `${p.bold(`Proposed remediation: ${safeLine(plan.title)}`)}  [${plan.risk} risk]`,
    safeText(plan.summary),
    '',
    'Steps:',
    ...plan.steps.flatMap((s, i) => {
      const [first, ...rest] = safeText(s).split('\n');
      return [`  ${i + 1}. ${first ?? ''}`, ...rest.map((l) => `     ${l}`)];
    }),
  ];
  if (plan.notes?.length) out.push('', 'Notes:', ...plan.notes.map((n) => `  • ${safeLine(n)}`));
  out.push('', p.dim(`target ${safeLine(plan.targetKey)} · verified by re-running: ${plan.verifyChecks.map(safeLine).join(', ')}`));
  return `${out.join('\n')}\n`;
}

/** What ran, then each verify check before → after, then the verdict. */
export function outcomeText(plan: RemediationPlan, outcome: RemediationOutcome, opts: TextOptions = {}): string {
  const p = paint(opts.colour ?? false);
  const out: string[] = [];
  if (outcome.dryRun) {
    out.push(p.bold(`Dry run: ${safeLine(plan.title)} was not executed.`));
  } else if (outcome.error !== undefined) {
    out.push(p.status('crit', p.bold(`Failed: ${safeLine(plan.title)}`)), `  ${safeLine(outcome.error)}`);
  } else if (outcome.partial) {
    out.push(p.status('crit', p.bold(`Partly done: ${safeLine(plan.title)}`)));
    out.push(...outcome.partial.done.map((d) => `  done:   ${safeLine(d)}`), `  failed: ${safeLine(outcome.partial.failed)}`);
  } else if (outcome.execution) {
    out.push(p.bold(`Executed: ${safeLine(plan.title)}`), `  ${safeLine(outcome.execution.summary)}`);
    out.push(...indent(detailsText(outcome.execution.details ?? []), 4));
  }
  const after = new Map(outcome.after.map((f) => [f.checkId, f]));
  const before = new Map(outcome.before.map((f) => [f.checkId, f]));
  const ids = plan.verifyChecks.filter((id) => before.has(id) || after.has(id));
  if (ids.length > 0) {
    out.push('', p.bold(outcome.executed ? 'Verification (before → after)' : 'Current state'));
    for (const id of ids) {
      const b = before.get(id);
      const a = outcome.executed ? after.get(id) : undefined;
      out.push(`  ${safeLine((a ?? b)!.title)}`);
      if (b) out.push(`    before: ${p.status(b.status, statusLabel(b.status))} — ${safeLine(b.summary)}`);
      if (a) out.push(`    after:  ${p.status(a.status, statusLabel(a.status))} — ${safeLine(a.summary)}`);
    }
  }
  if (outcome.verification) {
    const v = outcome.verification;
    out.push('', p.bold(p.status(v.ok ? 'ok' : 'crit', `Verification: ${v.ok ? 'improved' : 'NOT improved'}`)), `  ${safeLine(v.summary)}`);
  }
  return `${out.join('\n')}\n`;
}
