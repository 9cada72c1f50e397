import { redactSecrets } from '../../domain/redact-secrets.js';

/**
 * Everything from outside (alert labels, log lines, Redis client names) passes through here before it reaches
 * Slack mrkdwn: Slack's three control characters are entity-escaped, so `<!channel>` or `<http://x|y>` in a
 * label cannot ping or link, and secrets are redacted.
 */
export function escapeMrkdwn(text: string): string {
  return redactSecrets(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** For text inside a ``` block or `code`: escaping still applies, and backticks cannot close the block. */
export function escapeCode(text: string): string {
  return escapeMrkdwn(text).replace(/`/g, "'");
}

export { redactSecrets };

/** Cut to `max` characters on a line boundary where possible, saying what was cut. */
export function truncateText(text: string, max: number, note = '… (truncated)'): string {
  if (text.length <= max) return text;
  const room = Math.max(0, max - note.length - 1);
  const cut = text.lastIndexOf('\n', room);
  return `${text.slice(0, cut > room * 0.6 ? cut : room)}\n${note}`.slice(0, max);
}

/**
 * For mrkdwn the caller composed from catalog ids (approver lists): user and user-group mentions stay live, every
 * other `<…>` (including `<!channel>`, `<!here>` and links) is escaped like any outside text.
 */
export function escapeKeepingMentions(text: string): string {
  const mention = /<@[UW][A-Z0-9]{2,}>|<!subteam\^S[A-Z0-9]{2,}(?:\|[^<>&]*)?>/g;
  let out = '';
  let last = 0;
  for (const m of text.matchAll(mention)) {
    out += escapeMrkdwn(text.slice(last, m.index)) + m[0];
    last = m.index + m[0].length;
  }
  return out + escapeMrkdwn(text.slice(last));
}
