import { ConnbotError, errorMessage } from '../../errors.js';
import { redactSecrets } from '../../domain/redact-secrets.js';

export type AwsFailureKind = 'denied' | 'throttled' | 'not-found' | 'failed';

/** The IAM action and resource a call needs, so a refusal can say exactly what to grant. */
export interface AwsCallRef {
  /** `cloudwatch:GetMetricData` */
  action: string;
  /** `*`, or an ARN such as `arn:aws:ecs:us-east-1:123456789012:service/cluster/service`. */
  resource: string;
}

const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedException',
  'UnrecognizedClientException',
  'NotAuthorized',
  'AuthorizationError',
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
]);

// Logs Insights answers LimitExceededException when too many queries run at once: the same "wait and retry".
const THROTTLED = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'LimitExceededException',
]);

const NOT_FOUND = /NotFound|ParameterNotFound|ServiceNotFoundException|ClusterNotFoundException/;

/** A failed AWS call, classified; the message never carries credentials (only ARNs and AWS's own text). */
export class AwsCallError extends ConnbotError {
  readonly kind: AwsFailureKind;
  readonly awsCode: string;
  readonly ref: AwsCallRef;

  constructor(kind: AwsFailureKind, awsCode: string, ref: AwsCallRef, message: string, hint: string | undefined, cause: unknown) {
    super(kind === 'denied' ? 'PERMISSION_DENIED' : 'INTEGRATION_FAILED', message, { ...(hint ? { hint } : {}), cause });
    this.name = 'AwsCallError';
    this.kind = kind;
    this.awsCode = awsCode;
    this.ref = ref;
  }
}

export function classifyAwsError(err: unknown, ref: AwsCallRef, roleArn?: string): AwsCallError {
  if (err instanceof AwsCallError) return err;
  const code = awsErrorCode(err);
  const text = redactSecrets(errorMessage(err)).split('\n')[0]!.slice(0, 400);
  const who = roleArn ? `role ${roleArn}` : 'the identity from the default credential chain';
  // An AssumeRole refusal surfaces from the credential provider, on whatever call needed credentials first.
  if (/sts:AssumeRole/.test(text)) {
    return new AwsCallError(
      'denied',
      code,
      { action: 'sts:AssumeRole', resource: roleArn ?? '*' },
      `AWS refused sts:AssumeRole on ${roleArn ?? 'the configured role'} (${code}): ${text}`,
      `let the base identity assume ${roleArn ?? 'the role'} (its trust policy and an sts:AssumeRole grant)`,
      err,
    );
  }
  if (DENIED.has(code) || (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403) {
    return new AwsCallError(
      'denied',
      code,
      ref,
      `AWS refused ${ref.action} on ${ref.resource} (${code}): ${text}`,
      `grant ${who} the IAM action ${ref.action} on ${ref.resource}`,
      err,
    );
  }
  if (THROTTLED.has(code) || (err as { $retryable?: { throttling?: boolean } }).$retryable?.throttling) {
    return new AwsCallError(
      'throttled',
      code,
      ref,
      `AWS throttled ${ref.action} (${code}) even after the SDK's retries: ${text}`,
      'try again in a minute; other tools may be sharing this account’s API rate',
      err,
    );
  }
  if (NOT_FOUND.test(code)) {
    return new AwsCallError('not-found', code, ref, `${ref.action}: ${ref.resource} not found (${code}): ${text}`, undefined, err);
  }
  if (code === 'CredentialsProviderError') {
    return new AwsCallError(
      'failed',
      code,
      ref,
      `${ref.action} failed (${code}): ${text}`,
      'connbot uses the AWS SDK default credential chain: AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY here, the task role on ECS, IRSA on EKS',
      err,
    );
  }
  return new AwsCallError('failed', code, ref, `${ref.action} failed (${code}): ${text}`, undefined, err);
}

function awsErrorCode(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { name?: unknown; Code?: unknown; code?: unknown };
    for (const v of [e.name, e.Code, e.code]) if (typeof v === 'string' && v !== 'Error' && v.length > 0) return v;
  }
  return 'Error';
}

/** Run one AWS call; any failure comes back classified with the IAM action it needed. */
export async function awsCall<T>(ref: AwsCallRef, roleArn: string | undefined, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw classifyAwsError(err, ref, roleArn);
  }
}
