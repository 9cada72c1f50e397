import type { CheckResult, Evidence } from '../../domain/finding.js';
import { AwsCallError } from '../../integrations/aws/aws-errors.js';

/**
 * An AWS refusal or throttle is a finding, not a crash: it keeps the evidence gathered so far and says which IAM
 * action to grant, or that AWS throttled us. Anything else is rethrown for the runner to report.
 */
export function awsFailure(err: unknown, evidence: Evidence[], data: Record<string, unknown> = {}): CheckResult {
  if (!(err instanceof AwsCallError)) throw err;
  const awsError = { kind: err.kind, code: err.awsCode, action: err.ref.action, resource: err.ref.resource };
  const details = [{ kind: 'text' as const, text: `${err.message}${err.hint ? `\nNext: ${err.hint}` : ''}` }];
  switch (err.kind) {
    case 'denied':
      return {
        status: 'error',
        summary: `permission denied (${err.awsCode}): needs ${err.ref.action} on ${err.ref.resource}`,
        details,
        evidence,
        data: { ...data, awsError },
      };
    case 'throttled':
      return {
        status: 'unknown',
        summary: `throttled by AWS on ${err.ref.action} (${err.awsCode}) after the SDK's retries; try again shortly`,
        details,
        evidence,
        data: { ...data, awsError },
      };
    default:
      // The summary is the message already: only what to do next is worth a line of its own.
      return { status: 'error', summary: err.message, details: err.hint ? [{ kind: 'text', text: `Next: ${err.hint}` }] : [], evidence, data: { ...data, awsError } };
  }
}

export function isAwsError(err: unknown, kind?: AwsCallError['kind']): err is AwsCallError {
  return err instanceof AwsCallError && (kind === undefined || err.kind === kind);
}
