import type { RedisConnection } from '../fleet/redis.ts';

/**
 * The upstream rate budget shared by a fleet: one token bucket per upstream in Redis, kept by one Lua
 * script on Redis's own clock (machines' clocks may disagree). A call reserves a token; when the
 * bucket is empty, the reservation says how long to wait for it (tokens go negative, so waiters line
 * up instead of retrying), unless that is longer than the caller may wait: then nothing is reserved.
 * Four machines with TMDB_RATE_LIMIT=40 still send at most 40 a second together.
 */
const RESERVE = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local max_wait = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)
local wait = 0
if tokens < 1 then wait = math.ceil((1 - tokens) * 1000 / rate) end
if wait > max_wait then
  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
  redis.call('PEXPIRE', KEYS[1], 60000)
  return -1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - 1), 'at', now)
redis.call('PEXPIRE', KEYS[1], 60000)
return wait`;

export interface SharedBudget {
  /**
   * Reserves one call: resolves to the milliseconds to wait before sending (0: now), or null when the
   * wait would pass `maxWaitMs` (nothing reserved). When the shared budget cannot be reached, resolves
   * to 0: the machine's own bucket still applies.
   */
  reserve(maxWaitMs: number): Promise<number | null>;
}

export class RedisBudget implements SharedBudget {
  failures = 0;

  constructor(
    private readonly redis: RedisConnection,
    private readonly key: string,
    private readonly ratePerSecond: number,
    private readonly burst: number,
  ) {}

  async reserve(maxWaitMs: number): Promise<number | null> {
    try {
      const wait = Number(await this.redis.eval(RESERVE, [this.key], [this.ratePerSecond, this.burst, Math.floor(maxWaitMs)]));
      return wait < 0 ? null : wait;
    } catch {
      this.failures++;
      return 0;
    }
  }
}
