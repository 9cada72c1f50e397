import type { Status } from '../../domain/finding.js';
import { redactSecrets } from '../../domain/redact-secrets.js';

export interface Paint {
  status(status: Status, text: string): string;
  bold(text: string): string;
  dim(text: string): string;
}

const CODES: Record<Status | 'bold' | 'dim', [number, number]> = {
  ok: [32, 39],
  warn: [33, 39],
  crit: [31, 39],
  unknown: [35, 39],
  error: [35, 39],
  bold: [1, 22],
  dim: [2, 22],
};

/** Colour only when asked (the CLI asks when stdout is a TTY), so pipes and files get plain text. */
export function paint(colour: boolean): Paint {
  const wrap = (key: keyof typeof CODES, text: string) => {
    if (!colour) return text;
    const [on, off] = CODES[key];
    return `\u001b[${on}m${text}\u001b[${off}m`;
  };
  return {
    status: (s, text) => wrap(s, text),
    bold: (text) => wrap('bold', text),
    dim: (text) => wrap('dim', text),
  };
}

/**
 * Outside text (client names, log lines, alert labels) must not drive the terminal: control characters, including
 * ESC that would start an ANSI sequence, become `?`; secrets are redacted as in Slack.
 */
export function safeText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return redactSecrets(text).replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '?');
}

/** Like safeText, for one line: newlines become spaces. */
export function safeLine(text: string): string {
  return safeText(text).replace(/\s*\n\s*/g, ' ');
}
