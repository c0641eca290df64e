import { Elysia, t } from 'elysia';
import type { ResponseCache } from '../cache/response-cache.ts';
import type { RelayMetrics } from '../observability/metrics.ts';
import type { ClientRateLimiter } from './clients.ts';
import type { RequestRejections } from './rejections.ts';
import type { UpstreamClient, UpstreamName } from '../upstreams/types.ts';
import type { TvdbClient } from '../upstreams/tvdb.ts';
import { SERVICE_NAME, VERSION } from '../version.ts';

export interface SystemDeps {
  cache: ResponseCache;
  upstreams: Readonly<Record<UpstreamName, UpstreamClient>>;
  tvdb: TvdbClient;
  metrics: RelayMetrics;
  startedAt: number;
  now: () => number;
  rejections: RequestRejections;
  clientLimiter: ClientRateLimiter | null;
}

const UpstreamStatus = t.Object({ tmdb: t.Boolean(), tvdb: t.Boolean() });

/** /health for load balancers and Mydia's monitoring, /stats for people, /metrics for Prometheus. None touches an upstream. */
export function systemRoutes(deps: SystemDeps) {
  const { cache, upstreams } = deps;
  const configured = () => ({ tmdb: upstreams.tmdb.configured, tvdb: upstreams.tvdb.configured });

  return new Elysia({ name: 'system-routes' })
    .get(
      '/health',
      () => ({
        status: 'ok' as const,
        service: SERVICE_NAME,
        version: VERSION,
        uptime_seconds: Math.floor((deps.now() - deps.startedAt) / 1000),
        upstreams_configured: configured(),
      }),
      {
        response: t.Object({
          status: t.Literal('ok'),
          service: t.String(),
          version: t.String(),
          uptime_seconds: t.Number(),
          upstreams_configured: UpstreamStatus,
        }),
        detail: { tags: ['System'], summary: 'Liveness and version; says which upstreams have credentials' },
      },
    )
    .get(
      '/stats',
      () => {
        const c = cache.counters;
        const total = c.hits + c.misses + c.stale + c.coalesced;
        return {
          service: SERVICE_NAME,
          version: VERSION,
          uptime_seconds: Math.floor((deps.now() - deps.startedAt) / 1000),
          cache: {
            hits: c.hits,
            misses: c.misses,
            total_requests: total,
            hit_rate_pct: total === 0 ? 0 : Math.round(((c.hits + c.stale) / total) * 10_000) / 100,
            size: cache.entries,
            memory_bytes: cache.storedBytes,
            uncompressed_bytes: cache.identityBytes(),
            max_bytes: cache.maxBytes,
            stale: c.stale,
            coalesced: c.coalesced,
            negative_hits: c.negativeHits,
            refreshes: c.refreshes,
            refresh_failures: c.refreshFailures,
            fetches_in_flight: cache.fetchesInFlight,
          },
          process: processMemory(),
          rejections: { ...deps.rejections },
          client_limit: deps.clientLimiter ? { clients: deps.clientLimiter.clients, rejected: deps.clientLimiter.rejected } : null,
          upstreams: {
            tmdb: upstreamStats(upstreams.tmdb),
            tvdb: { ...upstreamStats(upstreams.tvdb), token_held: deps.tvdb.tokens.hasToken, logins: deps.tvdb.tokens.logins },
          },
        };
      },
      { detail: { tags: ['System'], summary: 'Cache and upstream counters since start' } },
    )
    .get('/metrics', async () => new Response(await deps.metrics.render(), { headers: { 'content-type': deps.metrics.contentType } }), {
      detail: { tags: ['System'], summary: 'Prometheus metrics: requests, latency, cache, upstreams, limiter and breaker state' },
    });
}

function processMemory() {
  const memory = process.memoryUsage();
  return { rss_bytes: memory.rss, heap_used_bytes: memory.heapUsed, heap_total_bytes: memory.heapTotal };
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
