import type { Logger } from 'pino';
import type { Finding } from '../domain/finding.js';
import { ConnbotError, errorMessage } from '../errors.js';
import { Integrations } from '../integrations/integrations.js';
import type { ResolvedTarget } from '../catalog/resolve-target.js';
import { buildContext, runDiagnosis } from '../diagnosis/run-diagnosis.js';
import type { ExecutionResult, FindingsById, Remediation, RemediationPlan, VerificationOutcome } from '../runbooks/types.js';
import { silentLogger } from '../log.js';

export interface RemediationOutcome {
  executed: boolean;
  dryRun: boolean;
  execution?: ExecutionResult;
  error?: string;
  before: Finding[];
  after: Finding[];
  verification?: VerificationOutcome;
}

export function findRemediation(resolved: ResolvedTarget, remediationId: string): Remediation {
  const r = resolved.runbook.remediations.find((x) => x.id === remediationId);
  if (!r) {
    throw new ConnbotError('REMEDIATION_FAILED', `runbook ${resolved.runbook.id} has no remediation "${remediationId}"`);
  }
  return r;
}

/**
 * Execute an approved plan exactly as it was shown, then verify by re-running the checks it should improve.
 * `before` is measured right before executing, not taken from the (possibly old) report.
 */
export async function applyRemediation(
  resolved: ResolvedTarget,
  plan: RemediationPlan,
  opts: { dryRun?: boolean; log?: Logger; settleMs?: number } = {},
): Promise<RemediationOutcome> {
  const log = opts.log ?? silentLogger;
  const remediation = findRemediation(resolved, plan.remediationId);
  const integrations = new Integrations(resolved.target, `services.${resolved.service}.envs.${resolved.env}`);
  try {
    const measure = async () =>
      (await runDiagnosis(resolved, { onlyChecks: plan.verifyChecks, integrations, log })).findings;
    const before = await measure();
    if (opts.dryRun) {
      return { executed: false, dryRun: true, before, after: before };
    }
    const ctx = buildContext(resolved, integrations, log, new AbortController().signal);
    let execution: ExecutionResult;
    try {
      execution = await remediation.execute(ctx, plan);
    } catch (err) {
      log.error({ remediation: plan.remediationId, err: errorMessage(err) }, 'remediation failed');
      return { executed: false, dryRun: false, error: errorMessage(err), before, after: [] };
    }
    const settle =
      opts.settleMs ?? (typeof remediation.settleMs === 'function' ? remediation.settleMs(resolved.params) : (remediation.settleMs ?? 0));
    if (settle > 0) await new Promise((r) => setTimeout(r, settle));
    const after = await measure();
    const verification = (remediation.verify ?? defaultVerify)(plan, toMap(before), toMap(after));
    return { executed: true, dryRun: false, execution, before, after, verification };
  } finally {
    await integrations.close();
  }
}

const RANK = { ok: 0, unknown: 1, error: 1, warn: 2, crit: 3 } as const;

/** Better when no verify check got worse and at least one improved or is ok. */
export function defaultVerify(plan: RemediationPlan, before: FindingsById, after: FindingsById): VerificationOutcome {
  const lines: string[] = [];
  let worse = false;
  let better = false;
  for (const id of plan.verifyChecks) {
    const b = before.get(id);
    const a = after.get(id);
    if (!a) continue;
    if (b && RANK[a.status] > RANK[b.status]) worse = true;
    if (!b || RANK[a.status] < RANK[b.status] || a.status === 'ok') better = true;
    lines.push(`${a.title}: ${b ? `${b.status} → ` : ''}${a.status}`);
  }
  const ok = better && !worse;
  return { ok, summary: `${ok ? 'improved' : 'not improved'} — ${lines.join('; ')}` };
}

function toMap(findings: Finding[]): FindingsById {
  return new Map(findings.map((f) => [f.checkId, f]));
}
