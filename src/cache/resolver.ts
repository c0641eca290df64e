import { LRUCache } from 'lru-cache';
import type { Lane } from '../upstreams/queue.ts';
import type { UpstreamName } from '../upstreams/types.ts';
import type { CacheEntry } from './entry.ts';
import { keyOf, type Origin } from './key.ts';
import type { MemoryTier } from './tiers/memory.ts';

/** What happened for one request: answered from memory, fetched, answered stale, or joined a fetch. */
export type CacheState = 'HIT' | 'MISS' | 'STALE' | 'COALESCED';

export interface Outcome {
  entry: CacheEntry;
  state: CacheState;
}

/**
 * How an entry is fetched:
 * - fill: a client is waiting and nothing usable is cached (foreground lane);
 * - refresh: a stale entry is being replaced while clients get the stale copy (background lane);
 * - forced: an operator or a change feed asked for a new copy, fresh or not (background lane).
 */
export type FetchMode = 'fill' | 'refresh' | 'forced';

/** Fetches an origin from its upstream and turns the answer into an entry (or throws). */
export interface OriginLoader {
  load(origin: Origin, lane: Lane): Promise<CacheEntry>;
  /** False while nothing may be sent to this upstream (paused, breaker open): optional work waits. */
  ready(upstream: UpstreamName): boolean;
}

export interface ResolverOptions {
  memory: MemoryTier;
  loader: OriginLoader;
  now: () => number;
  /** Told about background refreshes that failed (the stale entry stays and is still answered). */
  onRefreshError?: (origin: Origin, error: unknown) => void;
}

export interface CacheCounters {
  hits: number;
  misses: number;
  stale: number;
  coalesced: number;
  negativeHits: number;
  refreshes: number;
  refreshFailures: number;
  /** Refreshes not dispatched: the upstream was holding back, or the key was backing off. */
  refreshesDeferred: number;
  invalidated: number;
}

interface Flight {
  mode: FetchMode;
  promise: Promise<CacheEntry>;
}

/** A failing refresh waits this long before the next try for the same key, doubling up to the cap. */
const REFRESH_BACKOFF_BASE_MS = 1_000;
const REFRESH_BACKOFF_CAP_MS = 5 * 60_000;
/** Keys whose refresh is backing off, at most (least recently failed forgotten first). */
const BACKOFF_KEYS_MAX = 10_000;

export type InvalidateAction = 'expire' | 'delete';

/**
 * The cache in front of the upstreams. `fresh()` is the synchronous hit path (memory only, unchanged
 * in cost). `resolve()` does everything else: stale-while-revalidate, coalescing of concurrent misses
 * into one fetch, and the fetch itself, through the origin loader (any code can refresh a key without
 * a request, because the entry carries its origin).
 *
 * In-flight fetches live in a map of our own, not in the memory tier: a fill, a refresh and a forced
 * refresh are different things (which lane, whether a stale copy may be answered meanwhile, what a
 * second tier may return), and an evicted entry must never orphan the clients waiting for it.
 */
export class Resolver {
  private readonly memory: MemoryTier;
  private readonly loader: OriginLoader;
  private readonly now: () => number;
  private readonly onRefreshError: (origin: Origin, error: unknown) => void;
  private readonly flights = new Map<string, Flight>();
  private readonly backoff = new LRUCache<string, { until: number; failures: number }>({ max: BACKOFF_KEYS_MAX });
  readonly counters: CacheCounters = {
    hits: 0,
    misses: 0,
    stale: 0,
    coalesced: 0,
    negativeHits: 0,
    refreshes: 0,
    refreshFailures: 0,
    refreshesDeferred: 0,
    invalidated: 0,
  };

  constructor(options: ResolverOptions) {
    this.memory = options.memory;
    this.loader = options.loader;
    this.now = options.now;
    this.onRefreshError = options.onRefreshError ?? (() => {});
  }

  /** The hot path: a fresh entry or undefined. Synchronous, no allocation. */
  fresh(key: string): CacheEntry | undefined {
    const entry = this.memory.get(key);
    if (entry === undefined || this.now() >= entry.freshUntil) return undefined;
    this.countHit(entry);
    return entry;
  }

  /** Everything that is not a fresh hit: a stale answer plus a refresh, a joined fetch, or a new fetch. */
  async resolve(origin: Origin): Promise<Outcome> {
    const key = keyOf(origin);
    const now = this.now();
    const existing = this.memory.get(key);
    if (existing !== undefined) {
      if (now < existing.freshUntil) {
        this.countHit(existing);
        return { entry: existing, state: 'HIT' };
      }
      if (now < existing.staleUntil) {
        this.counters.stale++;
        this.refreshInBackground(key, existing.origin);
        return { entry: existing, state: 'STALE' };
      }
    }
    const flight = this.flights.get(key);
    if (flight !== undefined) {
      const entry = await flight.promise;
      this.assertUsable(entry);
      this.counters.coalesced++;
      return { entry, state: 'COALESCED' };
    }
    const entry = await this.fly(key, origin, 'fill').promise;
    this.assertUsable(entry);
    this.counters.misses++;
    return { entry, state: 'MISS' };
  }

  /**
   * Fetches `key` again in the background lane. Without `force`, only a stale entry is refreshed.
   * Joins a fetch already in flight. Resolves to the new entry, or null when nothing was fetched.
   */
  async refresh(key: string, options: { force?: boolean; origin?: Origin } = {}): Promise<CacheEntry | null> {
    const flight = this.flights.get(key);
    if (flight !== undefined) return flight.promise;
    const existing = this.memory.peek(key);
    const origin = options.origin ?? existing?.origin;
    if (origin === undefined) return null;
    if (!options.force && existing !== undefined && this.now() < existing.freshUntil) return null;
    return this.fly(key, origin, options.force ? 'forced' : 'refresh').promise;
  }

  /** True when a request for `key` costs no upstream call: a usable entry, or a fetch already in flight. */
  canAnswerWithoutFetch(key: string): boolean {
    if (this.flights.has(key)) return true;
    const entry = this.memory.peek(key);
    return entry !== undefined && this.now() < entry.staleUntil;
  }

  /**
   * Expires (stale at once, refreshed on its next request) or deletes the entry of a key, or of every
   * key of a record. Returns the keys affected.
   */
  invalidate(target: { key: string } | { record: string }, action: InvalidateAction): string[] {
    const keys = 'key' in target ? [target.key] : this.memory.keysOf(target.record);
    const now = this.now();
    const affected = keys.filter((key) => (action === 'delete' ? this.memory.delete(key) : this.memory.expire(key, now)));
    // A key that was asked to change must be refreshable at once, whatever failed before.
    for (const key of affected) this.backoff.delete(key);
    this.counters.invalidated += affected.length;
    return affected;
  }

  get fetchesInFlight(): number {
    return this.flights.size;
  }

  /** Stale-while-revalidate: one refresh per key, never while the upstream holds back or the key backs off. */
  private refreshInBackground(key: string, origin: Origin): void {
    if (this.flights.has(key)) return;
    const backoff = this.backoff.get(key);
    if ((backoff !== undefined && this.now() < backoff.until) || !this.loader.ready(origin.upstream)) {
      this.counters.refreshesDeferred++;
      return;
    }
    this.fly(key, origin, 'refresh').promise.catch(() => {});
  }

  /** Starts the one fetch for `key`; the entry is stored when it succeeds. */
  private fly(key: string, origin: Origin, mode: FetchMode): Flight {
    if (mode !== 'fill') this.counters.refreshes++;
    const promise = this.loader.load(origin, mode === 'fill' ? 'foreground' : 'background').then(
      (entry) => {
        this.flights.delete(key);
        this.backoff.delete(key);
        this.memory.set(key, entry);
        return entry;
      },
      (error: unknown) => {
        this.flights.delete(key);
        if (mode !== 'fill') this.refreshFailed(key, origin, error);
        throw error;
      },
    );
    const flight = { mode, promise };
    this.flights.set(key, flight);
    return flight;
  }

  private refreshFailed(key: string, origin: Origin, error: unknown): void {
    this.counters.refreshFailures++;
    const failures = (this.backoff.get(key)?.failures ?? 0) + 1;
    const waitMs = Math.min(REFRESH_BACKOFF_CAP_MS, REFRESH_BACKOFF_BASE_MS * 2 ** (failures - 1));
    this.backoff.set(key, { until: this.now() + waitMs, failures });
    this.onRefreshError(origin, error);
  }

  /** Defence in depth: whatever a fetch hands back, an entry past its stale window is never answered. */
  private assertUsable(entry: CacheEntry): void {
    if (this.now() >= entry.staleUntil) throw new Error('cache fetch returned an expired entry');
  }

  private countHit(entry: CacheEntry): void {
    this.counters.hits++;
    if (entry.negative) this.counters.negativeHits++;
  }
}
