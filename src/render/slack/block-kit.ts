import type { types } from '@slack/bolt';
import type { Status } from '../../domain/finding.js';
import { escapeCode, redactSecrets, truncateText } from './mrkdwn.js';

export type KnownBlock = types.KnownBlock;
export type SectionBlock = types.SectionBlock;
export type ContextBlock = types.ContextBlock;

/** What chat.postMessage / chat.update take: `text` is the notification and screen-reader fallback. */
export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/** Block Kit limits (docs.slack.dev/reference/block-kit): Slack rejects the whole message past any of them. */
export const LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  contextText: 3000,
  buttonText: 75,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  optionText: 75,
  optionValue: 150,
  selectOptions: 100,
  placeholder: 150,
  blockId: 255,
  /** Slack truncates `text` at 40 000; a notification only needs its first line or two. */
  fallbackText: 3000,
} as const;

export const STATUS_EMOJI: Record<Status, string> = {
  ok: ':large_green_circle:',
  warn: ':large_yellow_circle:',
  crit: ':red_circle:',
  unknown: ':white_circle:',
  error: ':warning:',
};

export const STATUS_WORD: Record<Status, string> = { ok: 'OK', warn: 'WARN', crit: 'CRIT', unknown: 'UNKNOWN', error: 'ERROR' };

export const SKIPPED_EMOJI = ':heavy_minus_sign:';

/** A mrkdwn section; `text` must already be escaped. Empty text is replaced, because Slack rejects it. */
export function section(text: string, blockId?: string): SectionBlock {
  return {
    type: 'section',
    text: { type: 'mrkdwn', text: truncateText(text.trim() ? text : '—', LIMITS.sectionText) },
    ...(blockId ? { block_id: blockId.slice(0, LIMITS.blockId) } : {}),
  };
}

export function fieldsSection(fields: string[]): SectionBlock {
  return {
    type: 'section',
    fields: fields.slice(0, LIMITS.sectionFields).map((f) => ({ type: 'mrkdwn', text: truncateText(f.trim() ? f : '—', LIMITS.fieldText) })),
  };
}

/**
 * plain_text never renders mentions or links, so only secrets need removing; callers pass our own words and
 * catalog-validated slugs (service and env names).
 */
export function header(text: string): KnownBlock {
  return {
    type: 'header',
    text: { type: 'plain_text', text: truncateText(redactSecrets(text), LIMITS.headerText, '…'), emoji: true },
  };
}

/** Context elements are already-escaped mrkdwn; past ten, the rest are folded into the tenth. */
export function context(elements: string[]): ContextBlock {
  const kept = elements.filter((e) => e.trim().length > 0);
  const fitted =
    kept.length > LIMITS.contextElements
      ? [...kept.slice(0, LIMITS.contextElements - 1), kept.slice(LIMITS.contextElements - 1).join('  ·  ')]
      : kept;
  return {
    type: 'context',
    elements: (fitted.length ? fitted : ['—']).map((text) => ({ type: 'mrkdwn', text: truncateText(text, LIMITS.contextText) })),
  };
}

export function divider(): KnownBlock {
  return { type: 'divider' };
}

/**
 * A ``` block holding as many whole lines as fit in `budget` characters, then "… truncated, N more rows".
 * Lines are raw text; each is escaped here so an entity or a backtick can never open or close anything.
 */
export function codeBlock(lines: readonly string[], budget: number = LIMITS.sectionText, unit = 'rows'): string {
  const fence = '```';
  const room = budget - fence.length * 2 - 2;
  const note = (n: number) => `… truncated, ${n} more ${unit}`;
  const escaped = lines.map((l) => {
    const e = escapeCode(l);
    const max = Math.max(10, room - note(lines.length).length - 2);
    return e.length > max ? `${e.slice(0, max - 1)}…` : e;
  });
  const kept: string[] = [];
  let used = 0;
  for (let i = 0; i < escaped.length; i++) {
    const line = escaped[i]!;
    const after = escaped.length - i - 1;
    // Keep room for the note that would follow if the next line does not fit.
    if (used + line.length + 1 + (after > 0 ? note(after).length + 1 : 0) > room) {
      kept.push(note(escaped.length - i));
      break;
    }
    kept.push(line);
    used += line.length + 1;
  }
  return `${fence}\n${kept.join('\n')}\n${fence}`;
}

/** Plain one-line text for `text` fallbacks and context lines. */
export function oneLine(text: string, max = 300): string {
  return truncateText(text.replace(/\s*\n\s*/g, ' '), max, '…');
}

/**
 * Group blocks into messages of at most 50 blocks, keeping each unit (a check's section with its details) in one
 * message when it fits, so a split never separates a title from its table.
 */
export function packMessages(units: KnownBlock[][], fallback: (part: number, parts: number) => string): SlackMessage[] {
  const pages: KnownBlock[][] = [[]];
  for (const unit of units) {
    let page = pages[pages.length - 1]!;
    if (page.length + unit.length > LIMITS.blocksPerMessage && page.length > 0) {
      page = [];
      pages.push(page);
    }
    for (const block of unit) {
      if (page.length === LIMITS.blocksPerMessage) {
        page = [];
        pages.push(page);
      }
      page.push(block);
    }
  }
  const filled = pages.filter((p) => p.length > 0);
  return filled.map((blocks, i) => ({ text: truncateText(fallback(i + 1, filled.length), LIMITS.fallbackText, '…'), blocks }));
}

/** A Slack user id becomes a mention; anything else is shown as escaped text, never as markup. */
export function mentionUser(id: string | undefined): string | undefined {
  if (id === undefined) return undefined;
  return /^[UW][A-Z0-9]{2,}$/.test(id) ? `<@${id}>` : `\`${escapeCode(id)}\``;
}

/** `03:12 UTC` */
export function utcTime(at: Date): string {
  return `${at.toISOString().slice(11, 16)} UTC`;
}
