import { LRUCache } from 'lru-cache';
import { entrySize, type CacheEntry } from './entry.ts';

/** What happened for one request: answered from memory, fetched, answered stale, or joined a fetch. */
export type CacheState = 'HIT' | 'MISS' | 'STALE' | 'COALESCED';

export interface CacheOutcome {
  entry: CacheEntry;
  state: CacheState;
}

/** Fetches and builds the entry for a key; throws for anything that must not be cached. */
export type Loader = () => Promise<CacheEntry>;

export interface ResponseCacheOptions {
  maxBytes: number;
  now: () => number;
  /** Told about background refreshes that failed (the stale entry stays and is still answered). */
  onRefreshError?: (key: string, error: unknown) => void;
}

export interface CacheCounters {
  hits: number;
  misses: number;
  stale: number;
  coalesced: number;
  negativeHits: number;
  refreshes: number;
  refreshFailures: number;
}

/**
 * What the routes see of the cache. A second tier (a SQLite file, Redis) belongs behind this: it
 * would be consulted in ResponseCache's fetchMethod before the upstream loader, and nothing in
 * http/ would change.
 */
export interface ResponseStore {
  /** A fresh entry, or undefined. Synchronous: the hit path. */
  fresh(key: string): CacheEntry | undefined;
  /** Stale-while-revalidate, coalescing and fetching for everything that is not a fresh hit. */
  resolve(key: string, load: Loader): Promise<CacheOutcome>;
  /** True when answering `key` would cost no upstream call. */
  canAnswerWithoutFetch(key: string): boolean;
}

/**
 * The memory tier: an lru-cache bounded by stored bytes. lru-cache's `fetch()` gives us in-flight
 * coalescing (one upstream call however many callers wait) and keeps the stale value while a refresh
 * runs or after it fails. Freshness and the stale window are ours (freshUntil/staleUntil on the entry)
 * rather than lru-cache's TTL, so that a hit is one `get` and one comparison, and the clock is injectable.
 */
export class ResponseCache implements ResponseStore {
  private readonly lru: LRUCache<string, CacheEntry, Loader>;
  private readonly now: () => number;
  private readonly onRefreshError: (key: string, error: unknown) => void;
  /** Keys with an upstream fetch in flight. */
  private readonly loading = new Set<string>();
  readonly counters: CacheCounters = {
    hits: 0,
    misses: 0,
    stale: 0,
    coalesced: 0,
    negativeHits: 0,
    refreshes: 0,
    refreshFailures: 0,
  };

  constructor(options: ResponseCacheOptions) {
    this.now = options.now;
    this.onRefreshError = options.onRefreshError ?? (() => {});
    this.lru = new LRUCache<string, CacheEntry, Loader>({
      maxSize: options.maxBytes,
      sizeCalculation: entrySize,
      fetchMethod: (key, _stale, { context }) => {
        this.loading.add(key);
        return context().finally(() => this.loading.delete(key));
      },
      // A fetch whose placeholder gets evicted (a small cache filling up meanwhile) still runs to
      // its end and answers its waiters with the real result, never with an old value.
      ignoreFetchAbort: true,
      allowStaleOnFetchAbort: false,
    });
  }

  /** The hot path: a fresh entry or undefined. Synchronous, no allocation. */
  fresh(key: string): CacheEntry | undefined {
    const entry = this.lru.get(key);
    if (entry === undefined || this.now() >= entry.freshUntil) return undefined;
    this.countHit(entry);
    return entry;
  }

  /** Everything that is not a fresh hit: stale-while-revalidate, coalesced miss, or a new fetch. */
  async resolve(key: string, load: Loader): Promise<CacheOutcome> {
    const now = this.now();
    // peek with allowStale also sees the old value while a refresh is in flight.
    const existing = this.lru.peek(key, { allowStale: true });
    if (existing !== undefined) {
      if (now < existing.freshUntil) {
        this.countHit(existing);
        return { entry: existing, state: 'HIT' };
      }
      if (now < existing.staleUntil) {
        this.counters.stale++;
        this.refreshInBackground(key, load);
        return { entry: existing, state: 'STALE' };
      }
    }
    const status: LRUCache.Status<string, CacheEntry, Loader> = {};
    const entry = await this.lru.fetch(key, {
      context: load,
      forceRefresh: true,
      allowStale: false,
      allowStaleOnFetchRejection: false,
      status,
    });
    if (entry === undefined) throw new Error('cache fetch returned nothing');
    // Defence in depth: whatever lru-cache hands back, an entry past its stale window is never answered.
    if (this.now() >= entry.staleUntil) throw new Error('cache fetch returned an expired entry');
    if (status.fetch === 'inflight') {
      this.counters.coalesced++;
      return { entry, state: 'COALESCED' };
    }
    this.counters.misses++;
    return { entry, state: 'MISS' };
  }

  /** True when a request for `key` costs no upstream call: usable entry, or a fetch already in flight. */
  canAnswerWithoutFetch(key: string): boolean {
    if (this.loading.has(key)) return true;
    const entry = this.lru.peek(key, { allowStale: true });
    return entry !== undefined && this.now() < entry.staleUntil;
  }

  get fetchesInFlight(): number {
    return this.loading.size;
  }

  private refreshInBackground(key: string, load: Loader): void {
    const loadAndReport: Loader = () =>
      load().catch((error: unknown) => {
        this.counters.refreshFailures++;
        this.onRefreshError(key, error);
        throw error;
      });
    const status: LRUCache.Status<string, CacheEntry, Loader> = {};
    // Answers the stale value at once; a refresh already in flight is joined, not repeated. When the
    // refresh fails, the stale entry stays (noDeleteOnFetchRejection) for requests inside its window,
    // while requests that joined the refresh from outside the window get the real error
    // (allowStaleOnFetchRejection: false), not an entry they may no longer be given.
    this.lru
      .fetch(key, {
        context: loadAndReport,
        forceRefresh: true,
        allowStale: true,
        allowStaleOnFetchRejection: false,
        noDeleteOnFetchRejection: true,
        status,
      })
      .catch(() => {});
    if (status.fetchDispatched) this.counters.refreshes++;
  }

  private countHit(entry: CacheEntry): void {
    this.counters.hits++;
    if (entry.negative) this.counters.negativeHits++;
  }

  get entries(): number {
    return this.lru.size;
  }

  /** Bytes counted against CACHE_MAX_BYTES (bodies plus a fixed per-entry allowance). */
  get storedBytes(): number {
    return this.lru.calculatedSize;
  }

  /** Decoded size of everything stored (walks the cache: for /stats, not for hot paths). */
  identityBytes(): number {
    let total = 0;
    for (const entry of this.lru.values()) total += entry?.identityLength ?? 0;
    return total;
  }

  get maxBytes(): number {
    return this.lru.maxSize;
  }
}
