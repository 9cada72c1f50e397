import type { FindingsById, VerificationOutcome } from '../../types.js';

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
