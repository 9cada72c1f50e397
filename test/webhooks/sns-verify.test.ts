import { execFileSync } from 'node:child_process';
import { sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SnsVerifier,
  assertTopicAllowed,
  canonicalString,
  httpsCertificateFetcher,
  isSnsHostUrl,
} from '../../src/webhooks/sns-verify.js';
import type { SnsEnvelope, SnsNotification, SnsSubscriptionConfirmation } from '../../src/alerts/sns-envelope.js';
import { ConnbotError } from '../../src/errors.js';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:connbot-alarms';

/** Node cannot create X.509 certificates, so the test asks openssl (no shell: argv only). */
function selfSigned(dir: string, name: string, subject: string, extra: string[] = []): { key: string; cert: string } {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.pem`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', subject, ...extra], {
    stdio: 'ignore',
  });
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
}

async function refusal(p: Promise<unknown>): Promise<ConnbotError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConnbotError);
  return err as ConnbotError;
}

describe('SNS signature verification', () => {
  let dir: string;
  let signing: { key: string; cert: string };
  let other: { key: string; cert: string };
  let tls: { key: string; cert: string };
  let server: Server;
  let certBase: string;
  const served: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'connbot-sns-'));
    signing = selfSigned(dir, 'signing', '/CN=sns.amazonaws.com');
    other = selfSigned(dir, 'other', '/CN=attacker.example');
    tls = selfSigned(dir, 'tls', '/CN=127.0.0.1', ['-addext', 'subjectAltName=IP:127.0.0.1']);
    // Stands in for sns.<region>.amazonaws.com serving its signing certificate over HTTPS.
    server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
      served.push(req.url ?? '');
      if (req.url === '/SimpleNotificationService-test.pem') res.writeHead(200).end(signing.cert);
      else if (req.url === '/other.pem') res.writeHead(200).end(other.cert);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    certBase = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
    rmSync(dir, { recursive: true, force: true });
  });

  const verifier = (opts: Partial<ConstructorParameters<typeof SnsVerifier>[0]> = {}) =>
    new SnsVerifier({
      allowedTopicArns: [TOPIC],
      isTrustedCertUrl: (url) => url.protocol === 'https:' && url.hostname === '127.0.0.1',
      fetchCertificate: httpsCertificateFetcher({ ca: tls.cert }),
      ...opts,
    });

  function signed<T extends SnsEnvelope>(m: Omit<T, 'Signature' | 'SigningCertURL'>, key = signing.key, certPath = '/SimpleNotificationService-test.pem'): T {
    const draft = { ...m, Signature: '', SigningCertURL: `${certBase}${certPath}` } as unknown as T;
    const algorithm = m.SignatureVersion === '1' ? 'sha1' : 'sha256';
    const signature = sign(algorithm, Buffer.from(canonicalString(draft), 'utf8'), key).toString('base64');
    return { ...draft, Signature: signature };
  }

  const notification = (version: '1' | '2', extra: Partial<SnsNotification> = {}) =>
    signed<SnsNotification>({
      Type: 'Notification',
      MessageId: `msg-${version}-${Math.random().toString(16).slice(2)}`,
      TopicArn: TOPIC,
      Subject: 'ALARM: "golden-path-rds-connections-prod" in US East (N. Virginia)',
      Message: '{"AlarmName":"golden-path-rds-connections-prod","NewStateValue":"ALARM"}',
      Timestamp: '2026-11-23T03:53:08.467Z',
      SignatureVersion: version,
      UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
      ...extra,
    });

  it('accepts SignatureVersion 1 (SHA1withRSA) and 2 (SHA256withRSA) notifications', async () => {
    const v = verifier();
    await expect(v.verify(notification('1'))).resolves.toBeUndefined();
    await expect(v.verify(notification('2'))).resolves.toBeUndefined();
  });

  it('accepts a notification without Subject, which is then left out of the signed string', async () => {
    const m = notification('2', { Subject: undefined });
    expect(canonicalString(m)).not.toContain('Subject');
    await expect(verifier().verify(m)).resolves.toBeUndefined();
  });

  it('accepts a signed SubscriptionConfirmation and hands out its SubscribeURL only when it is trusted', async () => {
    const v = verifier();
    const confirm = signed<SnsSubscriptionConfirmation>({
      Type: 'SubscriptionConfirmation',
      MessageId: 'c-1',
      Token: 'token-123',
      TopicArn: TOPIC,
      Message: 'You have chosen to subscribe to the topic.',
      SubscribeURL: `${certBase}/?Action=ConfirmSubscription&Token=token-123`,
      Timestamp: '2026-11-23T03:50:00.000Z',
      SignatureVersion: '2',
    });
    expect(canonicalString(confirm)).toBe(
      `Message\nYou have chosen to subscribe to the topic.\nMessageId\nc-1\nSubscribeURL\n${confirm.SubscribeURL}\n` +
        `Timestamp\n2026-11-23T03:50:00.000Z\nToken\ntoken-123\nTopicArn\n${TOPIC}\nType\nSubscriptionConfirmation\n`,
    );
    await v.verify(confirm);
    expect(v.subscribeUrl(confirm).toString()).toBe(confirm.SubscribeURL);
    const forged = { ...confirm, SubscribeURL: 'http://169.254.169.254/latest/meta-data/' };
    expect((await refusal(v.verify(forged))).code).toBe('UNAUTHORIZED');
    expect(() => v.subscribeUrl(forged)).toThrow(/not an SNS HTTPS endpoint/);
  });

  it('refuses tampered messages', async () => {
    const v = verifier();
    const m = notification('2');
    const cases: SnsEnvelope[] = [
      { ...m, Message: m.Message.replace('ALARM', 'OK') },
      { ...m, Subject: undefined },
      { ...m, TopicArn: TOPIC, Timestamp: '2026-11-23T03:53:09.000Z' },
      { ...m, SignatureVersion: '1' },
      { ...m, Signature: 'not base64 at all' },
    ];
    for (const bad of cases) {
      const err = await refusal(v.verify(bad));
      expect(err.code).toBe('UNAUTHORIZED');
    }
  });

  it('refuses a message signed by a key other than the certificate’s', async () => {
    const err = await refusal(verifier().verify(signed<SnsNotification>({ ...notification('2') }, other.key)));
    expect(err.message).toMatch(/^SNS signature does not match message msg-2-/);
  });

  it('refuses topics outside SNS_TOPIC_ARNS before fetching anything', async () => {
    const before = served.length;
    const foreign = notification('2', { TopicArn: 'arn:aws:sns:us-east-1:999999999999:someone-else' });
    const err = await refusal(verifier({ allowedTopicArns: [TOPIC] }).verify(foreign));
    expect(err.code).toBe('FORBIDDEN');
    expect(err.message).toBe('SNS topic arn:aws:sns:us-east-1:999999999999:someone-else is not in SNS_TOPIC_ARNS');
    expect(served.length).toBe(before);
    expect(() => assertTopicAllowed(TOPIC, [])).toThrow(ConnbotError);
  });

  it('by default fetches certificates only over HTTPS from an SNS host', async () => {
    const fetched: string[] = [];
    const v = new SnsVerifier({
      allowedTopicArns: [TOPIC],
      fetchCertificate: async (url) => {
        fetched.push(url.toString());
        return signing.cert;
      },
    });
    for (const url of [
      `${certBase}/SimpleNotificationService-test.pem`,
      'http://sns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem',
      'https://sns.us-east-1.amazonaws.com.evil.example/SimpleNotificationService-x.pem',
      'https://evil.example/sns.us-east-1.amazonaws.com/x.pem',
      // S3 buckets named "sns" answer on these hosts over AWS's own TLS.
      'https://sns.s3.amazonaws.com/SimpleNotificationService-x.pem',
      'https://sns.s3-us-west-2.amazonaws.com/SimpleNotificationService-x.pem',
      'https://sns.us-east-1.amazonaws.com:8443/SimpleNotificationService-x.pem',
      'not a url',
    ]) {
      const err = await refusal(v.verify({ ...notification('2'), SigningCertURL: url }));
      expect(err.code).toBe('UNAUTHORIZED');
    }
    expect(fetched).toEqual([]);
    // A real SNS host is fetched (here the fetcher answers with the test certificate).
    const m = notification('1');
    await v.verify({ ...m, SigningCertURL: 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-x.pem' });
    expect(fetched).toEqual(['https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-x.pem']);
    for (const host of ['sns.us-gov-west-1.amazonaws.com', 'sns.cn-north-1.amazonaws.com.cn', 'sns.ap-southeast-7.amazonaws.com']) {
      await v.verify({ ...notification('2'), SigningCertURL: `https://${host}/SimpleNotificationService-y.pem` });
    }
    expect(fetched).toHaveLength(4);
  });

  it('recognises SNS hosts, including the China partition', () => {
    expect(isSnsHostUrl(new URL('https://sns.us-east-1.amazonaws.com/SimpleNotificationService-a.pem'))).toBe(true);
    expect(isSnsHostUrl(new URL('https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-a.pem'))).toBe(true);
    expect(isSnsHostUrl(new URL('https://sns.us-east-1.amazonaws.com:8443/a.pem'))).toBe(false);
    expect(isSnsHostUrl(new URL('https://sqs.us-east-1.amazonaws.com/a.pem'))).toBe(false);
    expect(isSnsHostUrl(new URL('https://xsns.us-east-1.amazonaws.com/a.pem'))).toBe(false);
  });

  it('caches certificates by URL', async () => {
    const v = verifier();
    const before = served.length;
    await v.verify(notification('1'));
    await v.verify(notification('2'));
    await v.verify(notification('2'));
    expect(served.length - before).toBe(1);
    expect(v.cachedCertificates).toBe(1);
  });

  it('reports an unfetchable certificate as an integration failure and tries again next time', async () => {
    const v = verifier();
    const missing = { ...notification('2'), SigningCertURL: `${certBase}/missing.pem` };
    const err = await refusal(v.verify(missing));
    expect(err.code).toBe('INTEGRATION_FAILED');
    expect(err.message).toContain('HTTP 404');
    expect(v.cachedCertificates).toBe(0);
  });

  it('refuses a certificate outside its validity period', async () => {
    const err = await refusal(verifier({ now: () => new Date(Date.now() + 30 * 86_400_000) }).verify(notification('2')));
    expect(err.code).toBe('UNAUTHORIZED');
    expect(err.message).toContain('is not valid now');
  });

  it('does not trust a server certificate it was not told about', async () => {
    const v = verifier({ fetchCertificate: httpsCertificateFetcher() });
    const err = await refusal(v.verify(notification('2')));
    expect(err.code).toBe('INTEGRATION_FAILED');
    expect(err.message).toMatch(/self.signed|certificate/i);
  });
});
