import type { BoundedTableFigures } from '../cache/second-chance-map.ts';
import type { Resolver } from '../cache/resolver.ts';
import type { SecondStore } from '../cache/store.ts';
import type { FeedFollower } from '../feeds/follower.ts';
import type { MemoryTier } from '../cache/tiers/memory.ts';
import type { ClientRateLimiter } from '../http/clients.ts';
import type { RequestRejections } from '../http/rejections.ts';
import type { TvdbClient } from '../upstreams/tvdb.ts';
import type { UpstreamClient, UpstreamName } from '../upstreams/types.ts';
import { SERVICE_NAME, VERSION } from '../version.ts';

export interface StatsSources {
  resolver: Resolver;
  memory: MemoryTier;
  upstreams: Readonly<Record<UpstreamName, UpstreamClient>>;
  tvdb: TvdbClient;
  rejections: RequestRejections;
  clientLimiter: ClientRateLimiter | null;
  /** Bounded tables beside the cache (hit memo, query memo): entries, bytes, bound, evictions. */
  tables: Record<'hit_memo' | 'query_memo' | 'identity_copies', BoundedTableFigures>;
  /** CACHE_MAX_BYTES: the memory tier's entries and the identity copies together. */
  cacheMaxBytes: number;
  /** The memory governor's target and collections, or null when MEMORY_TARGET=off. */
  memoryGovernor?: { target_bytes: number; collections: number; collection_ms_total: number; collection_ms_max: number } | null;
  store: SecondStore | null;
  feeds: readonly FeedFollower[];
  uptimeSeconds: number;
}

/**
 * The hit rate, one definition everywhere (/stats, /metrics readers, BENCHMARKS): the share of
 * answers that cost no upstream call of their own: fresh hits, stale answers and coalesced waiters.
 */
export function hitRatePct(c: { hits: number; misses: number; stale: number; coalesced: number }): number {
  const total = c.hits + c.misses + c.stale + c.coalesced;
  return total === 0 ? 0 : Math.round(((c.hits + c.stale + c.coalesced) / total) * 10_000) / 100;
}

export function collectStats(s: StatsSources) {
  const c = s.resolver.counters;
  return {
    service: SERVICE_NAME,
    version: VERSION,
    uptime_seconds: s.uptimeSeconds,
    cache: {
      hits: c.hits,
      misses: c.misses,
      total_requests: c.hits + c.misses + c.stale + c.coalesced,
      hit_rate_pct: hitRatePct(c),
      size: s.memory.entries,
      memory_bytes: s.memory.storedBytes,
      identity_copy_bytes: s.tables.identity_copies.bytes,
      uncompressed_bytes: s.memory.identityBytes(),
      max_bytes: s.cacheMaxBytes,
      records: s.memory.records,
      stale: c.stale,
      coalesced: c.coalesced,
      negative_hits: c.negativeHits,
      refreshes: c.refreshes,
      refresh_failures: c.refreshFailures,
      refreshes_deferred: c.refreshesDeferred,
      invalidated: c.invalidated,
      fetches_in_flight: s.resolver.fetchesInFlight,
    },
    tables: { hit_memo: { ...s.tables.hit_memo }, query_memo: { ...s.tables.query_memo }, identity_copies: { ...s.tables.identity_copies } },
    cache_store: s.store ? storeStats(s.store, c.tierHits) : null,
    feeds: Object.fromEntries(s.feeds.map((feed) => [feed.name, feed.stats()])),
    process: { ...processMemory(), memory_governor: s.memoryGovernor ? { ...s.memoryGovernor } : null },
    rejections: { ...s.rejections },
    client_limit: s.clientLimiter ? { clients: s.clientLimiter.clients, rejected: s.clientLimiter.rejected } : null,
    upstreams: {
      tmdb: upstreamStats(s.upstreams.tmdb),
      tvdb: { ...upstreamStats(s.upstreams.tvdb), token_held: s.tvdb.tokens.hasToken, logins: s.tvdb.tokens.logins, tokens_from_fleet: s.tvdb.tokens.adopted },
    },
  };
}

export type RelayStats = ReturnType<typeof collectStats>;

function storeStats(store: SecondStore, promoted: number) {
  const t = store.tier.counters;
  return {
    kind: store.kind,
    breaker: store.tier.breaker.state,
    hits: t.hits,
    misses: t.misses,
    promoted,
    errors: t.errors,
    timeouts: t.timeouts,
    corrupt: t.corrupt,
    skipped: t.skipped,
    writes: t.writes,
    write_errors: t.writeErrors,
    too_large: t.tooLarge,
    ...(store.sqlite ? { entries: store.sqlite.entries, bytes: store.sqlite.storedBytes, evictions: store.sqlite.evictions } : {}),
    ...(store.redis
      ? {
          connection: store.redis.state,
          rebuilds: store.redis.rebuilds,
          lock_waits: store.fleet?.locks.waits ?? 0,
          lock_takeovers: store.fleet?.locks.takeovers ?? 0,
          invalidations_published: store.fleet?.bus.published ?? 0,
          invalidations_received: store.fleet?.bus.received ?? 0,
        }
      : {}),
  };
}

/**
 * Process memory as the OS and the JS engine see it. Cheap enough for every scrape: JSC's heapStats()
 * walks the whole heap (about 10 ms with a full cache), process.memoryUsage() does not. Bun can report a
 * heapTotal below heapUsed, so the capacity is never shown below the use.
 */
export function processMemory() {
  const memory = process.memoryUsage();
  return {
    rss_bytes: memory.rss,
    heap_used_bytes: memory.heapUsed,
    heap_total_bytes: Math.max(memory.heapTotal, memory.heapUsed),
    external_bytes: memory.external,
  };
}

function upstreamStats(client: UpstreamClient) {
  const { meter } = client;
  return {
    configured: client.configured,
    calls: meter.calls,
    outcomes: { ...meter.outcomes },
    avg_ms: meter.calls === 0 ? 0 : Math.round((meter.totalMs / meter.calls) * 10) / 10,
    guard: client.guard.snapshot(),
  };
}
