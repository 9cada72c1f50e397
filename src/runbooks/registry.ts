import type { AnyRunbook } from './types.js';
import { redisPoolExhaustion } from './redis-pool-exhaustion/index.js';
import { connectionDropRate } from './connection-drop-rate/index.js';
import { dbConnectionExhaustion } from './db-connection-exhaustion/index.js';
import { connectionErrors } from './connection-errors/index.js';
import { websocketConnections } from './websocket-connections/index.js';

/** Every runbook connbot knows; adding one is one import and one entry here. */
export const RUNBOOKS: ReadonlyMap<string, AnyRunbook> = new Map(
  [redisPoolExhaustion, connectionDropRate, dbConnectionExhaustion, connectionErrors, websocketConnections].map((r) => [r.id, r as AnyRunbook]),
);

export function runbookIds(): string[] {
  return [...RUNBOOKS.keys()];
}
