import { LRUCache } from 'lru-cache';
import { entrySize, expiredCopy, type CacheEntry } from '../entry.ts';
import type { CacheTier } from './tier.ts';

/**
 * The memory tier: an lru-cache bounded by stored bytes (gzip bodies plus a per-entry allowance), least
 * recently used first. Every call is synchronous: the hit path is one `get` and one comparison.
 * Freshness is the entry's own, not lru-cache's TTL, so the clock stays injectable.
 *
 * The record -> keys index is kept on set and on eviction (lru-cache's dispose), never on a hit.
 */
export class MemoryTier implements CacheTier {
  readonly name = 'memory';
  private readonly lru: LRUCache<string, CacheEntry>;
  private readonly byRecord = new Map<string, Set<string>>();
  /** Decoded bytes of everything held, kept on set and dispose so /stats never walks the cache. */
  private identityTotal = 0;

  constructor(maxBytes: number) {
    this.lru = new LRUCache<string, CacheEntry>({
      maxSize: maxBytes,
      sizeCalculation: entrySize,
      dispose: (entry, key, reason) => {
        this.identityTotal -= entry.identityLength;
        // 'set' replaces an entry of the same key: same origin, same records, nothing to unindex.
        if (reason !== 'set') this.unindex(key, entry);
      },
    });
  }

  /** The entry, counted as used (recency). */
  get(key: string): CacheEntry | undefined {
    return this.lru.get(key);
  }

  /** The entry without touching its recency. */
  peek(key: string): CacheEntry | undefined {
    return this.lru.peek(key);
  }

  set(key: string, entry: CacheEntry): void {
    this.lru.set(key, entry);
    // lru-cache refuses an entry larger than the whole cache; index only what it holds.
    if (this.lru.peek(key) !== entry) return;
    this.identityTotal += entry.identityLength;
    for (const record of entry.records) {
      let keys = this.byRecord.get(record);
      if (keys === undefined) this.byRecord.set(record, (keys = new Set()));
      keys.add(key);
    }
  }

  delete(key: string): boolean {
    return this.lru.delete(key);
  }

  expire(key: string, now: number): boolean {
    const entry = this.lru.peek(key);
    if (entry === undefined) return false;
    const expired = expiredCopy(entry, now);
    if (expired !== entry) {
      this.lru.set(key, expired);
      this.identityTotal += expired.identityLength;
    }
    return true;
  }

  keysOf(record: string): string[] {
    return [...(this.byRecord.get(record) ?? [])];
  }

  close(): void {
    this.lru.clear();
  }

  get entries(): number {
    return this.lru.size;
  }

  /** Bytes counted against the bound. */
  get storedBytes(): number {
    return this.lru.calculatedSize;
  }

  get maxBytes(): number {
    return this.lru.maxSize;
  }

  /** Records indexed (each with at least one key). */
  get records(): number {
    return this.byRecord.size;
  }

  /** Decoded size of everything stored. */
  identityBytes(): number {
    return this.identityTotal;
  }

  private unindex(key: string, entry: CacheEntry): void {
    for (const record of entry.records) {
      const keys = this.byRecord.get(record);
      if (keys === undefined) continue;
      keys.delete(key);
      if (keys.size === 0) this.byRecord.delete(record);
    }
  }
}
