import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../src/domain/redact-secrets.js';

describe('redactSecrets', () => {
  it.each([
    ['DB_PASSWORD=hunter2', 'DB_PASSWORD=[redacted]'],
    ['AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'AWS_SECRET_ACCESS_KEY=[redacted]'],
    ['access_token=abc.def.ghi&x=1', 'access_token=[redacted]&x=1'],
    ['client_secret: s3cr3t', 'client_secret: [redacted]'],
    ['{"password":"pa ss"}', '{"password":"[redacted] ss"}'],
    ['Authorization: Basic dXNlcjpodW50ZXIy', 'Authorization: [redacted]'],
    ['authorization=Bearer eyJhbGciOiJIUzI1NiJ9.x.y', 'authorization=[redacted]'],
    ['X-Api-Key: 1234567890abcdef', 'X-Api-Key: [redacted]'],
    ['curl -H "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig"', 'curl -H "Authorization: [redacted]"'],
    ['GET /health?token=abc123 200', 'GET /health?token=[redacted] 200'],
    ['redis://:hunter2@redis:6379/0', 'redis://:[redacted]@redis:6379/0'],
    ['postgres://app:pw@db/app', 'postgres://app:[redacted]@db/app'],
    ['key AKIAIOSFODNN7EXAMPLE used', 'key AKIA[redacted] used'],
    ['xoxb-123-456-abcdef', 'xox?-[redacted]'],
  ])('%s', (input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });

  it('leaves ordinary text alone', () => {
    for (const text of [
      'id=7 addr=10.0.0.5:51234 name=token-service age=12 idle=400 cmd=get',
      'Connection refused (ECONNREFUSED) after 3 retries',
      'pool exhausted: 50/50 connections in use',
    ]) {
      expect(redactSecrets(text)).toBe(text);
    }
  });

  it('removes a private key block whole', () => {
    expect(redactSecrets('a -----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY----- b')).toBe('a [redacted private key] b');
  });
});
