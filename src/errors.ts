/**
 * Coded errors: callers branch on `code`, people read `message` (which says what to do next).
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'CATALOG_INVALID'
  | 'UNKNOWN_SERVICE'
  | 'UNKNOWN_ENV'
  | 'UNKNOWN_RUNBOOK'
  | 'BAD_COMMAND'
  | 'CHECK_TIMEOUT'
  | 'TARGET_NOT_CONFIGURED'
  | 'INTEGRATION_FAILED'
  | 'PERMISSION_DENIED'
  | 'APPROVAL_REFUSED'
  | 'REMEDIATION_FAILED'
  | 'PAYLOAD_INVALID'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN';

export class ConnbotError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  constructor(code: ErrorCode, message: string, options?: { hint?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ConnbotError';
    this.code = code;
    this.hint = options?.hint;
  }
}

export class ConfigError extends ConnbotError {
  readonly problems: string[];
  constructor(problems: string[]) {
    super('CONFIG_INVALID', `invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export class CatalogError extends ConnbotError {
  readonly problems: string[];
  constructor(source: string, problems: string[]) {
    super('CATALOG_INVALID', `invalid catalog ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'CatalogError';
    this.problems = problems;
  }
}

export class LookupError extends ConnbotError {
  readonly known: string[];
  readonly closest: string | undefined;
  constructor(code: 'UNKNOWN_SERVICE' | 'UNKNOWN_ENV' | 'UNKNOWN_RUNBOOK', message: string, known: string[], closest?: string) {
    super(code, message);
    this.name = 'LookupError';
    this.known = known;
    this.closest = closest;
  }
}

export class CheckTimeoutError extends ConnbotError {
  constructor(checkId: string, timeoutMs: number) {
    super('CHECK_TIMEOUT', `check ${checkId} did not finish within ${timeoutMs} ms`);
    this.name = 'CheckTimeoutError';
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
