import type { Finding } from '../../domain/finding.js';
import type { FindingsById } from '../types.js';

/** The data a check measured, or undefined when it was skipped or could not measure (error, throttled). */
export function measured(findings: FindingsById, checkId: string): Record<string, unknown> | undefined {
  const f = findings.get(checkId);
  if (!f || f.skipped || f.status === 'error' || f.data.awsError !== undefined) return undefined;
  return f.data;
}

export function num(data: Record<string, unknown> | undefined, key: string): number | undefined {
  const v = data?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** DatabaseConnections at or past the warning line (or headed there). */
export function connectionsElevated(findings: FindingsById): boolean {
  const f: Finding | undefined = findings.get('db-connections');
  return f !== undefined && !f.skipped && (f.status === 'warn' || f.status === 'crit');
}
