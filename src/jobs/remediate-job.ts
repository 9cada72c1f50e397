import type { Job } from 'bullmq';
import type { Runtime } from '../app/runtime.js';
import { cooldownMs } from '../approvals/approval-policy.js';
import { resolveTarget } from '../catalog/resolve-target.js';
import { errorMessage } from '../errors.js';
import { applyRemediation, type RemediationOutcome } from '../remediation/apply-remediation.js';
import { decisionMessage, outcomeMessage } from '../render/slack/report-blocks.js';
import type { RemediationPlan } from '../runbooks/types.js';
import { formatDuration } from '../catalog/duration.js';
import { jobId, type ExpireJob, type RemediateJob } from './queue-names.js';

export type RemediateResult = { executed: boolean; reason?: string; verified?: boolean };

/** The approver's pick (a task count from the menu) replaces the plan's default, and only a value it offered. */
export function planWithChoice(plan: RemediationPlan, chosen: string | undefined): RemediationPlan {
  if (!chosen) return plan;
  const choices = plan.params.choices;
  const n = Number(chosen);
  if (!Array.isArray(choices) || !choices.includes(n)) throw new Error(`"${chosen}" is not one of the plan's choices`);
  const key = typeof plan.params.choiceParam === 'string' ? plan.params.choiceParam : 'desiredCount';
  return { ...plan, params: { ...plan.params, [key]: n }, summary: `${plan.summary} (chosen: ${n})` };
}

/**
 * Execute an approved remediation at most once: the approved→executing transition is a compare-and-set, so a
 * second delivery of this job, or a second replica, finds nothing to do. Then verify and report in the thread.
 */
export async function processRemediateJob(rt: Runtime, job: Job<RemediateJob | ExpireJob>): Promise<RemediateResult> {
  if ('expire' in job.data) return expirePending(rt, job.data.pendingId);
  const { pendingId } = job.data;
  const pending = await rt.pending.get(pendingId);
  const state = await rt.pending.state(pendingId);
  if (!pending || !state) return { executed: false, reason: 'unknown or expired remediation' };
  if (!(await rt.pending.transition(pendingId, 'approved', 'executing'))) {
    return { executed: false, reason: `status is ${state.status}, not approved` };
  }
  const approvedBy = state.decidedBy ?? 'unknown';
  const post = (msg: { text: string; blocks?: unknown[] }, step: string) =>
    rt.outbox.send({ method: 'chat.postMessage', args: { channel: pending.channel, thread_ts: pending.threadTs, ...msg } }, jobId('rem', pendingId, step));
  const log = rt.log.child({ pendingId, remediation: pending.plan.remediationId });

  const cooldownKey = rt.keys.cooldown(pending.plan.remediationId, pending.plan.targetKey);
  const window = cooldownMs(rt.catalog);
  const free = rt.env.DRY_RUN || (await rt.redis.set(cooldownKey, `${pendingId} ${new Date().toISOString()}`, 'PX', window, 'NX')) === 'OK';
  if (!free) {
    const ttl = await rt.redis.pttl(cooldownKey);
    await rt.pending.transition(pendingId, 'executing', 'failed');
    const reason = `refused: ${pending.plan.title} already ran on this target; cool-down ends in ${formatDuration(Math.max(ttl, 0))}`;
    await post({ text: `:no_entry: ${reason}` }, 'cooldown');
    await rt.audit.append({ event: 'remediation.refused', pendingId, reason, remediation: pending.plan.remediationId });
    rt.metrics.remediations.inc({ remediation: pending.plan.remediationId, outcome: 'cooldown' });
    return { executed: false, reason };
  }

  let outcome: RemediationOutcome;
  try {
    const resolved = resolveTarget(rt.catalog, pending.service, pending.env, pending.runbookId);
    const plan = planWithChoice(pending.plan, state.chosen);
    outcome = await applyRemediation(resolved, plan, { dryRun: rt.env.DRY_RUN, log });
  } catch (err) {
    outcome = { executed: false, dryRun: false, error: errorMessage(err), before: [], after: [] };
  }
  const ok = outcome.dryRun || (outcome.executed && outcome.verification?.ok === true);
  // The audit trail first: it is the record of what ran, even if posting the outcome to Slack fails.
  await rt.audit.append({
    event: outcome.error ? 'remediation.failed' : 'remediation.executed',
    pendingId,
    service: pending.service,
    env: pending.env,
    remediation: pending.plan.remediationId,
    approvedBy,
    dryRun: outcome.dryRun,
    result: outcome.error ?? outcome.execution?.summary,
  });
  if (outcome.verification) {
    await rt.audit.append({
      event: 'remediation.verified',
      pendingId,
      ok: outcome.verification.ok,
      summary: outcome.verification.summary,
    });
  }
  rt.metrics.remediations.inc({
    remediation: pending.plan.remediationId,
    outcome: outcome.dryRun ? 'dry-run' : outcome.error ? 'failed' : ok ? 'verified' : 'not-verified',
  });
  await rt.pending.transition(pendingId, 'executing', outcome.error ? 'failed' : 'done');
  await post(outcomeMessage({ plan: pending.plan, outcome, approvedBy }), 'outcome');
  return { executed: outcome.executed, verified: outcome.verification?.ok ?? false };
}

/** Nobody decided in time: the buttons become "expired", so nobody presses a stale plan at 3 a.m. */
async function expirePending(rt: Runtime, pendingId: string): Promise<RemediateResult> {
  const pending = await rt.pending.get(pendingId);
  if (!pending) return { executed: false, reason: 'unknown' };
  const r = await rt.pending.dismiss(pendingId, 'connbot', 'expired');
  if (r.kind !== 'ok') return { executed: false, reason: 'already decided' };
  await rt.audit.append({ event: 'remediation.dismissed', pendingId, reason: 'expired', remediation: pending.plan.remediationId });
  if (pending.messageTs) {
    const msg = decisionMessage({ plan: pending.plan, decision: 'expired', at: new Date() });
    await rt.outbox.send({ method: 'chat.update', args: { channel: pending.channel, ts: pending.messageTs, ...msg } });
  }
  return { executed: false, reason: 'expired' };
}
