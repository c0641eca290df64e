import type { CacheEntry } from '../entry.ts';

export type MaybePromise<T> = T | Promise<T>;

/**
 * What every cache tier offers (memory now; a SQLite file and Redis behind the same contract, checked
 * by one shared test suite). A tier stores whole entries by key and keeps a record -> keys index, so
 * an invalidation by record ("tmdb:movie:550") reaches every variant it holds. Freshness is the
 * entry's own (`freshUntil`/`staleUntil`), never reset by a tier.
 */
export interface CacheTier {
  readonly name: string;
  get(key: string): MaybePromise<CacheEntry | undefined>;
  set(key: string, entry: CacheEntry): MaybePromise<void>;
  /** True when there was an entry. */
  delete(key: string): MaybePromise<boolean>;
  /** Makes the entry stale at `now` (still answerable inside its stale window); true when there was one. */
  expire(key: string, now: number): MaybePromise<boolean>;
  /** Keys of the entries that name `record`. */
  keysOf(record: string): MaybePromise<string[]>;
  close(): MaybePromise<void>;
}
