import type { Logger } from 'pino';
import type { Finding } from '../domain/finding.js';
import { ConnbotError, errorMessage } from '../errors.js';
import { Integrations } from '../integrations/integrations.js';
import type { ResolvedTarget } from '../catalog/resolve-target.js';
import { buildContext } from '../diagnosis/run-diagnosis.js';
import { runCheck } from '../diagnosis/run-checks.js';
import type {
  AfterRemediation,
  ExecutionResult,
  FindingsById,
  Remediation,
  RemediationContext,
  RemediationPlan,
  VerificationOutcome,
} from '../runbooks/types.js';
import { silentLogger } from '../log.js';

export interface RemediationOutcome {
  /** Something changed: the whole plan ran, or part of it (see `partial`). */
  executed: boolean;
  dryRun: boolean;
  execution?: ExecutionResult;
  /** Set when the plan failed before any change landed: nothing was executed. */
  error?: string;
  /** Set when the plan failed after some of its changes landed: what is done, and what failed. */
  partial?: { done: string[]; failed: string };
  /** The changes execute() reported as they landed (ctx.changed), in order. */
  changes?: string[];
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
 * `before` is measured right before executing, not taken from the (possibly old) report. What execute() returned
 * is handed on explicitly: to the re-run checks (ctx.afterRemediation) and to verify(); nothing about the change
 * travels through the integrations.
 */
export async function applyRemediation(
  resolved: ResolvedTarget,
  plan: RemediationPlan,
  opts: { dryRun?: boolean; log?: Logger; settleMs?: number; maxRunMs?: number } = {},
): Promise<RemediationOutcome> {
  const log = opts.log ?? silentLogger;
  const remediation = findRemediation(resolved, plan.remediationId);
  const integrations = new Integrations(resolved.target, `services.${resolved.service}.envs.${resolved.env}`);
  try {
    const checks = resolved.runbook.checks.filter((c) => plan.verifyChecks.includes(c.id));
    const measure = async (afterRemediation?: AfterRemediation) => {
      const ctx = {
        ...buildContext(resolved, integrations, log, new AbortController().signal),
        ...(afterRemediation ? { afterRemediation } : {}),
      };
      return Promise.all(checks.map((check) => runCheck(check, ctx)));
    };
    const before = await measure();
    if (opts.dryRun) {
      return { executed: false, dryRun: true, before, after: before };
    }
    const changes: string[] = [];
    const maxRunMs = opts.maxRunMs ?? valueFor(remediation.maxRunMs, resolved.params) ?? DEFAULT_MAX_RUN_MS;
    const deadline = new AbortController();
    const ctx: RemediationContext = {
      ...buildContext(resolved, integrations, log, deadline.signal),
      changed: (description) => {
        changes.push(description);
        log.info({ remediation: plan.remediationId, change: description }, 'remediation change landed');
      },
    };
    let execution: ExecutionResult;
    let partial: RemediationOutcome['partial'];
    try {
      execution = await runWithin(() => remediation.execute(ctx, plan), maxRunMs, deadline);
    } catch (err) {
      const failed = failureText(err);
      if (changes.length === 0) {
        log.error({ remediation: plan.remediationId, err: errorMessage(err) }, 'remediation failed before changing anything');
        return { executed: false, dryRun: false, error: errorMessage(err), changes: [], before, after: [] };
      }
      // Half-finished: say what is already changed, then measure, so nobody reads "failed" as "nothing happened".
      log.error({ remediation: plan.remediationId, err: failed, done: changes }, 'remediation partly done');
      partial = { done: [...changes], failed };
      execution = { summary: `partly done — done: ${changes.join('; ')}; failed: ${failed}` };
    }
    // After a partial run the checks re-run at once: the failure must be reported now, not after a settle wait.
    const settle = partial
      ? 0
      : (opts.settleMs ??
        (typeof remediation.settleMs === 'function' ? remediation.settleMs(resolved.params) : (remediation.settleMs ?? 0)));
    if (settle > 0) await new Promise((r) => setTimeout(r, settle));
    const after = await measure({ plan, execution });
    const verification = remediation.verify
      ? remediation.verify(plan, toMap(before), toMap(after), execution)
      : defaultVerify(plan, toMap(before), toMap(after));
    return { executed: true, dryRun: false, execution, ...(partial ? { partial } : {}), changes: [...changes], before, after, verification };
  } finally {
    await integrations.close();
  }
}

/** After the deadline's abort, how long execute() has to wind down and report how far it got itself. */
const WIND_DOWN_MS = 10_000;
const DEFAULT_MAX_RUN_MS = 30 * 60_000;

function valueFor<P>(v: number | ((p: P) => number) | undefined, params: P): number | undefined {
  return typeof v === 'function' ? v(params) : v;
}

/**
 * execute() under its deadline: at maxRunMs its signal is aborted (waits end, abortable calls stop); if it has not
 * returned WIND_DOWN_MS later, it is abandoned and the run fails with that reason. A hung call that ignores the
 * signal then cannot hold the run, its target lock and its cool-down for ever.
 */
async function runWithin<T>(work: () => Promise<T>, maxRunMs: number, deadline: AbortController): Promise<T> {
  let abortTimer: ReturnType<typeof setTimeout> | undefined;
  let giveUpTimer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      work(),
      new Promise<never>((_, reject) => {
        abortTimer = setTimeout(() => deadline.abort(new Error(`run deadline of ${Math.round(maxRunMs / 1000)} s reached`)), maxRunMs);
        giveUpTimer = setTimeout(
          () => reject(new ConnbotError('REMEDIATION_FAILED', `did not finish within ${Math.round((maxRunMs + WIND_DOWN_MS) / 1000)} s; abandoned (a call to the target did not answer)`)),
          maxRunMs + WIND_DOWN_MS,
        );
      }),
    ]);
  } finally {
    clearTimeout(abortTimer);
    clearTimeout(giveUpTimer);
  }
}

/** The error, and what to do about it when the error says (an IAM grant, …). */
function failureText(err: unknown): string {
  const hint = err instanceof ConnbotError && err.hint ? ` (next: ${err.hint})` : '';
  return `${errorMessage(err)}${hint}`;
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
