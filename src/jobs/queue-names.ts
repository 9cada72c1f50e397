import type { RemediationPlan } from '../runbooks/types.js';

export const QUEUE = {
  diagnose: 'diagnose',
  remediate: 'remediate',
  slackOut: 'slack-out',
  alert: 'alert',
} as const;

/** Where a diagnosis came from; its identity makes the job id, so a retried delivery does not run twice. */
export type Trigger =
  | { kind: 'slash'; triggerId: string; userId: string; channelId: string }
  | { kind: 'alert'; alertKey: string; source: 'alertmanager' | 'cloudwatch' }
  | { kind: 'recheck'; reason: string };

export interface DiagnoseJob {
  runId: string;
  service: string;
  env: string;
  runbookId: string;
  trigger: Trigger;
  /** Post into this thread instead of opening a new root message (alert threads, re-checks). */
  thread?: { channel: string; ts: string };
  /** An escalation re-check: if the result is still bad, notify these people in the thread. */
  escalation?: { tier: number; afterMs: number; notify: string[] };
}

export interface RemediateJob {
  pendingId: string;
}

/** Delayed to a plan's expiry: replaces its buttons with "expired" if nobody decided. */
export interface ExpireJob {
  pendingId: string;
  expire: true;
}

export interface PendingRemediation {
  id: string;
  runId: string;
  service: string;
  env: string;
  runbookId: string;
  plan: RemediationPlan;
  requestedBy?: string;
  channel: string;
  threadTs: string;
  /** The message holding the buttons, replaced by the decision. */
  messageTs?: string;
  createdAt: string;
  expiresAt: string;
  required: number;
}

/** BullMQ custom ids may not contain ':'. */
export function jobId(...parts: string[]): string {
  return parts.join('_').replace(/[^A-Za-z0-9._-]/g, '-');
}
