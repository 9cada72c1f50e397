import type { IncomingAlert } from '../alerts/incoming-alert.js';

export type AlertJob =
  /** `deliveryId`: a nonce per webhook delivery, so a revived job is told apart from its earlier attempts. */
  | { kind: 'alert'; alert: IncomingAlert; receivedAtMs: number; deliveryId?: string }
  | { kind: 'stale-check'; key: string; lastSeenMs: number }
  | { kind: 'storm-refresh'; channel: string; stormId: string }
  /** A tier of the env's escalation: re-check the incident after `after`, and escalate if still bad. */
  | { kind: 'escalate'; key: string; episode: string; tier: number };
