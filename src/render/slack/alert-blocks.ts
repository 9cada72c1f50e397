import { formatDuration } from '../../catalog/duration.js';
import { codeBlock, context, header, oneLine, section, STATUS_WORD, utcTime, type KnownBlock, type SlackMessage } from './block-kit.js';
import type { Status } from '../../domain/finding.js';
import { describeApprovers } from '../../approvals/approval-policy.js';
import { escapeCode, escapeMrkdwn, redactSecrets } from './mrkdwn.js';

export interface AlertRootInput {
  name: string;
  source: 'prometheus' | 'cloudwatch';
  state: 'firing' | 'resolved' | 'stale';
  service?: string;
  env?: string;
  severity?: string;
  summary?: string;
  labels: Record<string, string>;
  links: Array<{ label: string; url: string }>;
  firstSeen: Date;
  lastSeen: Date;
  count: number;
  resolvedAt?: Date;
  /** How long it fired, from the alert's own times where it gives them. */
  firedMs?: number;
  /** CloudWatch INSUFFICIENT_DATA while open. */
  insufficientData?: boolean;
  /** Why no runbook runs (unmapped alerts). */
  unmapped?: string;
}

const STATE_EMOJI = { firing: ':rotating_light:', resolved: ':white_check_mark:', stale: ':zzz:' } as const;

function stateWord(a: AlertRootInput): string {
  return a.state === 'firing' && a.insufficientData ? 'INSUFFICIENT DATA' : a.state.toUpperCase();
}

/**
 * Only http(s) links, escaped, so an alert cannot smuggle a `javascript:` or a mention in as a link; a token in
 * the query string (a dashboard's ?auth=…) is redacted like any other secret.
 */
function link(l: { label: string; url: string }): string | undefined {
  if (!/^https?:\/\/[^\s<>|]+$/.test(l.url)) return undefined;
  return `<${redactSecrets(l.url).replace(/&/g, '&amp;')}|${escapeMrkdwn(l.label).replace(/\|/g, '¦')}>`;
}

/** The incident's root message: what fired, where, how bad, how often, and where to look. */
export function alertRootMessage(a: AlertRootInput): SlackMessage {
  const where = a.service ? `\`${escapeCode(a.service)}\` / \`${escapeCode(a.env ?? '?')}\`` : '_no runbook mapped_';
  const state =
    a.state === 'resolved'
      ? `*RESOLVED* after ${formatDuration(a.firedMs ?? (a.resolvedAt ?? a.lastSeen).getTime() - a.firstSeen.getTime())}`
      : a.state === 'stale'
        ? `*STALE*: no news since ${utcTime(a.lastSeen)}`
        : a.insufficientData
          ? '*INSUFFICIENT DATA* (was firing; the metric stopped reporting)'
          : '*FIRING*';
  const lines = [
    `${STATE_EMOJI[a.state]} ${state} — *${escapeMrkdwn(a.name)}* on ${where}${a.severity ? ` (severity: ${escapeMrkdwn(a.severity)})` : ''}`,
  ];
  if (a.summary) lines.push(`> ${escapeMrkdwn(oneLine(a.summary, 500))}`);
  const links = a.links.map(link).filter((l): l is string => l !== undefined);
  const blocks: KnownBlock[] = [section(lines.join("\n"))];
  if (a.unmapped) {
    const labels = Object.entries(a.labels).map(([k, v]) => `${k}=${v}`);
    blocks.push(section(`:grey_question: ${escapeMrkdwn(a.unmapped)}\n${codeBlock(labels, 1500, 'labels')}`));
  }
  const seen = `first seen ${utcTime(a.firstSeen)} · last seen ${utcTime(a.lastSeen)} · notifications: ${a.count}`;
  blocks.push(context([...(links.length ? [links.join(' · ')] : []), `${a.source} · ${seen}`]));
  // The notification text shows in pushes and unfurls: escaped like every other string from outside.
  const text = `${stateWord(a)}: ${escapeMrkdwn(a.name)}${a.service ? ` on ${escapeMrkdwn(a.service)}/${escapeMrkdwn(a.env ?? '?')}` : ''}`;
  return { text: oneLine(text), blocks };
}

export function alertResolvedReply(name: string, firedMs: number): SlackMessage {
  const text = `:white_check_mark: *${escapeMrkdwn(name)}* resolved after ${formatDuration(firedMs)}.`;
  return { text: oneLine(text), blocks: [section(text)] };
}

export function alertInsufficientDataReply(name: string, reason: string): SlackMessage {
  const text = `:grey_question: *${escapeMrkdwn(name)}* went to INSUFFICIENT_DATA: the alarm's metric stopped reporting (the database or its exporter may be down). The incident stays open until the alarm is OK.${reason ? `\n> ${escapeMrkdwn(oneLine(reason, 500))}` : ''}`;
  return { text: oneLine(`${escapeMrkdwn(name)}: insufficient data`), blocks: [section(text)] };
}

export function alertStaleReply(name: string, silentMs: number): SlackMessage {
  const text = `:zzz: *${escapeMrkdwn(name)}* is still firing but nothing has been heard for ${formatDuration(silentMs)}; marked stale. A new notification reopens it.`;
  return { text: oneLine(text), blocks: [section(text)] };
}

export interface StormSummaryInput {
  channelNote: string;
  since: Date;
  threaded: number;
  rows: Array<{ name: string; service?: string; env?: string; firing: number; resolved: number; notifications: number }>;
}

/** One live message instead of a thread per alert while a channel is flooded. */
export function stormSummaryMessage(s: StormSummaryInput): SlackMessage {
  const alerts = s.rows.reduce((n, r) => n + r.firing + r.resolved, 0);
  const firing = s.rows.reduce((n, r) => n + r.firing, 0);
  const notifications = s.rows.reduce((n, r) => n + r.notifications, 0);
  const width = Math.min(40, Math.max(5, ...s.rows.map((r) => r.name.length)));
  const table = [
    `${'alert'.padEnd(width)}  ${'service/env'.padEnd(24)}  firing  resolved  notifications`,
    ...s.rows
      .sort((a, b) => b.firing - a.firing || a.name.localeCompare(b.name))
      .map(
        (r) =>
          `${r.name.slice(0, width).padEnd(width)}  ${`${r.service ?? '-'}/${r.env ?? '-'}`.slice(0, 24).padEnd(24)}  ${String(r.firing).padStart(6)}  ${String(r.resolved).padStart(8)}  ${String(r.notifications).padStart(13)}`,
      ),
  ];
  return {
    text: oneLine(`Alert storm: ${alerts} alerts (${firing} firing) since ${utcTime(s.since)}`),
    blocks: [
      header(`Alert storm — ${alerts} alerts, ${firing} firing`),
      section(
        `:ocean: ${escapeMrkdwn(s.channelNote)} Since ${utcTime(s.since)}: threads were opened for the first ${s.threaded} incidents; the rest are counted here instead of one thread each (${notifications} notifications).`,
      ),
      section(codeBlock(table, 2900, 'alerts')),
    ],
  };
}

/** The outcome of an escalation re-check: the tier's people are mentioned only when it is still bad. */
export function escalationMessage(e: { status: Status; afterMs: number; notify: string[]; tier: number }): SlackMessage {
  const after = formatDuration(e.afterMs);
  if (e.status === 'ok') {
    const text = `:large_green_circle: Re-checked ${after} after it fired: *OK* now. No escalation (tier ${e.tier + 1}).`;
    return { text: oneLine(text), blocks: [section(text)] };
  }
  const who = describeApprovers(e.notify);
  const text = `:rotating_light: Still *${STATUS_WORD[e.status]}* ${after} after it fired — escalating (tier ${e.tier + 1}) to ${who}. The fresh report is above.`;
  return { text: oneLine(`Still ${STATUS_WORD[e.status]} after ${after}: escalating`), blocks: [section(text)] };
}
