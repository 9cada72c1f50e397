import type { AnyRunbook } from './types.js';
import { redisPoolExhaustion } from './redis-pool-exhaustion/index.js';

/** Every runbook connbot knows; adding one is one import and one entry here. */
export const RUNBOOKS: ReadonlyMap<string, AnyRunbook> = new Map(
  [redisPoolExhaustion].map((r) => [r.id, r as AnyRunbook]),
);

export function runbookIds(): string[] {
  return [...RUNBOOKS.keys()];
}
