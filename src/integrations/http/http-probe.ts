import { redactSecrets } from '../../domain/redact-secrets.js';
import { errorMessage } from '../../errors.js';

/** How a GET ended: an answer (any status), or why there was none. */
export type ProbeOutcome = 'response' | 'refused' | 'timeout' | 'dns' | 'reset' | 'tls' | 'cancelled' | 'error';

export interface HttpProbeResult {
  url: string;
  outcome: ProbeOutcome;
  /** Set when outcome is `response`. */
  statusCode?: number;
  /** True for a 2xx answer. */
  ok: boolean;
  /** Until the headers arrived, or until the failure. */
  latencyMs: number;
  contentType?: string;
  /** The first ~300 characters of the body, secrets redacted. */
  bodyExcerpt?: string;
  /** The body parsed as JSON, when it is JSON. */
  json?: unknown;
  /** The whole body as read, unredacted: only when `keepBody` asked for it, for parsing (never for display). */
  body?: string;
  /** Why there was no answer, in words (`connection refused (ECONNREFUSED)`). */
  error?: string;
}

export interface ProbeOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  headers?: Record<string, string>;
  /** Characters of body kept in the excerpt. */
  excerptChars?: number;
  /** Body bytes read at most: a health endpoint that streams forever must not hang the check. */
  maxBodyBytes?: number;
  /** Return the raw body too (a metrics page to parse); renderers still escape and redact what they show. */
  keepBody?: boolean;
}

const DEFAULTS = { timeoutMs: 5000, excerptChars: 300, maxBodyBytes: 256 * 1024 };

/** GET a URL like `curl` in a runbook would, and report what happened instead of throwing. */
export async function probeHttp(url: string, opts: ProbeOptions = {}): Promise<HttpProbeResult> {
  const timeoutMs = opts.timeoutMs ?? DEFAULTS.timeoutMs;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let res: Response;
  try {
    res = await fetch(url, { method: 'GET', headers: { accept: 'application/json, */*', ...opts.headers }, signal, redirect: 'follow' });
  } catch (err) {
    const latencyMs = elapsed();
    if (timeout.aborted) return { url, outcome: 'timeout', ok: false, latencyMs, error: `no answer within ${timeoutMs} ms` };
    if (opts.signal?.aborted) return { url, outcome: 'cancelled', ok: false, latencyMs, error: 'cancelled' };
    const { outcome, error } = classifyNetworkError(err);
    return { url, outcome, ok: false, latencyMs, error };
  }
  const latencyMs = elapsed();
  const contentType = res.headers.get('content-type') ?? undefined;
  let text: string;
  try {
    text = await readLimited(res, opts.maxBodyBytes ?? DEFAULTS.maxBodyBytes);
  } catch (err) {
    // Headers arrived, so the status is real; the body is what we could not read.
    const reason = timeout.aborted ? `body not complete within ${timeoutMs} ms` : `body unreadable: ${errorMessage(err)}`;
    return { url, outcome: 'response', statusCode: res.status, ok: res.ok, latencyMs, ...(contentType ? { contentType } : {}), error: reason };
  }
  const json = parseJson(text, contentType);
  return {
    url,
    outcome: 'response',
    statusCode: res.status,
    ok: res.ok,
    latencyMs,
    ...(contentType ? { contentType } : {}),
    bodyExcerpt: excerpt(text, opts.excerptChars ?? DEFAULTS.excerptChars),
    ...(json === undefined ? {} : { json }),
    ...(opts.keepBody ? { body: text } : {}),
  };
}

/** One line for reports: `HTTP 200 in 12 ms` or `connection refused (ECONNREFUSED) after 3 ms`. */
export function describeProbe(r: HttpProbeResult): string {
  if (r.outcome === 'response') return `HTTP ${r.statusCode} in ${r.latencyMs} ms${r.error ? ` (${r.error})` : ''}`;
  return `${r.error ?? r.outcome} after ${r.latencyMs} ms`;
}

const NETWORK_CODES: Array<[RegExp, ProbeOutcome, string]> = [
  [/^ECONNREFUSED$/, 'refused', 'connection refused'],
  [/^(ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_FAIL)$/, 'dns', 'DNS lookup failed'],
  [/^(UND_ERR_CONNECT_TIMEOUT|ETIMEDOUT|UND_ERR_HEADERS_TIMEOUT)$/, 'timeout', 'connection timed out'],
  [/^(ECONNRESET|EPIPE|UND_ERR_SOCKET)$/, 'reset', 'connection reset'],
  [/^(ERR_TLS_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)/, 'tls', 'TLS handshake failed'],
];

/** undici wraps the socket error: `TypeError: fetch failed` with `cause.code`. */
export function classifyNetworkError(err: unknown): { outcome: ProbeOutcome; error: string } {
  const cause = (err as { cause?: { code?: string; message?: string; hostname?: string } }).cause;
  const code = cause?.code ?? (err as { code?: string }).code;
  if (code) {
    for (const [re, outcome, words] of NETWORK_CODES) {
      if (re.test(code)) return { outcome, error: `${words} (${code})` };
    }
    return { outcome: 'error', error: `${cause?.message ?? errorMessage(err)} (${code})` };
  }
  if (err instanceof TypeError && /invalid url|failed to parse url/i.test(err.message)) {
    return { outcome: 'error', error: `invalid URL: ${err.message}` };
  }
  return { outcome: 'error', error: cause?.message ?? errorMessage(err) };
}

async function readLimited(res: Response, maxBytes: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size >= maxBytes) {
      await reader.cancel().catch(() => {});
      break;
    }
  }
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, maxBytes));
}

function parseJson(text: string, contentType: string | undefined): unknown {
  const looksJson = /json/i.test(contentType ?? '') || /^\s*[[{]/.test(text);
  if (!looksJson) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function excerpt(text: string, max: number): string {
  const redacted = redactSecrets(text);
  return redacted.length <= max ? redacted : `${redacted.slice(0, max)}…`;
}
