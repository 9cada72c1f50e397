import { describe, expect, it } from 'vitest';
import { approvalPolicy, approvalsRequired, describeApprovers } from '../../src/approvals/approval-policy.js';
import { validateCatalog } from '../../src/catalog/load-catalog.js';

const catalog = validateCatalog({
  version: 1,
  defaults: { approvals: { approvers: ['S0ONCALL'], required: 1, requiredHighRisk: 2, expiresAfter: '15m' } },
  services: {
    r: {
      runbooks: ['redis-pool-exhaustion'],
      envs: {
        prod: { redis: { url: 'redis://r:6379' }, approvals: { approvers: ['U0LEAD'], selfApprove: true } },
        dev: { redis: { url: 'redis://r:6379' } },
      },
    },
  },
});

describe('approval policy', () => {
  it('takes the env block over the defaults, key by key', () => {
    expect(approvalPolicy(catalog, 'r', 'prod')).toEqual({ approvers: ['U0LEAD'], selfApprove: true, required: 1, requiredHighRisk: 2, expiresAfterMs: 900_000 });
    expect(approvalPolicy(catalog, 'r', 'dev')).toMatchObject({ approvers: ['S0ONCALL'], selfApprove: false });
  });

  it('asks more approvers for high-risk remediations only', () => {
    const p = approvalPolicy(catalog, 'r', 'prod');
    expect(approvalsRequired(p, 'low')).toBe(1);
    expect(approvalsRequired(p, 'medium')).toBe(1);
    expect(approvalsRequired(p, 'high')).toBe(2);
  });

  it('shows users and user groups as live mentions', () => {
    expect(describeApprovers(['U0LEAD', 'S0ONCALL'])).toBe('<@U0LEAD>, <!subteam^S0ONCALL>');
    expect(describeApprovers([])).toMatch(/nobody/);
  });
});
