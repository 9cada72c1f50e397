import type { IncomingAlert } from '../alerts/incoming-alert.js';

export type AlertJob =
  | { kind: 'alert'; alert: IncomingAlert; receivedAtMs: number }
  | { kind: 'stale-check'; key: string; lastSeenMs: number }
  | { kind: 'storm-refresh'; channel: string; stormId: string };
