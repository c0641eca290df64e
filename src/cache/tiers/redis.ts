import type { RedisConnection } from '../../fleet/redis.ts';
import type { CacheEntry } from '../entry.ts';
import { expiredCopy } from '../entry.ts';
import { CorruptValue, decodeEntry, encodeEntry } from './codec.ts';
import type { CacheTier } from './tier.ts';

/**
 * The shared tier: entries in Redis, one binary value per key (`<prefix>e:<key>`), each with its
 * expiry at the entry's `staleUntil`, so Redis drops what could never be answered and nothing lives
 * forever (Upstash evicts at random when full, and bills per command). The record index is one set
 * per record (`<prefix>r:<record>`), whose expiry is kept at least as long as its longest entry.
 */
const SET_WITH_RECORDS = `
local px = tonumber(ARGV[2])
redis.call('SET', KEYS[1], ARGV[1], 'PX', px)
for i = 2, #KEYS do
  redis.call('SADD', KEYS[i], ARGV[3])
  if redis.call('PTTL', KEYS[i]) < px then redis.call('PEXPIRE', KEYS[i], px) end
end
return 1`;

const DELETE_WITH_RECORDS = `
local n = redis.call('DEL', KEYS[1])
for i = 2, #KEYS do redis.call('SREM', KEYS[i], ARGV[1]) end
return n`;

export class RedisTier implements CacheTier {
  readonly name = 'redis';

  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix: string,
    private readonly now: () => number,
  ) {}

  private entryKey(key: string): string {
    return `${this.prefix}e:${key}`;
  }

  private recordKey(record: string): string {
    return `${this.prefix}r:${record}`;
  }

  async get(key: string): Promise<CacheEntry | undefined> {
    const value = await this.redis.call((c) => c.getBuffer(this.entryKey(key)));
    if (value === null) return undefined;
    try {
      return decodeEntry(key, value);
    } catch (error) {
      // Never serve it again; another relay (or a person) wrote something that is not ours there.
      if (error instanceof CorruptValue) await this.redis.call((c) => c.del(this.entryKey(key))).catch(() => {});
      throw error;
    }
  }

  async set(key: string, entry: CacheEntry): Promise<void> {
    const px = Math.floor(entry.staleUntil - this.now());
    if (px <= 0) return;
    const keys = [this.entryKey(key), ...entry.records.map((record) => this.recordKey(record))];
    await this.redis.eval(SET_WITH_RECORDS, keys, [encodeEntry(key, entry), px, key]);
  }

  async delete(key: string): Promise<boolean> {
    const records = await this.recordsOf(key);
    const removed = await this.redis.eval(DELETE_WITH_RECORDS, [this.entryKey(key), ...records.map((r) => this.recordKey(r))], [key]);
    return Number(removed) > 0;
  }

  async expire(key: string, now: number): Promise<boolean> {
    const entry = await this.get(key).catch(() => undefined);
    if (entry === undefined) return false;
    const expired = expiredCopy(entry, now);
    if (expired === entry) return true;
    // KEEPTTL: the value still expires at its staleUntil; XX: never recreate one deleted meanwhile.
    await this.redis.command('SET', [this.entryKey(key), encodeEntry(key, expired), 'KEEPTTL', 'XX']);
    return true;
  }

  async keysOf(record: string): Promise<string[]> {
    return this.redis.call((c) => c.smembers(this.recordKey(record)));
  }

  close(): void {
    // The connection belongs to the relay, which closes it after the tier.
  }

  private async recordsOf(key: string): Promise<readonly string[]> {
    try {
      return (await this.get(key))?.records ?? [];
    } catch {
      return [];
    }
  }
}
