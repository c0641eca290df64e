import { Elysia, t } from 'elysia';
import type { RelayMetrics } from '../observability/metrics.ts';
import type { RelayStats } from '../observability/stats.ts';
import { SERVICE_NAME, VERSION } from '../version.ts';
import { jsonOk, methodNotAllowed } from './render.ts';

export interface SystemDeps {
  stats: () => RelayStats;
  metrics: RelayMetrics;
  upstreamsConfigured: () => { tmdb: boolean; tvdb: boolean };
  uptimeSeconds: () => number;
  /** The second tier and its state, or null when there is none. */
  cacheStore: () => { kind: string; state: 'up' | 'down' | 'probing' } | null;
}

const UpstreamStatus = t.Object({ tmdb: t.Boolean(), tvdb: t.Boolean() });

/** /health for load balancers and Mydia's monitoring, /stats for people, /metrics for Prometheus. None touches an upstream. */
export function systemRoutes(deps: SystemDeps) {
  const health = () => ({
    status: 'ok' as const,
    service: SERVICE_NAME,
    version: VERSION,
    uptime_seconds: deps.uptimeSeconds(),
    upstreams_configured: deps.upstreamsConfigured(),
    // The relay answers whatever the tier does: it stays "ok" and says how the tier is.
    cache_store: deps.cacheStore(),
  });
  return new Elysia({ name: 'system-routes' })
    .get('/health', () => jsonOk(health()), {
      response: t.Object(
        {
          status: t.Literal('ok'),
          service: t.String(),
          version: t.String(),
          uptime_seconds: t.Number(),
          upstreams_configured: UpstreamStatus,
          cache_store: t.Union([t.Null(), t.Object({ kind: t.String(), state: t.Union([t.Literal('up'), t.Literal('down'), t.Literal('probing')]) })]),
        },
        { examples: [{ status: 'ok', service: SERVICE_NAME, version: VERSION, uptime_seconds: 3600, upstreams_configured: { tmdb: true, tvdb: true }, cache_store: { kind: 'redis', state: 'up' } }] },
      ),
      detail: { tags: ['System'], summary: 'Liveness and version; says which upstreams have credentials and how the second tier is' },
    })
    .get('/stats', () => jsonOk(deps.stats()), { detail: { tags: ['System'], summary: 'Cache, tier, feed and upstream counters since start, and process memory' } })
    .get('/metrics', async () => new Response(await deps.metrics.render(), { headers: { 'content-type': deps.metrics.contentType } }), {
      detail: { tags: ['System'], summary: 'Prometheus metrics: requests, latency, cache, tiers, feeds, upstreams, limiter and breaker state' },
    })
    .all('/health', () => methodNotAllowed(['GET', 'HEAD']), { detail: { hide: true } })
    .all('/stats', () => methodNotAllowed(['GET', 'HEAD']), { detail: { hide: true } })
    .all('/metrics', () => methodNotAllowed(['GET', 'HEAD']), { detail: { hide: true } });
}
