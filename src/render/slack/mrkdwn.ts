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

const SECRET_PATTERNS: Array<[RegExp, string]> = [
  [/xox[abposr]-[A-Za-z0-9-]+/g, 'xox?-[redacted]'],
  [/xapp-[A-Za-z0-9-]+/g, 'xapp-[redacted]'],
  [/\b(AKIA|ASIA)[A-Z0-9]{16}\b/g, '$1[redacted]'],
  // user:password@ in URLs (redis://:pw@host, postgres://u:pw@host)
  [/(\b[a-z][a-z0-9+.-]*:\/\/)([^\s:@/]*):([^\s@/]+)@/gi, '$1$2:[redacted]@'],
  [/\b(password|passwd|pwd|secret|token|api[_-]?key|authorization)(["']?\s*[:=]\s*["']?)(bearer\s+)?[^\s"',;&]+/gi, '$1$2[redacted]'],
  [/\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/g, 'Bearer [redacted]'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, '[redacted private key]'],
];

export function redactSecrets(text: string): string {
  let out = text;
  for (const [re, repl] of SECRET_PATTERNS) out = out.replace(re, repl);
  return out;
}

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
