import type { Catalog } from '../catalog/schema.js';
import type { Risk } from '../runbooks/types.js';

export interface ApprovalPolicy {
  approvers: string[];
  selfApprove: boolean;
  required: number;
  requiredHighRisk: number;
  expiresAfterMs: number;
}

const DEFAULT_EXPIRY_MS = 15 * 60_000;

/** The env's approvals block over the catalog defaults, key by key. */
export function approvalPolicy(catalog: Catalog, service: string, env: string): ApprovalPolicy {
  const d = catalog.defaults?.approvals ?? {};
  const e = catalog.services[service]?.envs[env]?.approvals ?? {};
  return {
    approvers: e.approvers ?? d.approvers ?? [],
    selfApprove: e.selfApprove ?? d.selfApprove ?? false,
    required: e.required ?? d.required ?? 1,
    requiredHighRisk: e.requiredHighRisk ?? d.requiredHighRisk ?? e.required ?? d.required ?? 1,
    expiresAfterMs: e.expiresAfter ?? d.expiresAfter ?? DEFAULT_EXPIRY_MS,
  };
}

export function approvalsRequired(policy: ApprovalPolicy, risk: Risk): number {
  return risk === 'high' ? Math.max(policy.required, policy.requiredHighRisk) : policy.required;
}

export function cooldownMs(catalog: Catalog): number {
  return catalog.defaults?.cooldown ?? 10 * 60_000;
}

export function describeApprovers(ids: readonly string[]): string {
  if (ids.length === 0) return 'nobody (no approvers configured)';
  return ids.map((id) => (id.startsWith('S') ? `<!subteam^${id}>` : `<@${id}>`)).join(', ');
}
