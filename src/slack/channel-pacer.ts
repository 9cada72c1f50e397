import type { Redis } from 'ioredis';

// Token bucket per channel, in Redis so every worker replica shares it. Returns 0 when a message may go now,
// else how many ms to wait for the next token.
const TAKE = `
local now = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(b[1]) or burst
local at = tonumber(b[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) / rate) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], 60000)
return wait
`;

/**
 * Slack allows about one message per second per channel, with short bursts. Posting faster earns 429s for the
 * whole workspace, so new messages are paced per channel before they are sent; edits are not paced.
 */
export class ChannelPacer {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly perSecond = 1,
    private readonly burst = 5,
  ) {}

  async waitMs(channel: string, now = Date.now()): Promise<number> {
    const key = `${this.prefix}:pace:{${channel}}`;
    return Number(await this.redis.eval(TAKE, 1, key, String(now), String(this.perSecond / 1000), String(this.burst)));
  }
}
