import { Database, type Statement } from 'bun:sqlite';
import type { CacheEntry } from '../entry.ts';
import { expiredCopy } from '../entry.ts';
import { decodeEntry, encodeEntry } from './codec.ts';
import type { CacheTier } from './tier.ts';

export interface SqliteTierOptions {
  path: string;
  /** Bound of the database file (values, indexes and page slack together). */
  maxBytes: number;
  now: () => number;
  /** Milliseconds between write batches. */
  flushIntervalMs?: number;
}

/** Values may use this share of the database's pages; the rest is for the record index, the b-trees and free pages. */
const VALUE_SHARE = 0.8;
/** The part of maxBytes kept for the write-ahead log, which is checkpointed and truncated to stay inside it. */
const walAllowance = (maxBytes: number) => Math.min(64 * 1024 * 1024, Math.max(2 * 1024 * 1024, Math.floor(maxBytes / 16)));
/** Eviction frees down to this share of the value budget, so it runs in batches, not per write. */
const EVICT_TO = 0.85;
/**
 * Recency is kept coarse: a read records it only when the row's last use is older than this. LRU order
 * within ten minutes does not matter for eviction, and a write per read would fill the WAL (and its
 * checkpoints) with nothing but timestamps.
 */
const RECENCY_GRAIN_MS = 10 * 60_000;

/**
 * The disk tier: one SQLite file (WAL) that survives restarts. Reads are synchronous and take
 * microseconds (an indexed lookup on local disk); writes are queued and applied in one transaction
 * per batch, off the request path, together with the recency of the entries read meanwhile. The file
 * is bounded: values are evicted least recently used first, in batches, when they pass their share of
 * the bound, and `max_page_count` is a hard stop SQLite itself enforces. Rows past their stale window
 * are removed by the same batches, so the file holds nothing that could never be answered.
 */
export class SqliteTier implements CacheTier {
  readonly name = 'sqlite';
  private readonly db: Database;
  private readonly pending = new Map<string, CacheEntry | null>();
  private readonly touched = new Set<string>();
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly valueBudget: number;
  private readonly databaseBytes: number;
  private valueBytes: number;
  private lastSweep = 0;
  private readonly q: Record<'get' | 'bytesOf' | 'upsert' | 'remove' | 'removeRecords' | 'addRecord' | 'keysOf' | 'touch' | 'oldest' | 'expired' | 'total' | 'count' | 'getMeta' | 'setMeta', Statement>;
  evictions = 0;

  constructor(private readonly options: SqliteTierOptions) {
    this.db = new Database(options.path, { create: true, strict: true });
    this.db.exec('PRAGMA journal_mode = WAL');
    this.db.exec('PRAGMA synchronous = NORMAL');
    this.db.exec('PRAGMA busy_timeout = 50');
    // The file's bound: the database may use maxBytes less the WAL's allowance (SQLite refuses to grow
    // past max_page_count), and the WAL is checkpointed at half its allowance and truncated after.
    const pageSize = Number((this.db.query('PRAGMA page_size').get() as { page_size: number }).page_size);
    const wal = walAllowance(options.maxBytes);
    this.databaseBytes = options.maxBytes - wal;
    this.db.exec(`PRAGMA max_page_count = ${Math.max(64, Math.floor(this.databaseBytes / pageSize))}`);
    this.db.exec(`PRAGMA wal_autocheckpoint = ${Math.max(16, Math.floor(wal / 2 / pageSize))}`);
    this.db.exec(`PRAGMA journal_size_limit = ${Math.floor(wal / 2)}`);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value BLOB NOT NULL, bytes INTEGER NOT NULL, stale_until INTEGER NOT NULL, used_at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS entries_used_at ON entries (used_at);
      CREATE INDEX IF NOT EXISTS entries_stale_until ON entries (stale_until);
      CREATE TABLE IF NOT EXISTS records (record TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (record, key)) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS records_key ON records (key);
      CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
    `);
    this.q = {
      get: this.db.query('SELECT value, stale_until, used_at FROM entries WHERE key = ?'),
      bytesOf: this.db.query('SELECT bytes FROM entries WHERE key = ?'),
      upsert: this.db.query(
        'INSERT INTO entries (key, value, bytes, stale_until, used_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, bytes = excluded.bytes, stale_until = excluded.stale_until, used_at = excluded.used_at',
      ),
      remove: this.db.query('DELETE FROM entries WHERE key = ? RETURNING bytes'),
      removeRecords: this.db.query('DELETE FROM records WHERE key = ?'),
      addRecord: this.db.query('INSERT OR IGNORE INTO records (record, key) VALUES (?, ?)'),
      keysOf: this.db.query('SELECT key FROM records WHERE record = ?'),
      touch: this.db.query('UPDATE entries SET used_at = ? WHERE key = ?'),
      oldest: this.db.query('SELECT key FROM entries ORDER BY used_at LIMIT ?'),
      expired: this.db.query('SELECT key FROM entries WHERE stale_until <= ? LIMIT ?'),
      total: this.db.query('SELECT COALESCE(SUM(bytes), 0) AS total FROM entries'),
      count: this.db.query('SELECT COUNT(*) AS n FROM entries'),
      getMeta: this.db.query('SELECT value FROM meta WHERE name = ?'),
      setMeta: this.db.query('INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value'),
    };
    this.valueBudget = Math.floor(this.databaseBytes * VALUE_SHARE);
    this.valueBytes = Number((this.q.total.get() as { total: number }).total);
    this.timer = setInterval(() => this.flush(), options.flushIntervalMs ?? 20);
    this.timer.unref();
  }

  get(key: string): CacheEntry | undefined {
    if (this.pending.has(key)) return this.pending.get(key) ?? undefined;
    const row = this.q.get.get(key) as { value: Uint8Array; stale_until: number; used_at: number } | null;
    const now = this.options.now();
    if (row === null || row.stale_until <= now) return undefined;
    let entry: CacheEntry;
    try {
      entry = decodeEntry(key, row.value);
    } catch (error) {
      this.pending.set(key, null); // never serve it again; removed with the next batch
      throw error;
    }
    if (now - row.used_at > RECENCY_GRAIN_MS) this.touched.add(key);
    return entry;
  }

  set(key: string, entry: CacheEntry): void {
    this.pending.set(key, entry);
  }

  delete(key: string): boolean {
    const existed = this.pending.has(key) ? this.pending.get(key) != null : this.q.bytesOf.get(key) !== null;
    this.pending.set(key, null);
    this.flush();
    return existed;
  }

  expire(key: string, now: number): boolean {
    const entry = this.get(key);
    if (entry === undefined) return false;
    this.pending.set(key, expiredCopy(entry, now));
    return true;
  }

  keysOf(record: string): string[] {
    this.flush();
    return (this.q.keysOf.all(record) as { key: string }[]).map((row) => row.key);
  }

  getMeta(name: string): string | null {
    return (this.q.getMeta.get(name) as { value: string } | null)?.value ?? null;
  }

  setMeta(name: string, value: string): void {
    this.q.setMeta.run(name, value);
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
    this.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    this.db.close();
  }

  get entries(): number {
    this.flush();
    return Number((this.q.count.get() as { n: number }).n);
  }

  get storedBytes(): number {
    return this.valueBytes;
  }

  /** Applies queued writes and recency in one transaction, then evicts if the values passed their budget. */
  flush(): void {
    const now = this.options.now();
    if (now - this.lastSweep > 60_000) this.sweep(now);
    if (this.pending.size === 0 && this.touched.size === 0) return;
    const writes = [...this.pending];
    this.pending.clear();
    const touched = [...this.touched];
    this.touched.clear();
    const apply = this.db.transaction(() => {
      for (const [key, entry] of writes) {
        this.removeRow(key);
        if (entry === null || entry.staleUntil <= now) continue;
        const value = encodeEntry(key, entry);
        this.q.upsert.run(key, value, value.byteLength, entry.staleUntil, now);
        this.valueBytes += value.byteLength;
        for (const record of entry.records) this.q.addRecord.run(record, key);
      }
      for (const key of touched) this.q.touch.run(now, key);
    });
    try {
      apply();
    } catch {
      // SQLITE_FULL (max_page_count) or a disk error: make room and drop this batch; the entries are
      // still in memory, and the next fill writes them again.
      this.evict(now, Math.floor(this.valueBudget * 0.5));
      this.valueBytes = Number((this.q.total.get() as { total: number }).total);
    }
    if (this.valueBytes > this.valueBudget) this.evict(now, Math.floor(this.valueBudget * EVICT_TO));
  }

  /** Removes some rows past their stale window (bounded work per sweep; the next sweep takes the rest). */
  private sweep(now: number): void {
    this.lastSweep = now;
    const expired = this.q.expired.all(now, 500) as { key: string }[];
    if (expired.length > 0) this.db.transaction(() => expired.forEach(({ key }) => this.removeRow(key)))();
  }

  /** Deletes rows past their stale window, then the least recently used, until values fit `target`. */
  private evict(now: number, target: number): void {
    const run = this.db.transaction(() => {
      for (;;) {
        const expired = this.q.expired.all(now, 500) as { key: string }[];
        if (expired.length === 0) break;
        for (const { key } of expired) this.removeRow(key);
      }
      while (this.valueBytes > target) {
        const oldest = this.q.oldest.all(500) as { key: string }[];
        if (oldest.length === 0) break;
        for (const { key } of oldest) {
          this.removeRow(key);
          this.evictions++;
          if (this.valueBytes <= target) break;
        }
      }
    });
    run();
    // Deleted pages are reused by later writes; the WAL that recorded the deletes is folded in and cut back.
    this.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  }

  private removeRow(key: string): void {
    const removed = this.q.remove.get(key) as { bytes: number } | null;
    if (removed !== null) this.valueBytes -= removed.bytes;
    this.q.removeRecords.run(key);
  }
}
