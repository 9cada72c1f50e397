import type { Finding } from '../../domain/finding.js';
import type { FindingsById } from '../types.js';

/** A finding that measured something: present, not skipped, not failed. Causes and remediations reason only on these. */
export function measured<T>(findings: FindingsById, checkId: string): { finding: Finding; data: T } | undefined {
  const f = findings.get(checkId);
  if (!f || f.skipped || f.status === 'error' || f.status === 'unknown') return undefined;
  return { finding: f, data: f.data as T };
}

/** A finding that ran and found trouble (warn or crit). */
export const isBad = (f: Finding | undefined): boolean => f !== undefined && !f.skipped && (f.status === 'warn' || f.status === 'crit');
