import type { RedisConnection } from '../fleet/redis.ts';
import type { SqliteTier } from '../cache/tiers/sqlite.ts';

/**
 * Where a feed keeps its watermark (how far it has read), and who in a fleet follows it:
 * - memory only: each relay follows the feeds itself, and starts from "now" after a restart (its cache
 *   is empty anyway);
 * - SQLite: the watermark lives in the file, so a restarted relay catches up on what changed while it
 *   was down (its file still holds the old entries);
 * - Redis: one relay of the fleet holds a lease and follows; the watermark lives in Redis, so the relay
 *   that takes over when the holder dies goes on where it stopped.
 */
export interface FeedCoordination {
  readonly kind: 'local' | 'sqlite' | 'redis';
  getWatermark(feed: string): Promise<number | null>;
  setWatermark(feed: string, value: number): Promise<void>;
  /** True when this relay may follow `feed` now (takes or renews the lease for `ttlMs`). */
  lead(feed: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up (shutdown). */
  resign(feed: string): Promise<void>;
}

export class LocalCoordination implements FeedCoordination {
  readonly kind: 'local' | 'sqlite';
  private readonly marks = new Map<string, number>();

  constructor(private readonly sqlite: SqliteTier | null = null) {
    this.kind = sqlite ? 'sqlite' : 'local';
  }

  async getWatermark(feed: string): Promise<number | null> {
    const stored = this.sqlite?.getMeta(`feed:${feed}:watermark`);
    if (stored !== undefined && stored !== null) return Number(stored);
    return this.marks.get(feed) ?? null;
  }

  async setWatermark(feed: string, value: number): Promise<void> {
    this.marks.set(feed, value);
    this.sqlite?.setMeta(`feed:${feed}:watermark`, String(value));
  }

  async lead(): Promise<boolean> {
    return true;
  }

  async resign(): Promise<void> {}
}

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
/** Watermarks outlive any gap a feed can catch up on (TVDB: about 3 months). */
const WATERMARK_TTL_MS = 100 * 86_400_000;

export class RedisCoordination implements FeedCoordination {
  readonly kind = 'redis';
  private readonly token = crypto.randomUUID();

  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix: string,
  ) {}

  async getWatermark(feed: string): Promise<number | null> {
    const value = await this.redis.call((c) => c.get(`${this.prefix}feed:${feed}:watermark`));
    return value === null ? null : Number(value);
  }

  async setWatermark(feed: string, value: number): Promise<void> {
    await this.redis.call((c) => c.set(`${this.prefix}feed:${feed}:watermark`, String(value), 'PX', String(WATERMARK_TTL_MS)));
  }

  async lead(feed: string, ttlMs: number): Promise<boolean> {
    const key = `${this.prefix}feed:${feed}:lease`;
    try {
      if (Number(await this.redis.eval(RENEW, [key], [this.token, Math.ceil(ttlMs)])) === 1) return true;
      return (await this.redis.call((c) => c.set(key, this.token, 'NX', 'PX', String(Math.ceil(ttlMs))))) === 'OK';
    } catch {
      // Without Redis nobody can know who leads: follow nothing rather than every relay at once.
      return false;
    }
  }

  async resign(feed: string): Promise<void> {
    await this.redis.eval(RELEASE, [`${this.prefix}feed:${feed}:lease`], [this.token]).catch(() => {});
  }
}
