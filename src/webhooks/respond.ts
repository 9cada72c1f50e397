import type { ServerResponse } from 'node:http';
import { ConnbotError, errorMessage } from '../errors.js';
import { lostConnection } from '../state/redis-connection.js';
import { sendJson } from '../web/http-server.js';
import { BodyTooLargeError } from '../web/read-body.js';

const STATUS_BY_CODE: Partial<Record<string, number>> = {
  PAYLOAD_INVALID: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  INTEGRATION_FAILED: 503,
};

/** Map a webhook failure to the contract's answer: 400/401/403/413, and 503 so the sender retries. */
export function respondWithError(res: ServerResponse, err: unknown): number {
  let status = 500;
  if (err instanceof BodyTooLargeError) status = 413;
  else if (err instanceof ConnbotError) status = STATUS_BY_CODE[err.code] ?? 500;
  else if (err instanceof QueueUnavailableError) status = 503;
  sendJson(res, status, { error: errorMessage(err) });
  return status;
}

export class QueueUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`job queue unavailable, retry later: ${errorMessage(cause)}`);
  }
}

/**
 * A disconnected Redis connection queues commands until it reconnects; the sender should instead hear 503 now
 * and retry (the job id makes the retry and a late buffered add the same job).
 */
export function requireQueueConnection(redis: { status: string }): void {
  if (lostConnection(redis)) throw new QueueUnavailableError(new Error(`Redis connection is ${redis.status}`));
}

/** Enqueueing waits on Redis; when Redis is gone the sender must get 503 quickly, not a hung request. */
export async function durably<T>(work: Promise<T>, ms = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
      }),
    ]);
  } catch (err) {
    throw new QueueUnavailableError(err);
  } finally {
    clearTimeout(timer);
  }
}
