import type { WebClient } from '@slack/web-api';
import type { Redis } from 'ioredis';
import type { StateKeys } from '../state/keys.js';

const GROUP_CACHE_SECONDS = 60;

/**
 * Is this user one of the approvers? User ids match directly; user-group ids (S…) are expanded with
 * usergroups.users.list and cached briefly in Redis so every replica sees the same membership.
 */
export class ApproverDirectory {
  constructor(
    private readonly client: WebClient,
    private readonly redis: Redis,
    private readonly keys: StateKeys,
  ) {}

  async isApprover(userId: string, approvers: readonly string[]): Promise<boolean> {
    if (approvers.includes(userId)) return true;
    for (const group of approvers.filter((a) => a.startsWith('S'))) {
      if ((await this.members(group)).includes(userId)) return true;
    }
    return false;
  }

  private async members(groupId: string): Promise<string[]> {
    const key = this.keys.userGroupMembers(groupId);
    const cached = await this.redis.get(key);
    if (cached) return JSON.parse(cached) as string[];
    const r = await this.client.usergroups.users.list({ usergroup: groupId });
    const users = r.users ?? [];
    await this.redis.set(key, JSON.stringify(users), 'EX', GROUP_CACHE_SECONDS);
    return users;
  }
}
