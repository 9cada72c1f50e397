import { describe, expect, it } from 'vitest';
import { classifyAwsError } from '../../../src/integrations/aws/aws-errors.js';

const REF = { action: 'cloudwatch:GetMetricData', resource: '*' };
const ROLE = 'arn:aws:iam::123456789012:role/connbot-diagnostics';

function awsError(name: string, message: string, extra: object = {}): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: 400 }, ...extra });
}

describe('classifyAwsError', () => {
  it.each(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation'])('reads %s as a refusal naming the IAM action', (name) => {
    const e = classifyAwsError(awsError(name, 'not authorized'), REF, ROLE);
    expect(e.kind).toBe('denied');
    expect(e.code).toBe('PERMISSION_DENIED');
    expect(e.message).toBe(`AWS refused cloudwatch:GetMetricData on * (${name}): not authorized`);
    expect(e.hint).toBe(`grant role ${ROLE} the IAM action cloudwatch:GetMetricData on *`);
  });

  it('reads a bare 403 as a refusal too', () => {
    expect(classifyAwsError(awsError('Forbidden', 'no', { $metadata: { httpStatusCode: 403 } }), REF).kind).toBe('denied');
  });

  it.each(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'LimitExceededException'])('reads %s as throttling', (name) => {
    const e = classifyAwsError(awsError(name, 'Rate exceeded'), REF);
    expect(e.kind).toBe('throttled');
    expect(e.message).toBe(`AWS throttled cloudwatch:GetMetricData (${name}) even after the SDK's retries: Rate exceeded`);
  });

  it('reads the SDK’s throttling flag when the name is unfamiliar', () => {
    expect(classifyAwsError(awsError('SlowDown', 'slow down', { $retryable: { throttling: true } }), REF).kind).toBe('throttled');
  });

  it('blames sts:AssumeRole when the credential provider was refused', () => {
    const e = classifyAwsError(awsError('AccessDenied', `User: arn:aws:iam::123456789012:user/bot is not authorized to perform: sts:AssumeRole on resource: ${ROLE}`), REF, ROLE);
    expect(e.ref).toEqual({ action: 'sts:AssumeRole', resource: ROLE });
  });

  it('keeps access keys and passwords out of the message', () => {
    const e = classifyAwsError(awsError('AccessDenied', 'key AKIAIOSFODNN7EXAMPLE password=hunter2'), REF);
    expect(e.message).not.toContain('AKIAIOSFODNN7EXAMPLE');
    expect(e.message).not.toContain('hunter2');
  });

  it('tells not-found from other failures', () => {
    expect(classifyAwsError(awsError('ParameterNotFound', ''), REF).kind).toBe('not-found');
    expect(classifyAwsError(awsError('InternalServiceError', 'boom'), REF).kind).toBe('failed');
  });
});
