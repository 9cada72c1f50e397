import { X509Certificate } from 'node:crypto';
import { get } from 'node:https';
import { ConnbotError, errorMessage } from '../../errors.js';

/** Decides whether a SigningCertURL / SubscribeURL may be fetched at all. */
export type TrustedUrlRule = (url: URL) => boolean;

/** Fetch a PEM certificate; injectable so tests can serve one from a local HTTPS server with their own CA. */
export type CertificateFetcher = (url: URL, signal: AbortSignal) => Promise<string>;

// A regional SNS endpoint only (sns.us-east-1…, sns.us-gov-west-1…, sns.cn-north-1….com.cn). A looser
// `sns.<anything>.amazonaws.com` would also match S3 virtual-hosted buckets (sns.s3.amazonaws.com), where anyone
// can serve a certificate of their own.
const SNS_HOST = /^sns\.[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d+\.amazonaws\.com(?:\.cn)?$/;

/** The default rule: HTTPS from an SNS regional endpoint, as AWS's own verifiers require. */
export const isSnsHostUrl: TrustedUrlRule = (url) => url.protocol === 'https:' && SNS_HOST.test(url.hostname) && url.port === '';

/** HTTPS GET with a size cap; `ca` trusts an extra root (tests), the system roots otherwise. */
export function httpsCertificateFetcher(opts: { ca?: string | Buffer; maxBytes?: number } = {}): CertificateFetcher {
  const maxBytes = opts.maxBytes ?? 64 * 1024;
  return (url, signal) =>
    new Promise((resolve, reject) => {
      const req = get(url, { signal, ...(opts.ca ? { ca: opts.ca } : {}) }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`HTTP ${res.statusCode ?? '?'}`));
          return;
        }
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
          if (body.length > maxBytes) req.destroy(new Error(`certificate larger than ${maxBytes} bytes`));
        });
        res.on('end', () => resolve(body));
        res.on('error', reject);
      });
      req.on('error', reject);
    });
}

/**
 * Signing certificates by URL. SNS signs with few certificates and rotates them rarely, so each is fetched
 * once; a failed fetch is not cached, so the next delivery tries again.
 */
export class SigningCertCache {
  private readonly certs = new Map<string, Promise<X509Certificate>>();

  constructor(
    private readonly fetcher: CertificateFetcher,
    private readonly timeoutMs = 5000,
    private readonly maxEntries = 64,
  ) {}

  get(url: URL): Promise<X509Certificate> {
    const key = url.toString();
    let cert = this.certs.get(key);
    if (!cert) {
      cert = this.load(url);
      cert.catch(() => this.certs.delete(key));
      if (this.certs.size >= this.maxEntries) this.certs.delete(this.certs.keys().next().value!);
      this.certs.set(key, cert);
    }
    return cert;
  }

  get size(): number {
    return this.certs.size;
  }

  private async load(url: URL): Promise<X509Certificate> {
    let pem: string;
    try {
      pem = await this.fetcher(url, AbortSignal.timeout(this.timeoutMs));
    } catch (err) {
      throw new ConnbotError('INTEGRATION_FAILED', `cannot fetch SNS signing certificate ${url.toString()}: ${errorMessage(err)}`, { cause: err });
    }
    try {
      return new X509Certificate(pem);
    } catch (err) {
      throw new ConnbotError('UNAUTHORIZED', `SNS signing certificate ${url.toString()} is not a PEM certificate`, { cause: err });
    }
  }
}
