import type { Finding, Status } from '../../../domain/finding.js';
import type { FindingsById, RemediationPlan, VerificationOutcome } from '../../types.js';

/**
 * Better when every required check that ran afterwards is ok (a skipped one has nothing to say); the others in
 * `ids` are shown, not judged. `extra` adds a remediation's own condition, such as "ready replicas reached N".
 */
export function verifyAllOk(
  ids: readonly string[],
  before: FindingsById,
  after: FindingsById,
  opts: { required?: readonly string[]; extra?: { ok: boolean; text: string } } = {},
): VerificationOutcome {
  const { extra } = opts;
  const required = new Set(opts.required ?? ids);
  const lines: string[] = [];
  let ok = extra?.ok ?? true;
  let measured = 0;
  for (const id of ids) {
    const a = after.get(id);
    if (!a || a.skipped) continue;
    if (required.has(id)) {
      measured += 1;
      if (a.status !== 'ok') ok = false;
    }
    const b = before.get(id);
    lines.push(`${a.title}: ${b && !b.skipped ? `${b.status} → ` : ''}${a.status}${a.status === 'ok' ? '' : ` (${a.summary})`}`);
  }
  if (measured === 0) ok = false;
  if (extra) lines.unshift(extra.text);
  return { ok, summary: `${ok ? 'recovered' : 'not recovered'} — ${lines.join('; ')}` };
}

const RANK = { ok: 0, unknown: 1, error: 1, warn: 2, crit: 3 } as const;

/**
 * A re-run finding's status as a verification should read it, with the numbers to show — for checks whose own
 * status lags (a 5-minute rate still holds the minutes before the change). Undefined: the finding's status.
 * A judge that answers unknown (nothing measured since the change) makes the finding "not re-measured".
 */
export type FindingJudge = (f: Finding) => { status: Status; text: string } | undefined;

/** The check ids a plan was offered for (plan.params.triggeredBy). */
export function planTriggers(plan: RemediationPlan): string[] {
  const raw = plan.params.triggeredBy;
  return Array.isArray(raw) ? raw.filter((x): x is string => typeof x === 'string') : [];
}

/**
 * Verification of a remediation offered for some findings (`mustImprove`): each of those must have been
 * re-measured and be back under the line it had crossed — ok, or crit → warn (then it is "improved", not
 * "recovered"); a trigger that could not be re-measured was not seen to improve. `mustBeOk` (the workload's own
 * state) must be ok; every other check in `ids` must not have got worse.
 */
export function verifyImproved(
  ids: readonly string[],
  before: FindingsById,
  after: FindingsById,
  opts: { mustBeOk?: readonly string[]; mustImprove: readonly string[]; judges?: Record<string, FindingJudge>; extra?: { ok: boolean; text: string } },
): VerificationOutcome {
  const mustBeOk = new Set(opts.mustBeOk ?? []);
  const mustImprove = new Set(opts.mustImprove.filter((id) => !mustBeOk.has(id)));
  const lines: string[] = opts.extra ? [opts.extra.text] : [];
  let ok = opts.extra?.ok ?? true;
  let allRecovered = true;
  for (const id of [...new Set([...ids, ...mustImprove])]) {
    const a = after.get(id);
    const b = before.get(id);
    const judge = opts.judges?.[id];
    // Before: the status that triggered the remediation. After: as the judge reads it, where there is one.
    const was = b && !b.skipped ? { status: b.status } : undefined;
    if (!a || a.skipped || a.status === 'error' || a.status === 'unknown') {
      if (mustImprove.has(id) || mustBeOk.has(id)) {
        ok = false;
        lines.push(`${a?.title ?? id}: not re-measured (${a ? (a.skipped ?? a.summary) : 'did not run'}), so not verified`);
      }
      continue;
    }
    const now = judge?.(a) ?? { status: a.status, text: '' };
    // The judge could not read what it judges on (no rate since the change): not re-measured either.
    if (now.status === 'error' || now.status === 'unknown') {
      if (mustImprove.has(id) || mustBeOk.has(id)) {
        ok = false;
        lines.push(`${a.title}: not re-measured (${now.text || a.summary}), so not verified`);
      }
      continue;
    }
    const detail = now.text || (now.status === 'ok' ? '' : a.summary);
    const shown = `${a.title}: ${was ? `${was.status} → ` : ''}${now.status}${detail ? ` (${detail})` : ''}`;
    if (mustBeOk.has(id)) {
      if (now.status !== 'ok') ok = false;
    } else if (mustImprove.has(id)) {
      if (now.status !== 'ok') allRecovered = false;
      const better = now.status === 'ok' || (was !== undefined && RANK[now.status] < RANK[was.status]);
      if (!better) ok = false;
    } else if (was && RANK[now.status] > RANK[was.status]) {
      ok = false;
    }
    lines.push(shown);
  }
  const word = !ok ? 'not recovered' : allRecovered ? 'recovered' : 'improved';
  return { ok, summary: `${word} — ${lines.join('; ')}` };
}
