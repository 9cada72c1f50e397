/**
 * Every Redis key connbot writes, in one place. Keys that a Lua script touches together share a hash tag, so the
 * same code runs on Redis Cluster.
 */
export class StateKeys {
  constructor(readonly prefix: string) {}

  pending(id: string): string {
    return `${this.prefix}:{pr-${id}}`;
  }
  pendingApprovals(id: string): string {
    return `${this.prefix}:{pr-${id}}:approvals`;
  }
  cooldown(remediationId: string, targetKey: string): string {
    return `${this.prefix}:cooldown:${remediationId}:${targetKey}`;
  }
  audit(): string {
    return `${this.prefix}:audit`;
  }
  run(runId: string): string {
    return `${this.prefix}:run:${runId}`;
  }
  alertThread(alertKey: string): string {
    return `${this.prefix}:alert-thread:${alertKey}`;
  }
  alertResolvedMark(alertKey: string): string {
    return `${this.prefix}:alert-resolved:${alertKey}`;
  }
  lock(name: string): string {
    return `${this.prefix}:lock:${name}`;
  }
  userGroupMembers(groupId: string): string {
    return `${this.prefix}:usergroup:${groupId}`;
  }
}
