import { execFileSync } from 'node:child_process';
import { sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertWebhooks } from '../../src/webhooks/alert-webhooks.js';
import { canonicalString } from '../../src/webhooks/sns-verify.js';
import type { SnsEnvelope } from '../../src/alerts/sns-envelope.js';
import { startRedis, type PrivateRedis } from '../support/redis-server.js';
import { startTestBot, type TestBot } from '../support/start-test-bot.js';
import { waitFor } from '../support/wait-for.js';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:connbot-alarms';
const fixture = JSON.parse(readFileSync('test/alerts/fixtures/sns-cloudwatch-alarm.json', 'utf8')) as SnsEnvelope & { Message: string };
const CERT_URL = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem';

const catalog = {
  version: 1,
  defaults: { channel: 'C0ALERTS' },
  services: {
    'golden-path': {
      runbooks: ['db-connection-exhaustion'],
      envs: {
        prod: {
          channel: 'C0GOLDEN',
          aws: {
            region: 'us-east-1',
            ecs: { cluster: 'golden-path-cluster-prod', service: 'golden-path-service-prod', minTasks: 2, maxTasks: 20 },
            rds: { cluster: 'golden-path-aurora-prod', maxConnections: 1000 },
            logs: { group: '/ecs/golden-path-app-prod' },
            ssm: { failureModeParameter: '/golden/failure_mode' },
          },
        },
      },
      alerts: [{ cloudwatch: { alarmName: 'golden-path-rds-connections-prod' }, env: 'prod' }],
    },
  },
};

/** Node cannot mint X.509 certificates; openssl does (argv only, no shell). */
function selfSigned(dir: string, name: string): { key: string; cert: string } {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.pem`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${name}`], { stdio: 'ignore' });
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
}

describe('SNS CloudWatch alarms → golden-path thread', () => {
  let state: PrivateRedis;
  let t: TestBot;
  let dir: string;
  let signing: { key: string; cert: string };
  let attacker: { key: string; cert: string };
  const confirmed: string[] = [];
  const saved = { ...process.env };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'connbot-sns-bot-'));
    signing = selfSigned(dir, 'sns.amazonaws.com');
    attacker = selfSigned(dir, 'attacker');
    // The diagnosis talks to AWS: point every SDK client at a closed local port so it fails fast, never leaves.
    Object.assign(process.env, { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: 'AKIATESTTESTTESTTEST', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1', AWS_MAX_ATTEMPTS: '1' });
    state = await startRedis();
    const certs: Record<string, string> = { [CERT_URL]: signing.cert, 'https://sns.us-east-1.amazonaws.com/attacker.pem': attacker.cert };
    t = await startTestBot({
      stateRedisUrl: state.url,
      catalog,
      env: { SNS_TOPIC_ARNS: TOPIC },
      webhooks: (rt) =>
        alertWebhooks(rt, {
          sns: {
            // Production rule (https from sns.<region>.amazonaws.com); the certificates come from memory.
            verifier: { fetchCertificate: async (url) => certs[url.toString()] ?? Promise.reject(new Error('404')) },
            confirm: async (url) => void confirmed.push(url.toString()),
          },
        }),
    });
  });
  afterAll(async () => {
    await t?.stop();
    await state?.stop();
    rmSync(dir, { recursive: true, force: true });
    process.env = saved;
  });

  function signed(m: Record<string, unknown>, key = signing.key, certUrl = CERT_URL): SnsEnvelope {
    const draft = { ...m, SigningCertURL: certUrl, Signature: '' } as unknown as SnsEnvelope;
    const algorithm = draft.SignatureVersion === '1' ? 'sha1' : 'sha256';
    return { ...draft, Signature: sign(algorithm, Buffer.from(canonicalString(draft)), key).toString('base64') };
  }

  const post = (body: unknown) =>
    fetch(`${t.bot.url}/webhooks/sns`, { method: 'POST', headers: { 'content-type': 'text/plain; charset=UTF-8' }, body: JSON.stringify(body) });

  function alarm(state: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA', messageId: string, version: '1' | '2', changedAt?: string) {
    const message = JSON.parse(fixture.Message) as Record<string, unknown>;
    message.NewStateValue = state;
    message.OldStateValue = state === 'ALARM' ? 'OK' : 'ALARM';
    if (changedAt) message.StateChangeTime = changedAt;
    return signed({ ...fixture, MessageId: messageId, SignatureVersion: version, Message: JSON.stringify(message) });
  }

  it('confirms a subscription for an allowed topic and refuses others', async () => {
    const confirmation = {
      Type: 'SubscriptionConfirmation',
      MessageId: 'sub-1',
      Token: 'tok',
      TopicArn: TOPIC,
      Message: 'You have chosen to subscribe to the topic.',
      SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=x&Token=tok',
      Timestamp: '2026-11-23T03:50:00.000Z',
      SignatureVersion: '2',
    };
    expect((await post(signed(confirmation))).status).toBe(200);
    expect(confirmed).toEqual([confirmation.SubscribeURL]);
    const foreign = signed({ ...confirmation, TopicArn: 'arn:aws:sns:us-east-1:999999999999:other' });
    expect((await post(foreign)).status).toBe(403);
    expect(confirmed).toHaveLength(1);
  });

  it('refuses tampered messages, foreign certificate hosts and garbage', async () => {
    const good = alarm('ALARM', 'm-tamper', '2');
    expect((await post({ ...good, Message: good.Message.replace('912.0', '1.0') })).status).toBe(401);
    expect((await post(signed({ ...fixture, MessageId: 'm-evil' }, attacker.key, 'https://evil.example/cert.pem'))).status).toBe(401);
    expect((await post(signed({ ...fixture, MessageId: 'm-evil2' }, attacker.key, 'https://sns.us-east-1.amazonaws.com/attacker.pem'.replace('attacker', 'SimpleNotificationService-test')))).status).toBe(401);
    expect((await post({ hello: 'world' })).status).toBe(400);
    expect(t.slack.roots()).toHaveLength(0);
  });

  it('opens a thread on ALARM (v1 and a retry of it once), and resolves it on OK (v2)', async () => {
    expect((await post(alarm('ALARM', 'm-1', '1'))).status).toBe(200);
    expect((await post(alarm('ALARM', 'm-1', '1'))).status).toBe(200); // SNS retry: same MessageId
    const root = await waitFor('alarm root', () => t.slack.roots('C0GOLDEN')[0]);
    expect(root.text).toMatch(/FIRING: golden-path-rds-connections-prod on golden-path\/prod/);
    expect(JSON.stringify(root.blocks)).toMatch(/Threshold Crossed/);
    await waitFor('diagnosis in the thread', () => t.slack.threadReplies('C0GOLDEN', root.ts).find((m) => /DatabaseConnections|connections/i.test(JSON.stringify(m.blocks))), 30_000);

    // INSUFFICIENT_DATA is not a recovery: the root says so, the thread hears why, the incident stays open.
    const firedAt = Date.parse((JSON.parse(fixture.Message) as { StateChangeTime: string }).StateChangeTime);
    const later = (minutes: number) => new Date(firedAt + minutes * 60_000).toISOString().replace('Z', '+0000');
    expect((await post(alarm('INSUFFICIENT_DATA', 'm-2', '2', later(5)))).status).toBe(200);
    await waitFor('root shows insufficient data', () => /INSUFFICIENT DATA/.test(JSON.stringify(t.slack.messages.get(root.ts)!.blocks)));
    await waitFor('insufficient-data reply', () => t.slack.threadReplies('C0GOLDEN', root.ts).find((m) => /insufficient data/i.test(m.text)));
    expect(JSON.stringify(t.slack.messages.get(root.ts)!.blocks)).not.toMatch(/RESOLVED/);

    // An OK older than the last change applied (SNS does not promise order) changes nothing.
    expect((await post(alarm('OK', 'm-3', '2', later(1)))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 500));
    expect(JSON.stringify(t.slack.messages.get(root.ts)!.blocks)).not.toMatch(/RESOLVED/);

    expect((await post(alarm('OK', 'm-4', '2', later(12)))).status).toBe(200);
    await waitFor('root resolved', () => /RESOLVED/.test(JSON.stringify(t.slack.messages.get(root.ts)!.blocks)));
    // Fired for 12 minutes by the alarm's own clock, whenever the deliveries reached us.
    await waitFor('resolved reply', () => t.slack.threadReplies('C0GOLDEN', root.ts).find((m) => /resolved after 12m/.test(m.text)));

    // A replay of the first ALARM (older than the OK) opens no new thread.
    expect((await post(alarm('ALARM', 'm-5', '1'))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 500));
    expect(t.slack.roots('C0GOLDEN')).toHaveLength(1);
  });
});
