import { LRUCache } from 'lru-cache';
import { UpstreamFailure } from '../upstreams/errors.ts';
import type { Lane } from '../upstreams/queue.ts';
import type { UpstreamName } from '../upstreams/types.ts';
import type { CacheEntry } from './entry.ts';
import type { FillLocks } from './fleet/fill-locks.ts';
import type { Invalidation, InvalidationAction, InvalidationBus, InvalidationTarget } from './fleet/invalidation-bus.ts';
import { keyOf, type Origin } from './key.ts';
import type { GuardedTier } from './tiers/guarded.ts';
import type { MemoryTier } from './tiers/memory.ts';

/** What happened for one request: answered from a cache, fetched, answered stale, or joined a fetch. */
export type CacheState = 'HIT' | 'MISS' | 'STALE' | 'COALESCED';

export interface Outcome {
  entry: CacheEntry;
  state: CacheState;
}

/**
 * How an entry is fetched:
 * - fill: a client is waiting and memory has nothing usable (foreground lane); the second tier is
 *   asked first, then the upstream;
 * - refresh: a stale entry is being replaced while clients get the stale copy (background lane); the
 *   second tier counts only with a newer fresh entry (another relay refreshed it);
 * - forced: an operator or a change feed asked for a new copy, fresh or not (background lane, upstream).
 */
export type FetchMode = 'fill' | 'refresh' | 'forced';

export type { InvalidationAction, InvalidationTarget };

/** Fetches an origin from its upstream and turns the answer into an entry (or throws). */
export interface OriginLoader {
  /** `client`: who waits for a fill (for the upstream's fair share); '' for background work. */
  load(origin: Origin, lane: Lane, client?: string): Promise<CacheEntry>;
  /** False while nothing may be sent to this upstream (paused, breaker open): optional work waits. */
  ready(upstream: UpstreamName): boolean;
}

/** A fleet sharing one Redis: fill locks and the invalidation bus. */
export interface Fleet {
  locks: FillLocks;
  bus: InvalidationBus;
}

export interface ResolverOptions {
  memory: MemoryTier;
  loader: OriginLoader;
  now: () => number;
  /** The second tier (SQLite or Redis), when configured. */
  second?: GuardedTier | null;
  fleet?: Fleet | null;
  /** Told about background refreshes that failed (the stale entry stays and is still answered). */
  onRefreshError?: (origin: Origin, error: unknown) => void;
  /** Told of each stale answer given while its upstream fails or is held back (no refresh could start). */
  onStaleWhileFailing?: (origin: Origin, reason: 'held_back' | 'backing_off') => void;
}

export interface CacheCounters {
  hits: number;
  misses: number;
  stale: number;
  coalesced: number;
  negativeHits: number;
  /** Answers found in the second tier on a memory miss (promoted into memory). */
  tierHits: number;
  refreshes: number;
  refreshFailures: number;
  /** Refreshes not dispatched: the upstream was holding back, the key was backing off, or another relay was at it. */
  refreshesDeferred: number;
  invalidated: number;
}

/** Where a fetch found its entry. */
type Source = 'upstream' | 'tier' | 'fleet';

interface Fetched {
  entry: CacheEntry;
  source: Source;
}

interface Flight {
  mode: FetchMode;
  promise: Promise<Fetched>;
}

/** A refresh another relay of the fleet is already doing: not an error, nothing to store. */
class RefreshElsewhere extends Error {}

/** A failing refresh waits this long before the next try for the same key, doubling up to the cap. */
const REFRESH_BACKOFF_BASE_MS = 1_000;
const REFRESH_BACKOFF_CAP_MS = 5 * 60_000;
/** Keys whose refresh is backing off, at most (least recently failed forgotten first). */
const BACKOFF_KEYS_MAX = 10_000;
/** Lock rounds a fleet fill tries before it gives up with a 503 (the holders' upstream calls failed). */
const FLEET_ROUNDS = 2;

/**
 * The cache in front of the upstreams. `fresh()` is the synchronous hit path (memory only, unchanged
 * in cost; it never touches a second tier). `resolve()` does everything else: stale-while-revalidate,
 * coalescing of concurrent misses into one fetch, and the fetch itself: the second tier first, then
 * (with a fleet, under a lock shared by every relay) the upstream through the origin loader. Any code
 * can refresh a key without a request, because the entry carries its origin.
 *
 * In-flight fetches live in a map of our own, not in the memory tier: a fill, a refresh and a forced
 * refresh are different things (which lane, whether a stale copy may be answered meanwhile, what a
 * second tier may return), and an evicted entry must never orphan the clients waiting for it.
 */
export class Resolver {
  private readonly memory: MemoryTier;
  private readonly loader: OriginLoader;
  private readonly now: () => number;
  private readonly second: GuardedTier | null;
  private readonly fleet: Fleet | null;
  private readonly onRefreshError: (origin: Origin, error: unknown) => void;
  private readonly onStaleWhileFailing: (origin: Origin, reason: 'held_back' | 'backing_off') => void;
  private readonly flights = new Map<string, Flight>();
  private readonly backoff = new LRUCache<string, { until: number; failures: number }>({ max: BACKOFF_KEYS_MAX });
  readonly counters: CacheCounters = {
    hits: 0,
    misses: 0,
    stale: 0,
    coalesced: 0,
    negativeHits: 0,
    tierHits: 0,
    refreshes: 0,
    refreshFailures: 0,
    refreshesDeferred: 0,
    invalidated: 0,
  };

  constructor(options: ResolverOptions) {
    this.memory = options.memory;
    this.loader = options.loader;
    this.now = options.now;
    this.second = options.second ?? null;
    this.fleet = options.fleet ?? null;
    this.onRefreshError = options.onRefreshError ?? (() => {});
    this.onStaleWhileFailing = options.onStaleWhileFailing ?? (() => {});
  }

  /** The hot path: a fresh entry or undefined. Synchronous, no allocation. */
  fresh(key: string): CacheEntry | undefined {
    const entry = this.memory.get(key);
    if (entry === undefined || this.now() >= entry.freshUntil) return undefined;
    this.countHit(entry);
    return entry;
  }

  /** Everything that is not a fresh hit: a stale answer plus a refresh, a joined fetch, or a new fetch. */
  async resolve(origin: Origin, client = ''): Promise<Outcome> {
    const key = keyOf(origin);
    const existing = this.memory.get(key);
    if (existing !== undefined) {
      const now = this.now();
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
      const { entry } = await flight.promise;
      this.assertUsable(entry);
      this.counters.coalesced++;
      return { entry, state: 'COALESCED' };
    }
    const { entry, source } = await this.fly(key, origin, 'fill', client).promise;
    this.assertUsable(entry);
    if (source === 'upstream') {
      this.counters.misses++;
      return { entry, state: 'MISS' };
    }
    if (source === 'fleet') {
      this.counters.coalesced++;
      return { entry, state: 'COALESCED' };
    }
    // Found in the second tier, with its own times: fresh is a hit, stale is answered and refreshed.
    this.counters.tierHits++;
    if (this.now() < entry.freshUntil) {
      this.countHit(entry);
      return { entry, state: 'HIT' };
    }
    this.counters.stale++;
    this.refreshInBackground(key, entry.origin);
    return { entry, state: 'STALE' };
  }

  /**
   * Fetches `key` again in the background lane. Without `force`, only a stale entry is refreshed.
   * Joins a fetch already in flight. Resolves to the new entry, or null when nothing was fetched.
   */
  async refresh(key: string, options: { force?: boolean; origin?: Origin } = {}): Promise<CacheEntry | null> {
    const flight = this.flights.get(key);
    if (flight !== undefined) return (await flight.promise).entry;
    const existing = this.memory.peek(key);
    const origin = options.origin ?? existing?.origin ?? (await this.second?.get(key))?.origin;
    if (origin === undefined) return null;
    if (!options.force && existing !== undefined && this.now() < existing.freshUntil) return null;
    try {
      return (await this.fly(key, origin, options.force ? 'forced' : 'refresh').promise).entry;
    } catch (error) {
      if (error instanceof RefreshElsewhere) return null;
      throw error;
    }
  }

  /** True when a request for `key` costs no upstream call: a usable entry in memory, or a fetch already in flight. */
  canAnswerWithoutFetch(key: string): boolean {
    if (this.flights.has(key)) return true;
    const entry = this.memory.peek(key);
    return entry !== undefined && this.now() < entry.staleUntil;
  }

  /**
   * Expires (stale at once, refreshed on its next request) or deletes the entry of a key, or of every
   * key of a record, in memory, in the second tier and, through the bus, in every relay of the fleet.
   * Returns the keys affected here (memory and second tier).
   */
  async invalidate(target: InvalidationTarget, action: InvalidationAction): Promise<string[]> {
    const affected = new Set(this.invalidateMemory({ target, action }));
    if (this.second !== null) {
      const keys = 'key' in target ? [target.key] : await this.second.keysOf(target.record);
      const now = this.now();
      for (const key of keys) {
        const done = action === 'delete' ? await this.second.delete(key) : await this.second.expire(key, now);
        if (done) affected.add(key);
      }
    }
    await this.fleet?.bus.publish({ target, action });
    return [...affected];
  }

  /** The keys cached for a target here: in memory and in the second tier. */
  async keysOf(target: InvalidationTarget): Promise<string[]> {
    if ('key' in target) return [target.key];
    const inTier = this.second ? await this.second.keysOf(target.record) : [];
    return [...new Set([...this.memory.keysOf(target.record), ...inTier])];
  }

  /** An invalidation that came from another relay: its shared tier is done already, only memory is ours. */
  invalidateMemory({ target, action }: Invalidation): string[] {
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
    const backingOff = backoff !== undefined && this.now() < backoff.until;
    if (backingOff || !this.loader.ready(origin.upstream)) {
      this.counters.refreshesDeferred++;
      this.onStaleWhileFailing(origin, backingOff ? 'backing_off' : 'held_back');
      return;
    }
    this.fly(key, origin, 'refresh').promise.catch(() => {});
  }

  /** Starts the one fetch for `key`; the entry is stored (memory, and the second tier when it came from upstream). */
  private fly(key: string, origin: Origin, mode: FetchMode, client = ''): Flight {
    if (mode !== 'fill') this.counters.refreshes++;
    const promise = this.fetch(key, origin, mode, client).then(
      (fetched) => {
        this.flights.delete(key);
        this.backoff.delete(key);
        this.memory.set(key, fetched.entry);
        return fetched;
      },
      (error: unknown) => {
        this.flights.delete(key);
        if (error instanceof RefreshElsewhere) this.counters.refreshesDeferred++;
        else if (mode !== 'fill') this.refreshFailed(key, origin, error);
        throw error;
      },
    );
    const flight = { mode, promise };
    this.flights.set(key, flight);
    return flight;
  }

  private async fetch(key: string, origin: Origin, mode: FetchMode, client: string): Promise<Fetched> {
    const lane: Lane = mode === 'fill' ? 'foreground' : 'background';
    if (this.second !== null && mode !== 'forced') {
      const stored = await this.second.get(key);
      if (stored !== undefined && (mode === 'fill' || this.newerAndFresh(stored, key))) return { entry: stored, source: 'tier' };
    }
    if (this.fleet !== null && this.second !== null) return this.fetchForFleet(key, origin, mode, lane, client, this.fleet, this.second);
    const entry = await this.loader.load(origin, lane, client);
    this.second?.set(key, entry);
    return { entry, source: 'upstream' };
  }

  /**
   * One upstream call per key for the whole fleet: the lock holder fetches, writes the shared tier and
   * announces; the others wait and read what it wrote. A dead holder costs the lock's lifetime, then a
   * waiter takes over. Without Redis (unavailable), this relay fetches on its own.
   */
  private async fetchForFleet(key: string, origin: Origin, mode: FetchMode, lane: Lane, client: string, fleet: Fleet, second: GuardedTier): Promise<Fetched> {
    let unavailable = false;
    for (let round = 0; round < FLEET_ROUNDS && !unavailable; round++) {
      const token = await fleet.locks.acquire(key);
      if (token === 'unavailable') {
        unavailable = true;
        break;
      }
      if (token !== null) {
        try {
          const entry = await this.loader.load(origin, lane, client);
          // Written before the announcement, so every waiter that wakes finds it.
          await second.write(key, entry);
          await fleet.locks.release(key, token, 'filled');
          return { entry, source: 'upstream' };
        } catch (error) {
          await fleet.locks.release(key, token, 'failed');
          throw error;
        }
      }
      // Another relay refreshes it: this one keeps answering its stale copy.
      if (mode === 'refresh') throw new RefreshElsewhere();
      await fleet.locks.wait(key, fleet.locks.lockMs);
      const stored = await second.get(key);
      if (stored !== undefined && (mode === 'fill' || this.newerAndFresh(stored, key))) return { entry: stored, source: 'fleet' };
    }
    if (!unavailable) {
      // Redis answers, but the holders' fetches failed: say so rather than add one call per relay.
      throw new UpstreamFailure(origin.upstream, 'unavailable', 'upstream failing for the whole fleet; retry later', 2);
    }
    const entry = await this.loader.load(origin, lane, client);
    second.set(key, entry);
    return { entry, source: 'upstream' };
  }

  /** A stored entry newer than the one in memory and still fresh (another relay refreshed it). */
  private newerAndFresh(stored: CacheEntry, key: string): boolean {
    const current = this.memory.peek(key);
    return (current === undefined || stored.storedAt > current.storedAt) && this.now() < stored.freshUntil;
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
