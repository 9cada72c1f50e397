import type { Job } from 'bullmq';
import type { Runtime } from '../app/runtime.js';
import { approvalPolicy, cooldownMs, describeApprovers } from '../approvals/approval-policy.js';
import { resolveTarget } from '../catalog/resolve-target.js';
import { errorMessage } from '../errors.js';
import { escapeMrkdwn } from '../render/slack/mrkdwn.js';
import { applyRemediation, type RemediationOutcome } from '../remediation/apply-remediation.js';
import {
  deleteIfValue,
  expireIfValue,
  TARGET_LOCK_TTL_MS,
  TargetLock,
  targetBusyText,
  type TargetLockHolder,
} from '../remediation/target-lock.js';
import { decisionMessage, outcomeMessage, remediationMessage } from '../render/slack/report-blocks.js';
import type { RemediationPlan } from '../runbooks/types.js';
import { formatDuration } from '../catalog/duration.js';
import { jobId, type ExpireJob, type PendingRemediation, type RemediateJob } from './queue-names.js';

export type RemediateResult = { executed: boolean; reason?: string; verified?: boolean; partial?: boolean };

/** The approver's pick (a task count from the menu) replaces the plan's default, and only a value it offered. */
export function planWithChoice(plan: RemediationPlan, chosen: string | undefined): RemediationPlan {
  if (!chosen) return plan;
  const choices = plan.params.choices;
  const n = Number(chosen);
  if (!Array.isArray(choices) || !choices.includes(n)) throw new Error(`"${chosen}" is not one of the plan's choices`);
  const key = typeof plan.params.choiceParam === 'string' ? plan.params.choiceParam : 'desiredCount';
  return { ...plan, params: { ...plan.params, [key]: n }, summary: `${plan.summary} (chosen: ${n})` };
}

/** Lock and cool-down timings; the defaults are for production, tests shorten them. */
export interface RemediateTimings {
  lockTtlMs?: number;
  lockRenewMs?: number;
}

/**
 * Execute an approved remediation at most once: the approved→executing transition is a compare-and-set, so a
 * second delivery of this job, or a second replica, finds nothing to do. Then verify and report in the thread.
 *
 * Around the run: one remediation at a time per target (any remediation: a lock on the plan's targetKey held for
 * the whole run), and the cool-down of this remediation on this target, which covers the run and then the whole
 * window counted from when the run ended. A run that failed before changing anything releases its cool-down, so a
 * retry after fixing the cause (an IAM grant) is allowed at once.
 */
export async function processRemediateJob(rt: Runtime, job: Job<RemediateJob | ExpireJob>, timings: RemediateTimings = {}): Promise<RemediateResult> {
  if ('expire' in job.data) return expirePending(rt, job.data.pendingId);
  const { pendingId } = job.data;
  const pending = await rt.pending.get(pendingId);
  const state = await rt.pending.state(pendingId);
  if (!pending || !state) return { executed: false, reason: 'unknown or expired remediation' };
  if (!(await rt.pending.transition(pendingId, 'approved', 'executing'))) {
    // Running already, and this is the job again after its worker died mid-run (BullMQ's stalled-job recovery):
    // the run cannot be resumed, and the thread must not wait forever for an outcome that will not come.
    if (state.status === 'executing' && job.attemptsStarted > 1) {
      const { marked: _, ...result } = await interrupted(rt, pending, 'the worker running it stopped (restart or crash)');
      return result;
    }
    return { executed: false, reason: `status is ${state.status}, not approved` };
  }
  const approvedBy = state.decidedBy ?? 'unknown';
  // A reopened remediation can be approved again: each round posts its own messages.
  const step = (name: string) => (state.round > 1 ? `${name}-r${state.round}` : name);
  const post = (msg: { text: string; blocks?: unknown[] }, name: string) =>
    rt.outbox.send(
      { method: 'chat.postMessage', args: { channel: pending.channel, thread_ts: pending.threadTs, ...msg } },
      jobId('rem', pendingId, step(name)),
    );
  const log = rt.log.child({ pendingId, remediation: pending.plan.remediationId });
  try {
    return await runApproved(rt, pending, state, approvedBy, post, log, timings);
  } catch (err) {
    // Redis or Slack failed around the run (taking the lock, the cool-down, the audit): say so rather than leave
    // the plan "running" with no outcome. Once the outcome is recorded, the failure is only the report's.
    log.error({ err: errorMessage(err) }, 'remediation run interrupted');
    const { marked, ...result } = await interrupted(rt, pending, errorMessage(err));
    if (!marked) throw err;
    return result;
  }
}

async function runApproved(
  rt: Runtime,
  pending: PendingRemediation,
  state: { chosen?: string | undefined },
  approvedBy: string,
  post: (msg: { text: string; blocks?: unknown[] }, name: string) => Promise<unknown>,
  log: Runtime['log'],
  timings: RemediateTimings,
): Promise<RemediateResult> {
  const pendingId = pending.id;
  const { plan } = pending;
  if (rt.env.DRY_RUN) {
    const outcome = await run(rt, pending, state.chosen, log);
    return report(rt, pending, approvedBy, outcome, post);
  }

  const holder: TargetLockHolder = {
    pendingId,
    remediationId: plan.remediationId,
    title: plan.title,
    approvedBy,
    since: new Date().toISOString(),
  };
  const cooldownKey = rt.keys.cooldown(plan.remediationId, plan.targetKey);
  const cooldownValue = `${pendingId} ${holder.since}`;
  const window = cooldownMs(rt.catalog);
  const lockTtlMs = timings.lockTtlMs ?? TARGET_LOCK_TTL_MS;
  const acquired = await TargetLock.acquire(rt.redis, rt.keys, plan.targetKey, holder, {
    ttlMs: lockTtlMs,
    ...(timings.lockRenewMs ? { renewMs: timings.lockRenewMs } : {}),
    // While the run lasts, the cool-down keeps covering it plus a whole window.
    onRenew: () => expireIfValue(rt.redis, cooldownKey, cooldownValue, lockTtlMs + window),
  });
  if ('heldBy' in acquired) return refuseBusy(rt, pending, approvedBy, acquired.heldBy, post);
  const { lock } = acquired;

  let outcome: RemediationOutcome;
  try {
    const free = (await rt.redis.set(cooldownKey, cooldownValue, 'PX', lockTtlMs + window, 'NX')) === 'OK';
    if (!free) {
      const ttl = await rt.redis.pttl(cooldownKey);
      await rt.pending.transition(pendingId, 'executing', 'failed');
      const reason = `refused: ${plan.title} already ran on this target; cool-down ends in ${formatDuration(Math.max(ttl, 0))}`;
      await post({ text: `:no_entry: ${reason}` }, 'cooldown');
      await rt.audit.append({ event: 'remediation.refused', pendingId, reason, remediation: plan.remediationId });
      rt.metrics.remediations.inc({ remediation: plan.remediationId, outcome: 'cooldown' });
      return { executed: false, reason };
    }
    outcome = await run(rt, pending, state.chosen, log);
    if (changedSomething(outcome)) {
      // Counted from the end of the run, so the window is whole however long the rollout took.
      await rt.redis.set(cooldownKey, cooldownValue, 'PX', window);
    } else {
      // Nothing changed (refused by AWS on the first call, plan out of date, out of bounds, every client spared):
      // a retry is allowed.
      await deleteIfValue(rt.redis, cooldownKey, cooldownValue);
    }
  } finally {
    await lock.release();
  }
  return report(rt, pending, approvedBy, outcome, post);
}

/** The cool-down is for runs that changed the target: a run that only looked (everything spared) leaves none. */
function changedSomething(outcome: RemediationOutcome): boolean {
  return outcome.executed && (outcome.changes?.length ?? 0) > 0;
}

/** The run ended without an outcome: mark it failed, say so in the thread, audit it. What landed is unknown. */
async function interrupted(rt: Runtime, pending: PendingRemediation, why: string): Promise<RemediateResult & { marked: boolean }> {
  const reason = `interrupted: ${why}`;
  // Only a run still marked as running: one that reached its outcome has been reported (or is being).
  if (!(await rt.pending.transition(pending.id, 'executing', 'failed'))) return { executed: false, reason, marked: false };
  await rt.audit.append({ event: 'remediation.failed', pendingId: pending.id, reason, remediation: pending.plan.remediationId });
  rt.metrics.remediations.inc({ remediation: pending.plan.remediationId, outcome: 'interrupted' });
  await rt.outbox.send(
    {
      method: 'chat.postMessage',
      args: {
        channel: pending.channel,
        thread_ts: pending.threadTs,
        text:
          `:warning: *${escapeMrkdwn(pending.plan.title)}* was interrupted (${escapeMrkdwn(why)}). Whether its change landed is unknown: ` +
          `check ${escapeMrkdwn(pending.plan.targetKey)} before doing anything else, then run the check again for a fresh plan.`,
      },
    },
    jobId('rem', pending.id, 'interrupted'),
  );
  return { executed: false, reason, marked: true };
}

async function run(rt: Runtime, pending: PendingRemediation, chosen: string | undefined, log: Runtime['log']): Promise<RemediationOutcome> {
  try {
    const resolved = resolveTarget(rt.catalog, pending.service, pending.env, pending.runbookId);
    const plan = planWithChoice(pending.plan, chosen);
    return await applyRemediation(resolved, plan, { dryRun: rt.env.DRY_RUN, log });
  } catch (err) {
    return { executed: false, dryRun: false, error: errorMessage(err), before: [], after: [] };
  }
}

async function report(
  rt: Runtime,
  pending: PendingRemediation,
  approvedBy: string,
  outcome: RemediationOutcome,
  post: (msg: { text: string; blocks?: unknown[] }, name: string) => Promise<unknown>,
): Promise<RemediateResult> {
  const pendingId = pending.id;
  const { plan } = pending;
  const ok = outcome.dryRun || (outcome.executed && !outcome.partial && outcome.verification?.ok === true);
  const kind = outcome.dryRun ? 'dry-run' : outcome.error !== undefined ? 'failed' : outcome.partial ? 'partial' : 'executed';
  // The audit trail first: it is the record of what ran, even if posting the outcome to Slack fails.
  await rt.audit.append({
    event: outcome.error !== undefined ? 'remediation.failed' : 'remediation.executed',
    outcome: kind,
    pendingId,
    service: pending.service,
    env: pending.env,
    remediation: plan.remediationId,
    approvedBy,
    dryRun: outcome.dryRun,
    result: outcome.error ?? outcome.execution?.summary,
    done: outcome.partial?.done.join('; '),
    failed: outcome.partial?.failed,
    cooldown: outcome.dryRun ? undefined : changedSomething(outcome) ? 'started' : 'released (nothing changed)',
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
    remediation: plan.remediationId,
    outcome: kind === 'executed' ? (ok ? 'verified' : 'not-verified') : kind,
  });
  await rt.pending.transition(pendingId, 'executing', kind === 'failed' ? 'failed' : kind === 'partial' ? 'partial' : 'done');
  await post(outcomeMessage({ plan, outcome, approvedBy }), 'outcome');
  return {
    executed: outcome.executed,
    verified: outcome.verification?.ok ?? false,
    ...(outcome.partial ? { partial: true } : {}),
  };
}

/**
 * Another remediation holds the target (the approval raced the click-time check). Nothing ran: the remediation
 * goes back to pending with its buttons, and the approver and the thread hear why.
 */
async function refuseBusy(
  rt: Runtime,
  pending: PendingRemediation,
  approvedBy: string,
  holder: TargetLockHolder | undefined,
  post: (msg: { text: string; blocks?: unknown[] }, name: string) => Promise<unknown>,
): Promise<RemediateResult> {
  const { plan } = pending;
  const reopened = await rt.pending.reopen(pending.id, 'executing');
  const reason = targetBusyText({ title: plan.title, targetKey: plan.targetKey, holder, expiresAt: pending.expiresAt });
  await rt.audit.append({
    event: 'remediation.refused',
    pendingId: pending.id,
    user: approvedBy,
    reason: `target busy: ${holder ? `${holder.remediationId} (${holder.pendingId}) is running` : 'another remediation is running'}`,
    remediation: plan.remediationId,
  });
  rt.metrics.remediations.inc({ remediation: plan.remediationId, outcome: 'busy' });
  await post({ text: `:lock: ${reason}` }, `busy-${Date.now()}`);
  if (/^[UW][A-Z0-9]+$/.test(approvedBy)) {
    await rt.outbox
      .enqueue({ method: 'chat.postEphemeral', args: { channel: pending.channel, user: approvedBy, text: `:lock: ${reason}` } })
      .catch((err: unknown) => rt.log.warn({ err: errorMessage(err) }, 'could not send ephemeral reply'));
  }
  if (reopened && pending.messageTs) {
    const policy = approvalPolicy(rt.catalog, pending.service, pending.env);
    const msg = remediationMessage({
      plan,
      pendingId: pending.id,
      expiresAt: pending.expiresAt,
      approversText: describeApprovers(policy.approvers),
      dryRun: rt.env.DRY_RUN,
    });
    await rt.outbox.send({ method: 'chat.update', args: { channel: pending.channel, ts: pending.messageTs, ...msg } });
  }
  return { executed: false, reason };
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
