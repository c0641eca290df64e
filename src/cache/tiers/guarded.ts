import { CircuitBreaker, type BreakerState } from '../../upstreams/breaker.ts';
import type { CacheEntry } from '../entry.ts';
import { CorruptValue } from './codec.ts';
import type { CacheTier } from './tier.ts';

export interface GuardedTierOptions {
  /** Deadline of one call to the tier. */
  timeoutMs: number;
  /** Entries with a larger gzip body stay in memory only. */
  maxEntryBytes: number;
  now: () => number;
  /** Consecutive failures that open the breaker, and how long it stays open before one probe. */
  breakerThreshold?: number;
  breakerCooldownMs?: number;
  onBreakerChange?: (state: BreakerState, previous: BreakerState) => void;
}

export interface TierCounters {
  hits: number;
  misses: number;
  errors: number;
  timeouts: number;
  /** Values that were not ours, truncated or garbled: ignored, never served. */
  corrupt: number;
  /** Calls not made because the breaker was open. */
  skipped: number;
  writes: number;
  writeErrors: number;
  /** Entries over maxEntryBytes, kept in memory only. */
  tooLarge: number;
}

class TierTimeout extends Error {}

/**
 * A second tier as the resolver sees it: every call has a deadline, an error or a timeout makes that
 * request behave as memory-only (a read answers "not here", a write is dropped), and a circuit breaker
 * stops calling a failing tier for a while, then lets one probe decide. Nothing here ever throws: a
 * failing tier makes the relay slower, never wrong and never down.
 */
export class GuardedTier {
  readonly breaker: CircuitBreaker;
  readonly counters: TierCounters = { hits: 0, misses: 0, errors: 0, timeouts: 0, corrupt: 0, skipped: 0, writes: 0, writeErrors: 0, tooLarge: 0 };

  constructor(
    readonly tier: CacheTier,
    private readonly options: GuardedTierOptions,
  ) {
    this.breaker = new CircuitBreaker({
      threshold: options.breakerThreshold ?? 5,
      cooldownMs: options.breakerCooldownMs ?? 5_000,
      now: options.now,
      onChange: options.onBreakerChange,
    });
  }

  get name(): string {
    return this.tier.name;
  }

  /** The stored entry, or undefined: absent, unusable, corrupt, or the tier failing. */
  async get(key: string): Promise<CacheEntry | undefined> {
    const entry = await this.guard(() => this.tier.get(key), undefined);
    if (entry === undefined || this.options.now() >= entry.staleUntil) {
      this.counters.misses++;
      return undefined;
    }
    this.counters.hits++;
    return entry;
  }

  /** Writes in the background; the caller never waits. */
  set(key: string, entry: CacheEntry): void {
    void this.write(key, entry);
  }

  /** Writes and says whether it landed (the fleet lock holder waits for this before announcing). */
  async write(key: string, entry: CacheEntry): Promise<boolean> {
    if (entry.gzipBody.byteLength > this.options.maxEntryBytes) {
      this.counters.tooLarge++;
      return false;
    }
    const done = await this.guard(async () => (await this.tier.set(key, entry), true), false);
    if (done) this.counters.writes++;
    else this.counters.writeErrors++;
    return done;
  }

  delete(key: string): Promise<boolean> {
    return this.guard(() => this.tier.delete(key), false);
  }

  expire(key: string, now: number): Promise<boolean> {
    return this.guard(() => this.tier.expire(key, now), false);
  }

  keysOf(record: string): Promise<string[]> {
    return this.guard(() => this.tier.keysOf(record), []);
  }

  /** 'up', 'down' (breaker open) or 'probing' (half-open). */
  get state(): 'up' | 'down' | 'probing' {
    const state = this.breaker.state;
    return state === 'closed' ? 'up' : state === 'open' ? 'down' : 'probing';
  }

  async close(): Promise<void> {
    try {
      await this.tier.close();
    } catch {
      // Closing a broken tier must not stop a shutdown.
    }
  }

  private async guard<T>(call: () => T | Promise<T>, fallback: T): Promise<T> {
    const ticket = this.breaker.admit();
    if (typeof ticket === 'number') {
      this.counters.skipped++;
      return fallback;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const pending = call();
      const result = pending instanceof Promise
        ? await Promise.race([
            pending,
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject(new TierTimeout()), this.options.timeoutMs);
            }),
          ])
        : pending;
      this.breaker.success(ticket);
      return result;
    } catch (error) {
      if (error instanceof CorruptValue) {
        // The tier answered; the value was bad. Not an outage.
        this.counters.corrupt++;
        this.breaker.success(ticket);
        return fallback;
      }
      if (error instanceof TierTimeout) this.counters.timeouts++;
      else this.counters.errors++;
      this.breaker.failure(ticket);
      return fallback;
    } finally {
      clearTimeout(timer);
    }
  }
}
