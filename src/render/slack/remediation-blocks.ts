import type { types } from '@slack/bolt';
import type { Finding } from '../../domain/finding.js';
import type { RemediationOutcome } from '../../remediation/apply-remediation.js';
import type { RemediationPlan, Risk } from '../../runbooks/types.js';
import {
  context,
  fieldsSection,
  LIMITS,
  mentionUser,
  oneLine,
  section,
  STATUS_EMOJI,
  STATUS_WORD,
  utcTime,
  type KnownBlock,
  type SlackMessage,
} from './block-kit.js';
import { detailBlocks } from './detail-blocks.js';
import { escapeCode, escapeKeepingMentions, escapeMrkdwn, truncateText } from './mrkdwn.js';

const RISK_EMOJI: Record<Risk, string> = { low: ':large_green_square:', medium: ':large_yellow_square:', high: ':large_red_square:' };

/** Leaves room in the 50-block message for the before/after of each verify check. */
const MAX_EXECUTION_BLOCKS = 20;

export const APPROVE_ACTION = 'remediation.approve';
export const APPROVE_CHOICE_ACTION = 'remediation.approve.choice';
export const DISMISS_ACTION = 'remediation.dismiss';

/** The plan exactly as it will run: what an approver reads before deciding. */
function planBlocks(plan: RemediationPlan): KnownBlock[] {
  const blocks: KnownBlock[] = [
    section(
      `:hammer_and_wrench: *Proposed remediation: ${escapeMrkdwn(plan.title)}*  ${RISK_EMOJI[plan.risk]} ${plan.risk} risk\n${escapeMrkdwn(plan.summary)}`,
    ),
  ];
  if (plan.steps.length > 0) {
    const steps = plan.steps.map((s, i) => `${i + 1}. ${escapeMrkdwn(s)}`).join('\n');
    blocks.push(section(truncateText(`*Steps*\n${steps}`, LIMITS.sectionText, `… truncated, see the runbook for the remaining steps`)));
  }
  if (plan.notes?.length) {
    blocks.push(section(`*Notes*\n${plan.notes.map((n) => `• ${escapeMrkdwn(n)}`).join('\n')}`));
  }
  blocks.push(
    context([
      `target \`${escapeCode(plan.targetKey)}\``,
      `verified by re-running: ${plan.verifyChecks.map((c) => `\`${escapeCode(c)}\``).join(', ') || 'nothing'}`,
    ]),
  );
  return blocks;
}

export interface RemediationMessageInput {
  plan: RemediationPlan;
  /** Opaque id of the pending remediation: the only thing a button carries. */
  pendingId: string;
  expiresAt: string;
  /** mrkdwn composed by the caller from catalog ids; only user and user-group mentions stay live. */
  approversText: string;
  dryRun: boolean;
}

/**
 * Plan plus Approve / Dismiss. A plan whose params offer `choices` (numbers, e.g. replica counts) gets a select
 * instead of Approve, one option per value; the option value carries the pending id and the choice only.
 */
export function remediationMessage(input: RemediationMessageInput): SlackMessage {
  const { plan, pendingId, dryRun } = input;
  const expires = new Date(input.expiresAt);
  const meta = [
    `Approvers: ${escapeKeepingMentions(input.approversText) || 'anyone in the channel'}`,
    `expires ${Number.isNaN(expires.getTime()) ? escapeMrkdwn(input.expiresAt) : `at ${utcTime(expires)}`}`,
  ];
  if (dryRun) meta.push(':test_tube: DRY_RUN: approving records the decision and re-checks, nothing is executed');
  const confirm = confirmDialog(plan, dryRun);
  const choices = numericChoices(plan.params.choices);
  const approve: types.ActionsBlockElement = choices
    ? {
        type: 'static_select',
        action_id: APPROVE_CHOICE_ACTION,
        placeholder: { type: 'plain_text', text: dryRun ? 'Approve with… (dry run)' : 'Approve with…' },
        options: choices.slice(0, LIMITS.selectOptions).map((n) => ({
          text: { type: 'plain_text', text: String(n) },
          value: `${pendingId}|${n}`,
        })),
        confirm,
      }
    : {
        type: 'button',
        action_id: APPROVE_ACTION,
        text: { type: 'plain_text', text: dryRun ? 'Approve (dry run)' : 'Approve' },
        style: 'primary',
        value: pendingId,
        confirm,
      };
  const dismiss: types.Button = {
    type: 'button',
    action_id: DISMISS_ACTION,
    text: { type: 'plain_text', text: 'Dismiss' },
    value: pendingId,
  };
  return {
    text: oneLine(`Approval needed: ${escapeMrkdwn(plan.title)} — ${escapeMrkdwn(plan.summary)}`),
    blocks: [
      ...planBlocks(plan),
      context(meta),
      { type: 'actions', block_id: `remediation:${pendingId}`.slice(0, LIMITS.blockId), elements: [approve, dismiss] },
    ],
  };
}

function confirmDialog(plan: RemediationPlan, dryRun: boolean): types.ConfirmationDialog {
  const suffix = dryRun ? '\n_Dry run: nothing will be executed._' : '';
  return {
    title: { type: 'plain_text', text: 'Apply this remediation?' },
    text: { type: 'mrkdwn', text: truncateText(`${escapeMrkdwn(plan.summary)}${suffix}`, LIMITS.confirmText, '…') },
    confirm: { type: 'plain_text', text: dryRun ? 'Approve (dry run)' : 'Apply' },
    deny: { type: 'plain_text', text: 'Cancel' },
    style: 'primary',
  };
}

function numericChoices(value: unknown): number[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  return value.every((v) => typeof v === 'number' && Number.isFinite(v)) ? (value as number[]) : undefined;
}

export interface DecisionMessageInput {
  plan: RemediationPlan;
  decision: 'approved' | 'dismissed' | 'expired';
  /** Slack user id of who decided (none for expiry). */
  by?: string;
  at: Date;
  note?: string;
}

/** Replaces the remediation message: the plan stays readable, the buttons give way to who decided and when. */
export function decisionMessage(input: DecisionMessageInput): SlackMessage {
  const who = mentionUser(input.by);
  const when = utcTime(input.at);
  const line =
    input.decision === 'approved'
      ? `:white_check_mark: Approved${who ? ` by ${who}` : ''} at ${when}`
      : input.decision === 'dismissed'
        ? `:no_entry_sign: Dismissed${who ? ` by ${who}` : ''} at ${when}`
        : `:hourglass: Expired at ${when} — nobody approved it in time; run the check again for a fresh plan`;
  const blocks = [...planBlocks(input.plan), section(input.note ? `${line}\n${escapeMrkdwn(input.note)}` : line)];
  return { text: oneLine(`${escapeMrkdwn(input.plan.title)}: ${input.decision}`), blocks };
}

export interface OutcomeMessageInput {
  plan: RemediationPlan;
  outcome: RemediationOutcome;
  approvedBy: string;
}

/** The execution result, then each verify check before and after, then the verdict. */
export function outcomeMessage(input: OutcomeMessageInput): SlackMessage {
  const { plan, outcome } = input;
  const who = mentionUser(input.approvedBy);
  const blocks: KnownBlock[] = [];
  let headline: string;
  if (outcome.dryRun) {
    headline = `:test_tube: Dry run: *${escapeMrkdwn(plan.title)}* was approved by ${who} but not executed (DRY_RUN).`;
  } else if (outcome.error !== undefined) {
    headline = `:x: *${escapeMrkdwn(plan.title)}* failed (approved by ${who}):\n\`\`\`${escapeCode(outcome.error)}\`\`\``;
  } else if (outcome.partial) {
    // Half-finished: what already changed comes first, so nobody reads this as "nothing happened".
    const done = outcome.partial.done.map((d) => `• :white_check_mark: ${escapeMrkdwn(d)}`).join('\n');
    headline = truncateText(
      `:warning: *${escapeMrkdwn(plan.title)}* was only partly done (approved by ${who}).\n*Done (changed):*\n${done}\n*Failed:*\n\`\`\`${escapeCode(outcome.partial.failed)}\`\`\``,
      LIMITS.sectionText,
      '…',
    );
  } else {
    headline = `:gear: Executed *${escapeMrkdwn(plan.title)}* (approved by ${who}): ${escapeMrkdwn(outcome.execution?.summary ?? 'done')}`;
  }
  blocks.push(section(headline));
  const execution = detailBlocks(outcome.execution?.details ?? []);
  blocks.push(...execution.slice(0, MAX_EXECUTION_BLOCKS));
  if (execution.length > MAX_EXECUTION_BLOCKS) {
    blocks.push(context([`… truncated, ${execution.length - MAX_EXECUTION_BLOCKS} more result blocks`]));
  }
  const before = new Map(outcome.before.map((f) => [f.checkId, f]));
  const after = new Map(outcome.after.map((f) => [f.checkId, f]));
  const perCheck: KnownBlock[][] = [];
  for (const id of plan.verifyChecks) {
    const b = before.get(id);
    const a = outcome.executed ? after.get(id) : undefined;
    if (!a && !b) continue;
    const title = escapeMrkdwn((a ?? b)!.title);
    perCheck.push([section(`*${title}*`), fieldsSection([side('Before', b), side(outcome.executed ? 'After' : 'Now', a ?? (outcome.executed ? undefined : b))])]);
  }
  const tail: KnownBlock[] = [];
  if (outcome.verification) {
    const v = outcome.verification;
    tail.push(section(`${v.ok ? ':white_check_mark: *Verified: improved*' : ':warning: *Not verified: no improvement*'}\n${escapeMrkdwn(v.summary)}`));
  }
  // One message: if a runbook verifies more checks than fit in 50 blocks, the verdict still shows, with a note.
  const room = LIMITS.blocksPerMessage - blocks.length - tail.length - 1;
  const shown = perCheck.slice(0, Math.floor(room / 2));
  blocks.push(...shown.flat());
  if (shown.length < perCheck.length) blocks.push(context([`… truncated, ${perCheck.length - shown.length} more verify checks`]));
  blocks.push(...tail);
  const verdict = outcome.partial
    ? 'partly done'
    : outcome.verification
      ? outcome.verification.ok
        ? 'verified'
        : 'not verified'
      : outcome.error
        ? 'failed'
        : 'done';
  return { text: oneLine(`${escapeMrkdwn(plan.title)}: ${verdict}`), blocks };
}

function side(label: string, f: Finding | undefined): string {
  if (!f) return `*${label}*\n—`;
  return `*${label}*\n${STATUS_EMOJI[f.status]} ${STATUS_WORD[f.status]} — ${escapeMrkdwn(oneLine(f.summary, 1500))}`;
}
