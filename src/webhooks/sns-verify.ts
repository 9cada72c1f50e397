import { verify as verifySignature, type X509Certificate } from 'node:crypto';
import { ConnbotError, errorMessage } from '../errors.js';
import type { SnsEnvelope } from '../alerts/sns-envelope.js';
import { canonicalString } from './sns/canonical-string.js';
import {
  httpsCertificateFetcher,
  isSnsHostUrl,
  SigningCertCache,
  type CertificateFetcher,
  type TrustedUrlRule,
} from './sns/signing-cert.js';

export { canonicalString } from './sns/canonical-string.js';
export { isSnsHostUrl, httpsCertificateFetcher, type CertificateFetcher, type TrustedUrlRule } from './sns/signing-cert.js';

export interface SnsVerifierOptions {
  /** SNS_TOPIC_ARNS: deliveries from any other topic are refused (403) before any certificate is fetched. */
  allowedTopicArns: readonly string[];
  /** Which certificate URLs may be fetched; default: HTTPS from sns.<region>.amazonaws.com(.cn). */
  isTrustedCertUrl?: TrustedUrlRule;
  fetchCertificate?: CertificateFetcher;
  certTimeoutMs?: number;
  now?: () => Date;
}

/** SignatureVersion 1 is SHA1withRSA, 2 is SHA256withRSA. */
const ALGORITHMS = { '1': 'sha1', '2': 'sha256' } as const;

/**
 * Verifies SNS HTTPS deliveries. Order matters: the topic allow-list is checked first (no network for strangers),
 * then the certificate URL's host (so a forged message cannot make us fetch from anywhere), then the signature.
 * Throws FORBIDDEN (→ 403) or UNAUTHORIZED (→ 401); INTEGRATION_FAILED when the certificate cannot be fetched
 * (→ 503, so SNS retries).
 */
export class SnsVerifier {
  private readonly allowed: ReadonlySet<string>;
  private readonly isTrusted: TrustedUrlRule;
  private readonly certs: SigningCertCache;
  private readonly now: () => Date;

  constructor(opts: SnsVerifierOptions) {
    this.allowed = new Set(opts.allowedTopicArns);
    this.isTrusted = opts.isTrustedCertUrl ?? isSnsHostUrl;
    this.certs = new SigningCertCache(opts.fetchCertificate ?? httpsCertificateFetcher(), opts.certTimeoutMs);
    this.now = opts.now ?? (() => new Date());
  }

  async verify(message: SnsEnvelope): Promise<void> {
    assertTopicAllowed(message.TopicArn, this.allowed);
    const certUrl = this.trustedUrl(message.SigningCertURL, 'SigningCertURL');
    const cert = await this.certs.get(certUrl);
    this.assertCurrent(cert, certUrl);
    let valid: boolean;
    try {
      valid = verifySignature(
        ALGORITHMS[message.SignatureVersion],
        Buffer.from(canonicalString(message), 'utf8'),
        cert.publicKey,
        Buffer.from(message.Signature, 'base64'),
      );
    } catch (err) {
      throw new ConnbotError('UNAUTHORIZED', `SNS signature could not be checked: ${errorMessage(err)}`);
    }
    if (!valid) throw new ConnbotError('UNAUTHORIZED', `SNS signature does not match message ${message.MessageId}`);
  }

  /**
   * The SubscribeURL of a verified confirmation, checked by the same host rule: confirming means GETting it, and
   * it must not point anywhere but SNS.
   */
  subscribeUrl(message: SnsEnvelope): URL {
    if (message.Type === 'Notification') throw new ConnbotError('PAYLOAD_INVALID', 'a Notification has no SubscribeURL');
    return this.trustedUrl(message.SubscribeURL, 'SubscribeURL');
  }

  get cachedCertificates(): number {
    return this.certs.size;
  }

  private trustedUrl(text: string, field: string): URL {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new ConnbotError('UNAUTHORIZED', `SNS ${field} is not a URL`);
    }
    if (!this.isTrusted(url)) throw new ConnbotError('UNAUTHORIZED', `SNS ${field} ${url.origin} is not an SNS HTTPS endpoint`);
    return url;
  }

  private assertCurrent(cert: X509Certificate, url: URL): void {
    const now = this.now().getTime();
    if (now < Date.parse(cert.validFrom) || now > Date.parse(cert.validTo)) {
      throw new ConnbotError('UNAUTHORIZED', `SNS signing certificate ${url.toString()} is not valid now (${cert.validFrom} – ${cert.validTo})`);
    }
  }
}

/** SNS_TOPIC_ARNS allow-list; an empty list allows nothing. */
export function assertTopicAllowed(topicArn: string, allowed: ReadonlySet<string> | readonly string[]): void {
  const set = allowed instanceof Set ? allowed : new Set(allowed as readonly string[]);
  if (!set.has(topicArn)) {
    throw new ConnbotError('FORBIDDEN', `SNS topic ${topicArn} is not in SNS_TOPIC_ARNS`, {
      hint: 'add the topic ARN to SNS_TOPIC_ARNS (comma-separated) if connbot should accept it',
    });
  }
}
