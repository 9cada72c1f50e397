/**
 * What a log line says about the runbook's causes. The runbook's own filter is `grep -i error`; the rest pick out
 * the symptoms it lists ("Too many connections", out of file descriptors, OOM, refused, timeouts, DNS).
 */
export const ERROR_LINE = /error/i;

export const LOG_SIGNALS = {
  tooManyConnections: /too many connections|max_connections|connection limit (reached|exceeded)|maximum number of connections/i,
  tooManyOpenFiles: /too many open files|EMFILE|file descriptor limit/i,
  outOfMemory: /out of memory|cannot allocate memory|memory allocation (failed|of)|\bOOM\b/i,
  refused: /connection refused|ECONNREFUSED/i,
  timeout: /timed out|timeout/i,
  dns: /no such host|name resolution|ENOTFOUND|EAI_AGAIN|dns (lookup|error|resolution)/i,
} as const;

export type LogSignal = keyof typeof LOG_SIGNALS;
export type LogSignalCounts = Record<LogSignal, number>;

export function emptySignals(): LogSignalCounts {
  return { tooManyConnections: 0, tooManyOpenFiles: 0, outOfMemory: 0, refused: 0, timeout: 0, dns: 0 };
}

export function countSignals(line: string, into: LogSignalCounts): void {
  for (const [name, re] of Object.entries(LOG_SIGNALS) as Array<[LogSignal, RegExp]>) {
    if (re.test(line)) into[name] += 1;
  }
}
