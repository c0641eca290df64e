import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { readdirSync } from 'node:fs';
import { processMemory } from './stats.ts';
import type { Resolver } from '../cache/resolver.ts';
import type { BoundedTableFigures } from '../cache/second-chance-map.ts';
import type { SecondStore } from '../cache/store.ts';
import type { MemoryTier } from '../cache/tiers/memory.ts';
import type { ClientRateLimiter } from '../http/clients.ts';
import type { RequestRejections } from '../http/rejections.ts';
import type { UpstreamClient, UpstreamName } from '../upstreams/types.ts';
import { LATENCY_BUCKETS_SECONDS, RequestMetrics } from './request-metrics.ts';

export interface MetricsSources {
  resolver: Resolver;
  memory: MemoryTier;
  upstreams: Readonly<Record<UpstreamName, UpstreamClient>>;
  rejections: RequestRejections;
  clientLimiter: ClientRateLimiter | null;
  store?: SecondStore | null;
  /** Bounded tables beside the cache, read at scrape time. */
  tables?: () => Record<string, BoundedTableFigures>;
  /** CACHE_MAX_BYTES (the memory tier holds it less the identity copies' share). */
  cacheMaxBytes?: number;
}

/**
 * Prometheus metrics, with prom-client for process, upstream and state metrics. Request metrics
 * (recorded on every request, the hot path) are kept by RequestMetrics; everything that is state
 * (cache size, guard tokens, breaker) is read from its owner at scrape time, so nothing is counted twice.
 */
export class RelayMetrics {
  readonly registry = new Registry();
  readonly requests = new RequestMetrics();
  readonly upstreamDuration: Histogram<'upstream' | 'status_class'>;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];

    this.upstreamDuration = new Histogram({
      name: 'relay_upstream_request_duration_seconds',
      help: 'Upstream request latency, by upstream and status class (failed = no HTTP answer)',
      labelNames: ['upstream', 'status_class'],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    });

    const { resolver, memory, upstreams, rejections } = sources;
    const gauge = (name: string, help: string, labelNames: string[], collect: (g: Gauge<string>) => void) =>
      new Gauge({ name, help, labelNames, registers, collect() { collect(this); } });
    // Monotonic counts kept by their owners (cache, meters, guards), exposed as real counters at scrape time.
    type Sample = [Record<string, string>, number];
    const counter = (name: string, help: string, labelNames: string[], read: () => Sample[]) =>
      new Counter({
        name,
        help,
        labelNames,
        registers,
        collect() {
          this.reset();
          for (const [labels, value] of read()) this.inc(labels, value);
        },
      });

    // Process metrics of our own: prom-client's defaults read Node internals that Bun reports wrongly
    // (a "heap" of 6 GB beside an RSS of 60 MB).
    const started = Date.now() / 1000;
    gauge('process_resident_memory_bytes', 'Resident memory of the process (what the OS counts)', [], (g) => g.set(processMemory().rss_bytes));
    gauge('process_start_time_seconds', 'Start time of the process, seconds since the epoch', [], (g) => g.set(Math.floor(started)));
    gauge('relay_js_heap_bytes', 'JavaScript heap: bytes in use, and capacity reserved by the engine', ['state'], (g) => {
      const memory = processMemory();
      g.set({ state: 'used' }, memory.heap_used_bytes);
      g.set({ state: 'capacity' }, memory.heap_total_bytes);
      g.set({ state: 'external' }, memory.external_bytes);
    });
    counter('process_cpu_seconds_total', 'CPU time of the process, by mode', ['mode'], () => {
      const cpu = process.cpuUsage();
      return [
        [{ mode: 'user' }, cpu.user / 1e6],
        [{ mode: 'system' }, cpu.system / 1e6],
      ];
    });
    gauge('process_open_fds', 'Open file descriptors', [], (g) => {
      try {
        g.set(readdirSync('/proc/self/fd').length);
      } catch {
        g.set(0);
      }
    });

    const tables: () => Record<string, BoundedTableFigures> = sources.tables ?? (() => ({}));
    const perTable = (read: (figures: BoundedTableFigures) => number): Sample[] => Object.entries(tables()).map(([table, figures]): Sample => [{ table }, read(figures)]);
    gauge('relay_table_entries', 'Entries in the bounded tables beside the cache (hit memo, query memo, identity copies)', ['table'], (g) => {
      for (const [labels, value] of perTable((f) => f.entries)) g.set(labels, value);
    });
    gauge('relay_table_bytes', 'Bytes held by each bounded table', ['table'], (g) => {
      for (const [labels, value] of perTable((f) => f.bytes)) g.set(labels, value);
    });
    gauge('relay_table_max_bytes', 'Bound of each table', ['table'], (g) => {
      for (const [labels, value] of perTable((f) => f.max_bytes)) g.set(labels, value);
    });
    counter('relay_table_evictions_total', 'Entries each table dropped to stay within its bound (least recently used first)', ['table'], () => perTable((f) => f.evictions));

    gauge('relay_cache_entries', 'Entries in the memory cache', [], (g) => g.set(memory.entries));
    gauge('relay_cache_bytes', 'Bytes counted against CACHE_MAX_BYTES (stored entries and identity copies)', [], (g) =>
      g.set(memory.storedBytes + (tables().identity_copies?.bytes ?? 0)),
    );
    gauge('relay_cache_max_bytes', 'CACHE_MAX_BYTES', [], (g) => g.set(sources.cacheMaxBytes ?? memory.maxBytes));
    counter('relay_cache_lookups_total', 'Cache lookups by outcome', ['outcome'], () => {
      const c = resolver.counters;
      return [
        [{ outcome: 'hit' }, c.hits],
        [{ outcome: 'miss' }, c.misses],
        [{ outcome: 'stale' }, c.stale],
        [{ outcome: 'coalesced' }, c.coalesced],
        [{ outcome: 'negative_hit' }, c.negativeHits],
      ];
    });
    counter('relay_cache_refreshes_total', 'Background refreshes started, failed, and deferred (upstream holding back or the key backing off)', ['result'], () => [
      [{ result: 'started' }, resolver.counters.refreshes],
      [{ result: 'failed' }, resolver.counters.refreshFailures],
      [{ result: 'deferred' }, resolver.counters.refreshesDeferred],
    ]);
    counter('relay_upstream_calls_total', 'Upstream calls by upstream and outcome (status class, or failed)', ['upstream', 'outcome'], () =>
      Object.values(upstreams).flatMap((client) =>
        Object.entries(client.meter.outcomes).map(([outcome, value]): Sample => [{ upstream: client.name, outcome }, value]),
      ),
    );
    gauge('relay_upstream_tokens', 'Tokens left in the upstream rate budget', ['upstream'], (g) => {
      for (const client of Object.values(upstreams)) g.set({ upstream: client.name }, client.guard.snapshot().tokens);
    });
    gauge('relay_upstream_in_flight', 'Upstream requests in flight', ['upstream'], (g) => {
      for (const client of Object.values(upstreams)) g.set({ upstream: client.name }, client.guard.snapshot().in_flight);
    });
    gauge('relay_upstream_queue_depth', 'Requests waiting for an upstream slot', ['upstream'], (g) => {
      for (const client of Object.values(upstreams)) g.set({ upstream: client.name }, client.guard.snapshot().queue_depth);
    });
    gauge('relay_upstream_breaker_state', 'Circuit breaker state (1 for the current state)', ['upstream', 'state'], (g) => {
      for (const client of Object.values(upstreams)) {
        const current = client.guard.snapshot().breaker;
        for (const state of ['closed', 'open', 'half_open']) g.set({ upstream: client.name, state }, state === current ? 1 : 0);
      }
    });
    gauge('relay_upstream_paused_seconds', 'Seconds left in a pause after an upstream 429', ['upstream'], (g) => {
      for (const client of Object.values(upstreams)) g.set({ upstream: client.name }, client.guard.snapshot().paused_for_ms / 1000);
    });
    counter('relay_upstream_pauses_total', 'Pauses taken after an upstream 429', ['upstream'], () =>
      Object.values(upstreams).map((client): Sample => [{ upstream: client.name }, client.guard.pauses]),
    );
    counter('relay_upstream_rejections_total', 'Requests the upstream guard refused, by reason', ['upstream', 'reason'], () =>
      Object.values(upstreams).flatMap((client) =>
        Object.entries(client.guard.rejections).map(([reason, value]): Sample => [{ upstream: client.name, reason }, value]),
      ),
    );
    counter('relay_request_rejections_total', 'Requests refused before any upstream work, by reason', ['reason'], () =>
      Object.entries(rejections).map(([reason, value]): Sample => [{ reason }, value]),
    );
    if (sources.store) {
      const store = sources.store;
      counter('relay_cache_store_operations_total', 'Second-tier calls by outcome (skipped: breaker open; too_large: kept in memory only)', ['tier', 'outcome'], () => {
        const t = store.tier.counters;
        const tier = store.kind;
        return [
          [{ tier, outcome: 'hit' }, t.hits],
          [{ tier, outcome: 'miss' }, t.misses],
          [{ tier, outcome: 'error' }, t.errors],
          [{ tier, outcome: 'timeout' }, t.timeouts],
          [{ tier, outcome: 'corrupt' }, t.corrupt],
          [{ tier, outcome: 'skipped' }, t.skipped],
          [{ tier, outcome: 'write' }, t.writes],
          [{ tier, outcome: 'write_error' }, t.writeErrors],
          [{ tier, outcome: 'too_large' }, t.tooLarge],
        ];
      });
      gauge('relay_cache_store_breaker_state', 'Second-tier breaker state (1 for the current state)', ['tier', 'state'], (g) => {
        for (const state of ['closed', 'open', 'half_open']) g.set({ tier: store.kind, state }, store.tier.breaker.state === state ? 1 : 0);
      });
      if (store.redis) {
        const redis = store.redis;
        gauge('relay_cache_store_connected', 'Redis connection up (1) or not (0)', [], (g) => g.set(redis.state === 'up' ? 1 : 0));
        counter('relay_cache_store_lock_waits_total', 'Fleet fills this relay waited for instead of fetching', [], () => [[{}, store.fleet?.locks.waits ?? 0]]);
        counter('relay_cache_store_invalidations_total', 'Invalidations sent to and received from the fleet', ['direction'], () => [
          [{ direction: 'published' }, store.fleet?.bus.published ?? 0],
          [{ direction: 'received' }, store.fleet?.bus.received ?? 0],
        ]);
      }
      if (store.sqlite) {
        const sqlite = store.sqlite;
        gauge('relay_cache_store_bytes', 'Bytes of values in the SQLite file', [], (g) => g.set(sqlite.storedBytes));
      }
    }
    if (sources.clientLimiter) {
      const limiter = sources.clientLimiter;
      gauge('relay_client_limit_clients', 'Clients with a rate budget being tracked', [], (g) => g.set(limiter.clients));
    }
  }

  observeRequest(route: string, status: number, cache: string, seconds: number): void {
    this.requests.observe(route, status, cache, seconds);
  }

  async render(): Promise<string> {
    return (await this.registry.metrics()) + this.requests.render();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
