import type { z } from 'zod';
import { ConnbotError } from '../errors.js';

/** Validate a webhook body; problems name the field, so a 400 answer says what was wrong. */
export function parsePayload<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
  throw new ConnbotError('PAYLOAD_INVALID', `not a valid ${what}: ${problems.join('; ')}`);
}

/** Bodies may arrive as text (SNS posts JSON as text/plain) or already parsed. */
export function jsonBody(body: unknown, what: string): unknown {
  if (typeof body !== 'string' && !Buffer.isBuffer(body)) return body;
  try {
    return JSON.parse(String(body)) as unknown;
  } catch {
    throw new ConnbotError('PAYLOAD_INVALID', `${what} is not JSON`);
  }
}
