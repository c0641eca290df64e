import type { CacheStore } from '../config.ts';
import { RedisConnection, type RedisState } from '../fleet/redis.ts';
import type { BreakerState } from '../upstreams/breaker.ts';
import { FillLocks } from './fleet/fill-locks.ts';
import { InvalidationBus, type Invalidation } from './fleet/invalidation-bus.ts';
import type { Fleet } from './resolver.ts';
import { GuardedTier } from './tiers/guarded.ts';
import { RedisTier } from './tiers/redis.ts';
import { SqliteTier } from './tiers/sqlite.ts';

export interface StoreOptions {
  now: () => number;
  /** Deadline of one call to the tier (CACHE_STORE_TIMEOUT). */
  timeoutMs: number;
  maxEntryBytes: number;
  /** How long a fleet fill lock lives (longer than a queued upstream call can take). */
  lockMs: number;
  /** Where invalidations from other relays go (the resolver's memory). */
  onInvalidation: (invalidation: Invalidation) => void;
  onTierState?: (state: BreakerState, previous: BreakerState) => void;
  onRedisState?: (state: RedisState, previous: RedisState) => void;
}

/** The configured second tier with what comes with it: for Redis, the connection and the fleet. */
export interface SecondStore {
  readonly kind: CacheStore['kind'];
  readonly tier: GuardedTier;
  readonly fleet: Fleet | null;
  readonly redis: RedisConnection | null;
  readonly sqlite: SqliteTier | null;
  /** Waits (bounded) for the first connection attempt, so a healthy Redis is used from the first request. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export function openStore(store: CacheStore, options: StoreOptions): SecondStore {
  const guard = (tier: SqliteTier | RedisTier) =>
    new GuardedTier(tier, { timeoutMs: options.timeoutMs, maxEntryBytes: options.maxEntryBytes, now: options.now, onBreakerChange: options.onTierState });
  if (store.kind === 'sqlite') {
    const sqlite = new SqliteTier({ path: store.path, maxBytes: store.maxBytes, now: options.now });
    const tier = guard(sqlite);
    return { kind: 'sqlite', tier, fleet: null, redis: null, sqlite, ready: async () => {}, close: () => tier.close() };
  }
  let tier: GuardedTier | null = null;
  const redis = new RedisConnection({
    url: store.url,
    timeoutMs: options.timeoutMs,
    onStateChange: (state, previous) => {
      // A PING that answers is as good as a probe: the tier is used again at once.
      if (state === 'up') tier?.breaker.reset();
      options.onRedisState?.(state, previous);
    },
  });
  tier = guard(new RedisTier(redis, store.prefix, options.now));
  const locks = new FillLocks(redis, store.prefix, options.lockMs);
  const bus = new InvalidationBus(redis, store.prefix, options.onInvalidation);
  return {
    kind: 'redis',
    tier: tier as GuardedTier,
    fleet: { locks, bus },
    redis,
    sqlite: null,
    ready: () => redis.ready(),
    close: async () => {
      bus.close();
      await tier.close();
      await redis.close();
    },
  };
}
