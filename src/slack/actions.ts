import type { App, BlockAction, ButtonAction, StaticSelectAction } from '@slack/bolt';
import type { Runtime } from '../app/runtime.js';
import { approvalPolicy, describeApprovers } from '../approvals/approval-policy.js';
import type { ApproverDirectory } from '../approvals/approver-directory.js';
import { errorMessage } from '../errors.js';
import { jobId, type PendingRemediation } from '../jobs/queue-names.js';
import { targetBusyText, targetLockHolder } from '../remediation/target-lock.js';
import { decisionMessage } from '../render/slack/report-blocks.js';
import { formatDuration } from '../catalog/duration.js';

type Decision = 'approve' | 'dismiss';

/** `pendingId` or `pendingId|choice` (a select's option). */
/** How long an approval waits for its "Approved by" label before queueing the run anyway. */
const BUTTONS_WAIT_MS = 3000;

export function parseActionValue(value: string | undefined): { pendingId: string; chosen?: string } | undefined {
  if (!value) return undefined;
  const [pendingId, chosen] = value.split('|');
  if (!pendingId || !/^[A-Za-z0-9_-]{8,64}$/.test(pendingId)) return undefined;
  return chosen ? { pendingId, chosen } : { pendingId };
}

/**
 * Approve and dismiss clicks. Each click is checked against the env's approvers, the self-approval rule, the
 * expiry, the cool-down and whether another remediation is running on the same target; a refused click gets an
 * ephemeral reason and changes nothing. An accepted approval is claimed atomically in Redis, so double clicks or
 * two replicas execute once. With several approvers, the first one's pick from a menu is what runs: a later
 * approval naming another value is refused.
 */
export function registerRemediationActions(app: App, rt: Runtime, directory: ApproverDirectory): void {
  app.action<BlockAction<ButtonAction | StaticSelectAction>>(/^remediation\.approve/, async ({ ack, body, action }) => {
    await ack();
    const value = action.type === 'static_select' ? action.selected_option.value : action.value;
    await handle(rt, directory, body, 'approve', value);
  });
  app.action<BlockAction<ButtonAction>>('remediation.dismiss', async ({ ack, body, action }) => {
    await ack();
    await handle(rt, directory, body, 'dismiss', action.value);
  });
}

async function handle(rt: Runtime, directory: ApproverDirectory, body: BlockAction, decision: Decision, value: string | undefined): Promise<void> {
  const userId = body.user.id;
  const channel = body.channel?.id ?? body.container?.channel_id;
  const tell = async (text: string) => {
    if (!channel) return;
    await rt.outbox
      .enqueue({ method: 'chat.postEphemeral', args: { channel, user: userId, text } })
      .catch((err: unknown) => rt.log.warn({ err: errorMessage(err) }, 'could not send ephemeral reply'));
  };
  const parsed = parseActionValue(value);
  const pending = parsed ? await rt.pending.get(parsed.pendingId) : undefined;
  if (!parsed || !pending) {
    await tell(':hourglass: This remediation is unknown or has expired. Run the check again for a fresh plan.');
    return;
  }
  const refuse = async (reason: string) => {
    await rt.audit.append({ event: 'remediation.refused', pendingId: pending.id, user: userId, decision, reason, remediation: pending.plan.remediationId });
    rt.metrics.remediations.inc({ remediation: pending.plan.remediationId, outcome: 'refused' });
    await tell(`:no_entry: ${reason}`);
  };

  const policy = approvalPolicy(rt.catalog, pending.service, pending.env);
  let allowed: boolean;
  try {
    allowed = await directory.isApprover(userId, policy.approvers);
  } catch (err) {
    rt.log.warn({ err: errorMessage(err) }, 'approver lookup failed');
    return refuse(`I could not check whether you may approve (${errorMessage(err)}). Nothing was changed.`);
  }
  const mayDismissOwn = decision === 'dismiss' && pending.requestedBy === userId;
  if (!allowed && !mayDismissOwn) {
    return refuse(`You are not an approver for *${pending.service}* / *${pending.env}*. Approvers: ${describeApprovers(policy.approvers)}. Nothing was changed.`);
  }
  if (Date.now() > Date.parse(pending.expiresAt)) {
    const r = await rt.pending.dismiss(pending.id, userId, 'expired');
    // Approved (or run) before it expired: a late click must not relabel it as expired.
    if (r.kind !== 'ok') return tell(alreadyDecided(r));
    await replaceButtons(rt, pending, 'expired', undefined);
    return refuse(`This remediation expired at ${hhmm(new Date(pending.expiresAt))}. Run the check again for a fresh plan.`);
  }

  if (decision === 'dismiss') {
    const r = await rt.pending.dismiss(pending.id, userId);
    if (r.kind !== 'ok') return tell(alreadyDecided(r));
    await rt.audit.append({ event: 'remediation.dismissed', pendingId: pending.id, user: userId, remediation: pending.plan.remediationId });
    rt.metrics.remediations.inc({ remediation: pending.plan.remediationId, outcome: 'dismissed' });
    await replaceButtons(rt, pending, 'dismissed', userId);
    return;
  }

  if (!policy.selfApprove && pending.requestedBy === userId) {
    return refuse('You asked for this check, and this env does not allow approving your own request: another approver must approve it.');
  }
  if (parsed.chosen !== undefined) {
    const choices = pending.plan.params.choices;
    if (!Array.isArray(choices) || !choices.includes(Number(parsed.chosen))) {
      return refuse(`"${parsed.chosen.slice(0, 20)}" is not one of this plan's choices.`);
    }
  }
  // Another remediation running on the same target: refused now, and this one stays approvable for later.
  const holder = await targetLockHolder(rt.redis, rt.keys, pending.plan.targetKey);
  if (holder && holder.pendingId !== pending.id && !rt.env.DRY_RUN && (await completesApproval(rt, pending, userId))) {
    const reason = targetBusyText({ title: pending.plan.title, targetKey: pending.plan.targetKey, holder, expiresAt: pending.expiresAt });
    await rt.audit.append({
      event: 'remediation.refused',
      pendingId: pending.id,
      user: userId,
      decision,
      reason: `target busy: ${holder.remediationId} (${holder.pendingId}) is running`,
      remediation: pending.plan.remediationId,
    });
    rt.metrics.remediations.inc({ remediation: pending.plan.remediationId, outcome: 'busy' });
    await tell(`:lock: ${reason}`);
    await rt.outbox
      .enqueue({ method: 'chat.postMessage', args: { channel: pending.channel, thread_ts: pending.threadTs, text: `:lock: <@${userId}>'s approval was refused. ${reason}` } })
      .catch((err: unknown) => rt.log.warn({ err: errorMessage(err) }, 'could not post the refusal in the thread'));
    return;
  }
  const cooldownTtl = await rt.redis.pttl(rt.keys.cooldown(pending.plan.remediationId, pending.plan.targetKey));
  if (cooldownTtl > 0 && !rt.env.DRY_RUN) {
    return refuse(`*${pending.plan.title}* ran on this target recently; the cool-down ends in ${formatDuration(cooldownTtl)}.`);
  }

  const claim = await rt.pending.claimApproval(pending.id, userId, Date.now(), parsed.chosen ?? '');
  switch (claim.kind) {
    case 'approved': {
      // The buttons go first (briefly awaited) so the worker's own edits of that message come after them; but the
      // approved run must never hang on Slack: a backlog, a 429 pause or a deleted message only delays the label.
      const buttons = replaceButtons(rt, pending, 'approved', userId, claim.chosen).catch((err: unknown) =>
        rt.log.warn({ err: errorMessage(err), pendingId: pending.id }, 'could not replace the buttons after approval'),
      );
      await Promise.race([buttons, new Promise((r) => setTimeout(r, BUTTONS_WAIT_MS).unref())]);
      // A reopened remediation (its target was busy) is approved again in a new round, with a job of its own.
      const id = claim.round > 1 ? jobId('remediate', pending.id, `r${claim.round}`) : jobId('remediate', pending.id);
      await rt.remediateQueue.add('remediate', { pendingId: pending.id }, { jobId: id, attempts: 1 });
      await rt.audit.append({ event: 'remediation.approved', pendingId: pending.id, user: userId, chosen: claim.chosen, remediation: pending.plan.remediationId });
      return;
    }
    case 'partial':
      await rt.audit.append({ event: 'remediation.approval', pendingId: pending.id, user: userId, approvals: claim.approvals, required: claim.required, chosen: claim.chosen });
      return tell(
        `:ballot_box_with_check: Your approval is recorded (${claim.approvals}/${claim.required})${claim.chosen ? ` with ${claim.chosen}` : ''}. ` +
          `It runs when ${claim.required - claim.approvals} more approver(s) approve${claim.chosen ? ` ${claim.chosen}` : ''}.`,
      );
    case 'choice-conflict':
      return refuse(
        `<@${claim.by}> approved ${claim.chosen}; pick ${claim.chosen} to approve it too, or dismiss. Your approval was not recorded.`,
      );
    case 'already-approved-by-you':
      return tell(`You already approved this (${claim.approvals}/${claim.required}); another approver must approve too.`);
    case 'expired':
      await replaceButtons(rt, pending, 'expired', undefined);
      return refuse('This remediation has expired. Run the check again for a fresh plan.');
    case 'decided':
      return tell(alreadyDecided(claim));
    case 'missing':
      return tell(':hourglass: This remediation is unknown or has expired.');
  }
}

/** Would this approval be the one that makes it run (so a busy target matters now)? */
async function completesApproval(rt: Runtime, pending: PendingRemediation, userId: string): Promise<boolean> {
  const state = await rt.pending.state(pending.id);
  if (!state || state.status !== 'pending') return false;
  const approvers = new Set([...state.approvers, userId]);
  return approvers.size >= pending.required;
}

const STATUS_WORDS: Record<string, string> = {
  partial: 'partly done',
  executing: 'running',
};

function alreadyDecided(r: { kind: string; status?: string; by?: string }): string {
  const status = r.status ? (STATUS_WORDS[r.status] ?? r.status) : 'decided';
  return `Nothing to do: this remediation is already ${status}${r.by ? ` (by <@${r.by}>)` : ''}.`;
}

async function replaceButtons(
  rt: Runtime,
  pending: PendingRemediation,
  decision: 'approved' | 'dismissed' | 'expired',
  by: string | undefined,
  chosen?: string,
): Promise<void> {
  if (!pending.messageTs) return;
  const msg = decisionMessage({
    plan: pending.plan,
    decision,
    ...(by ? { by } : {}),
    at: new Date(),
    ...(chosen ? { note: `chosen: ${chosen}` } : {}),
  });
  await rt.outbox.send({ method: 'chat.update', args: { channel: pending.channel, ts: pending.messageTs, ...msg } });
}

function hhmm(d: Date): string {
  return `${d.toISOString().slice(11, 16)} UTC`;
}
