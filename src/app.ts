import { Elysia, ValidationError } from 'elysia';
import type { AdmissionRules } from './cache/admission.ts';
import { ResponseCache } from './cache/response-cache.ts';
import type { Config } from './config.ts';
import { AccessKeys } from './http/access.ts';
import { ClientIdentity, ClientRateLimiter } from './http/clients.ts';
import { docsRoutes } from './http/docs.ts';
import { FastPath } from './http/fast-path.ts';
import { createGate } from './http/gate.ts';
import { newRejections } from './http/rejections.ts';
import { jsonError } from './http/respond.ts';
import { proxyRoutes } from './http/proxy.ts';
import { systemRoutes } from './http/system.ts';
import { createLogger, type Logger } from './log.ts';
import { RelayMetrics } from './observability/metrics.ts';
import { TmdbClient } from './upstreams/tmdb.ts';
import { UpstreamGuard } from './upstreams/guard.ts';
import { GuardedTransport } from './upstreams/transport.ts';
import { TvdbClient } from './upstreams/tvdb.ts';
import type { UpstreamName } from './upstreams/types.ts';

export interface AppOptions {
  /** Clock for cache freshness and token expiry (ms since epoch). Tests move it forward. */
  now?: () => number;
  logger?: Logger;
}

/**
 * Composition root: builds upstream clients, the cache and the routes from a validated Config.
 * Reads no environment and opens no port; server.ts puts the gate and the fast path in front of
 * the Elysia app and serves it.
 */
export function createApp(config: Readonly<Config>, options: AppOptions = {}) {
  const now = options.now ?? Date.now;
  const logger = options.logger ?? createLogger(config.logLevel, configSecrets(config));

  // Guards run on real time: their queues wake on timers, which a test clock would never move.
  const transportFor = (upstream: UpstreamName) =>
    new GuardedTransport(upstream, new UpstreamGuard({ upstream, ...config.upstreamBudget[upstream], ...config.upstreamGuard }), config.upstreamTimeoutMs, config.upstreamMaxBodyBytes);
  const tmdb = new TmdbClient({ credential: config.tmdb.credential, baseUrl: config.tmdb.baseUrl, transport: transportFor('tmdb') });
  const tvdb = new TvdbClient({
    apiKey: config.tvdb.apiKey,
    pin: config.tvdb.pin,
    baseUrl: config.tvdb.baseUrl,
    transport: transportFor('tvdb'),
    now,
  });
  const upstreams = { tmdb, tvdb } as const;
  const cache = new ResponseCache({
    maxBytes: config.cache.maxBytes,
    now,
    onRefreshError: (key, error) =>
      logger.warn('background refresh failed; still answering stale', { key, reason: error instanceof Error ? error.message : 'unknown' }),
  });
  const admission: AdmissionRules = {
    policy: config.cache.policy,
    negativeTtlMs: config.cache.negativeTtlMs,
    gzipLevel: config.cache.gzipLevel,
  };

  const rejections = newRejections();
  const clientLimit = config.clientRateLimit
    ? { identity: new ClientIdentity(config.trustedProxies), limiter: new ClientRateLimiter(config.clientRateLimit) }
    : null;
  const gate = createGate({
    maxUrlLength: config.limits.maxUrlLength,
    accessKeys: config.accessKeys.length > 0 ? new AccessKeys(config.accessKeys) : null,
    rejections,
  });
  const fastPath = new FastPath(cache, now);
  const metrics = new RelayMetrics({ cache, upstreams, rejections, clientLimiter: clientLimit?.limiter ?? null });
  for (const client of [tmdb, tvdb]) {
    client.meter.listener = (status, ms) =>
      metrics.upstreamDuration.observe({ upstream: client.name, status_class: status === null ? 'failed' : `${Math.floor(status / 100)}xx` }, ms / 1000);
  }

  const app = new Elysia()
    .onError(({ code, error, request }) => {
      switch (code) {
        case 'VALIDATION':
          rejections.invalid_request++;
          return validationResponse(error);
        case 'NOT_FOUND':
          return jsonError(404, 'Not found');
        case 'PARSE':
          return jsonError(400, 'Malformed request');
        default:
          logger.error('unhandled error', {
            path: new URL(request.url).pathname,
            code: String(code),
            reason: error instanceof Error ? error.message : 'unknown',
          });
          return jsonError(500, 'Internal error');
      }
    })
    .use(docsRoutes())
    .use(systemRoutes({ cache, upstreams, tvdb, metrics, startedAt: now(), now, rejections, clientLimiter: clientLimit?.limiter ?? null }))
    .use(proxyRoutes({ upstreams, cache, admission, now, maxQueryParams: config.limits.maxQueryParams, clientLimit, rejections, fastPath }));

  return { app, gate, fastPath, cache, upstreams, logger, rejections, metrics };
}

export type Relay = ReturnType<typeof createApp>;

/** Bun.serve options shared by the binary and the tests, so both run the same server. */
export function serveOptions(config: Readonly<Config>) {
  return {
    port: config.port,
    hostname: config.host,
    // Two relays must never share a port silently (Elysia's default is reusePort: true).
    reusePort: false,
    // A miss may wait for the upstream queue and timeout; the connection must outlive both.
    idleTimeout: Math.min(255, Math.ceil((config.upstreamTimeoutMs + config.upstreamGuard.maxQueueWaitMs) / 1000) + 30),
    // Proxy routes take no body; a GET with a large one is cut off early.
    maxRequestBodySize: 64 * 1024,
    // No development error pages (they would show stack traces); Bun's default depends on NODE_ENV.
    development: false,
  };
}

/** Every credential in the config: the logger scrubs them from each line. */
export function configSecrets(config: Readonly<Config>): string[] {
  return [config.tmdb.credential?.value, config.tvdb.apiKey, config.tvdb.pin, ...config.accessKeys].filter(
    (s): s is string => typeof s === 'string',
  );
}

/** 400 naming the bad parameter, without echoing its value. */
function validationResponse(error: Readonly<ValidationError>): Response {
  const where = error.type === 'params' ? 'path parameter' : error.type === 'query' ? 'query parameter' : error.type;
  const path = error.valueError?.path ?? '';
  const name = path.replace(/^\//, '').split('/')[0] ?? '';
  const expectation = error.valueError?.schema?.description;
  const message = name ? `Invalid ${where} '${name}'` : `Invalid ${where}`;
  return jsonError(400, message, expectation ? { expected: expectation } : {});
}
