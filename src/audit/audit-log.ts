import type { Redis } from 'ioredis';
import type { StateKeys } from '../state/keys.js';

export type AuditEvent =
  | 'diagnosis.requested'
  | 'diagnosis.finished'
  | 'remediation.proposed'
  | 'remediation.approval'
  | 'remediation.approved'
  | 'remediation.refused'
  | 'remediation.dismissed'
  | 'remediation.executed'
  | 'remediation.failed'
  | 'remediation.verified'
  | 'alert.received';

export interface AuditEntry {
  event: AuditEvent;
  [field: string]: string | number | boolean | undefined;
}

/** Append-only trail in a Redis stream: who asked, who approved or was refused, what ran, how it verified. */
export class AuditLog {
  constructor(
    private readonly redis: Redis,
    private readonly keys: StateKeys,
    private readonly maxLen = 100_000,
  ) {}

  async append(entry: AuditEntry): Promise<string> {
    const fields: string[] = ['at', new Date().toISOString()];
    for (const [k, v] of Object.entries(entry)) if (v !== undefined) fields.push(k, String(v));
    return (await this.redis.xadd(this.keys.audit(), 'MAXLEN', '~', String(this.maxLen), '*', ...fields)) ?? '';
  }

  async recent(count = 100): Promise<Array<Record<string, string>>> {
    const rows = await this.redis.xrevrange(this.keys.audit(), '+', '-', 'COUNT', count);
    return rows.map(([id, flat]) => {
      const rec: Record<string, string> = { id };
      for (let i = 0; i + 1 < flat.length; i += 2) rec[flat[i]!] = flat[i + 1]!;
      return rec;
    });
  }
}
