/**
 * Secrets that outside text can carry into a report: log lines that dump env vars or headers, URLs with
 * credentials, error messages. Applied wherever outside text is turned into evidence, and again at render.
 * It errs on the side of redacting: a hidden value costs a look at the source, a leaked one costs a rotation.
 */
const SECRET_WORD = String.raw`(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?|authorization|session[_-]?id|cookie)`;

const SECRET_PATTERNS: Array<[RegExp, string]> = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, '[redacted private key]'],
  [/xox[abposr]-[A-Za-z0-9-]+/g, 'xox?-[redacted]'],
  [/xapp-[A-Za-z0-9-]+/g, 'xapp-[redacted]'],
  [/\b(AKIA|ASIA)[A-Z0-9]{16}\b/g, '$1[redacted]'],
  // user:password@ in URLs (redis://:pw@host, postgres://u:pw@host)
  [/(\b[a-z][a-z0-9+.-]*:\/\/)([^\s:@/]*):([^\s@/]+)@/gi, '$1$2:[redacted]@'],
  // KEY=value, "key": "value", key: value, ?token=… where the key names a secret, also inside identifiers
  // (DB_PASSWORD, AWS_SECRET_ACCESS_KEY, client_secret, X-Api-Key), with an optional auth scheme before the value.
  [
    new RegExp(String.raw`((?<![A-Za-z0-9])[A-Za-z0-9_.-]*${SECRET_WORD}[A-Za-z0-9_.-]*)(["']?\s*[:=]\s*["']?)(?:(?:bearer|basic|digest|token)\s+)?[^\s"',;&<>]+`, 'gi'),
    '$1$2[redacted]',
  ],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g, '$1 [redacted]'],
];

export function redactSecrets(text: string): string {
  let out = text;
  for (const [re, repl] of SECRET_PATTERNS) out = out.replace(re, repl);
  return out;
}
