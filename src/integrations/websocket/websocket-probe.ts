import WebSocket from 'ws';
import type { IncomingMessage } from 'node:http';
import { classifyNetworkError } from '../http/http-probe.js';
import { redactSecrets } from '../../domain/redact-secrets.js';

/**
 * How a WebSocket probe ended. `rejected`: the server (or a proxy in front of it) answered the upgrade with a
 * plain HTTP status instead of 101 — the classic ingress that does not pass `Upgrade`.
 */
export type WebSocketOutcome =
  | 'replied'
  | 'no-reply'
  | 'closed'
  | 'rejected'
  | 'refused'
  | 'timeout'
  | 'dns'
  | 'reset'
  | 'tls'
  | 'cancelled'
  | 'error';

export interface WebSocketProbeResult {
  url: string;
  outcome: WebSocketOutcome;
  /** True once the server answered 101 Switching Protocols. */
  upgraded: boolean;
  /** 101, or the status of a refused upgrade. */
  handshakeStatus?: number;
  handshakeStatusText?: string;
  /** From the start until 101 (or until the refusal). */
  handshakeMs?: number;
  /** From sending the ping until the first reply. */
  replyMs?: number;
  /** A data message, or a pong control frame answering our ping frame. */
  replyKind?: 'message' | 'pong';
  /** The reply (or a refused upgrade's body), secrets redacted, cut short. */
  excerpt?: string;
  closeCode?: number;
  closeReason?: string;
  error?: string;
  totalMs: number;
}

export interface WebSocketProbeOptions {
  handshakeTimeoutMs?: number;
  replyTimeoutMs?: number;
  /** What the runbook's test sends: `json.dumps({'type': 'ping'})`. */
  message?: string;
  signal?: AbortSignal;
  headers?: Record<string, string>;
  /** A reply larger than this ends the probe with an error rather than filling memory. */
  maxPayloadBytes?: number;
  excerptChars?: number;
}

const DEFAULTS = { handshakeTimeoutMs: 5000, replyTimeoutMs: 5000, message: '{"type":"ping"}', maxPayloadBytes: 64 * 1024, excerptChars: 200 };
/** A server that never answers our close frame must not keep the socket (and the process) alive. */
const CLOSE_GRACE_MS = 1000;
/** How long to read a refused upgrade's body for the report. */
const REFUSAL_BODY_MS = 500;

/**
 * The runbook's "Test WebSocket Connection": open the socket, send `{"type":"ping"}` (and a ping frame), wait
 * for any answer. Never throws: every way it can end comes back as an outcome, with timings.
 */
export function probeWebSocket(url: string, options: WebSocketProbeOptions = {}): Promise<WebSocketProbeResult> {
  const opts = { ...DEFAULTS, ...options };
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, {
        headers: opts.headers,
        maxPayload: opts.maxPayloadBytes,
        perMessageDeflate: false,
        followRedirects: false,
      });
    } catch (err) {
      resolve({ url, outcome: 'error', upgraded: false, error: `invalid WebSocket URL: ${(err as Error).message}`, totalMs: elapsed() });
      return;
    }
    const result: Omit<WebSocketProbeResult, 'outcome' | 'totalMs'> = { url, upgraded: false };
    let settled = false;
    let pingSentAt = 0;
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => finish({ outcome: 'cancelled', error: 'cancelled' });

    function finish(end: Partial<WebSocketProbeResult> & { outcome: WebSocketOutcome }): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (ws.readyState === WebSocket.OPEN) {
        ws.close(1000, 'connbot probe done');
        setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
      } else if (ws.readyState === WebSocket.CONNECTING) {
        ws.terminate();
      }
      resolve({ ...result, ...end, totalMs: elapsed() });
    }

    timer = setTimeout(
      () => finish({ outcome: 'timeout', error: `no handshake answer within ${opts.handshakeTimeoutMs} ms` }),
      opts.handshakeTimeoutMs,
    );
    if (opts.signal?.aborted) {
      onAbort();
      return;
    }
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    ws.on('unexpected-response', (_req, res: IncomingMessage) => {
      result.handshakeStatus = res.statusCode;
      result.handshakeStatusText = res.statusMessage;
      result.handshakeMs = elapsed();
      readSome(res, opts.excerptChars, (body) => {
        finish({
          outcome: 'rejected',
          ...(body ? { excerpt: body } : {}),
          error: `upgrade refused: HTTP ${res.statusCode ?? '?'}${res.statusMessage ? ` ${res.statusMessage}` : ''}`,
        });
      });
    });

    ws.on('open', () => {
      result.upgraded = true;
      result.handshakeStatus = 101;
      result.handshakeMs = elapsed();
      clearTimeout(timer);
      timer = setTimeout(
        () => finish({ outcome: 'no-reply', error: `no reply to ${opts.message} within ${opts.replyTimeoutMs} ms` }),
        opts.replyTimeoutMs,
      );
      pingSentAt = performance.now();
      ws.send(opts.message);
      ws.ping();
    });

    const replied = () => Math.round(performance.now() - pingSentAt);
    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      const text = isBinary ? `<${byteLength(data)} bytes, binary>` : rawText(data);
      finish({ outcome: 'replied', replyKind: 'message', replyMs: replied(), excerpt: excerpt(text, opts.excerptChars) });
    });
    ws.on('pong', () => finish({ outcome: 'replied', replyKind: 'pong', replyMs: replied() }));

    ws.on('close', (code: number, reason: Buffer) => {
      const why = reason.toString('utf8');
      finish({
        outcome: result.upgraded ? 'closed' : 'reset',
        closeCode: code,
        ...(why ? { closeReason: excerpt(why, opts.excerptChars) } : {}),
        error: `closed by the server before replying (code ${code}${why ? `: ${why}` : ''})`,
      });
    });

    ws.on('error', (err: Error) => {
      if (result.upgraded) {
        finish({ outcome: 'closed', error: err.message });
        return;
      }
      const { outcome, error } = classifyNetworkError(err);
      const known = outcome === 'refused' || outcome === 'timeout' || outcome === 'dns' || outcome === 'reset' || outcome === 'tls';
      finish({ outcome: known ? outcome : 'error', error });
    });
  });
}

/** One line for reports: `101 in 4 ms, reply (message) in 2 ms` or `upgrade refused: HTTP 502 after 3 ms`. */
export function describeWebSocketProbe(r: WebSocketProbeResult): string {
  if (r.outcome === 'replied') return `handshake 101 in ${r.handshakeMs} ms, ${r.replyKind} reply in ${r.replyMs} ms`;
  if (r.outcome === 'no-reply' || r.outcome === 'closed') return `handshake 101 in ${r.handshakeMs} ms, then ${r.error ?? r.outcome}`;
  return `${r.error ?? r.outcome} after ${r.handshakeMs ?? r.totalMs} ms`;
}

function readSome(res: IncomingMessage, maxChars: number, done: (body: string) => void): void {
  let body = '';
  let finished = false;
  const end = () => {
    if (finished) return;
    finished = true;
    clearTimeout(cap);
    res.destroy();
    done(excerpt(body, maxChars));
  };
  const cap = setTimeout(end, REFUSAL_BODY_MS);
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    body += chunk;
    if (body.length >= maxChars) end();
  });
  res.on('end', end);
  res.on('error', end);
  res.on('close', end);
}

function rawText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

function byteLength(data: WebSocket.RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

function excerpt(text: string, max: number): string {
  const redacted = redactSecrets(text.trim());
  return redacted.length <= max ? redacted : `${redacted.slice(0, max)}…`;
}
