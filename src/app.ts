import { Elysia, ValidationError } from 'elysia';
import type { AdmissionRules } from './cache/admission.ts';
import { ResponseCache } from './cache/response-cache.ts';
import type { Config } from './config.ts';
import { docsRoutes } from './http/docs.ts';
import { jsonError } from './http/respond.ts';
import { proxyRoutes } from './http/proxy.ts';
import { systemRoutes } from './http/system.ts';
import { createLogger, type Logger } from './log.ts';
import { TmdbClient } from './upstreams/tmdb.ts';
import { TvdbClient } from './upstreams/tvdb.ts';

export interface AppOptions {
  /** Clock for cache freshness and token expiry (ms since epoch). Tests move it forward. */
  now?: () => number;
  logger?: Logger;
}

/**
 * Composition root: builds upstream clients, the cache and the routes from a validated Config.
 * Reads no environment and opens no port, so tests can call it directly.
 */
export function createApp(config: Readonly<Config>, options: AppOptions = {}) {
  const now = options.now ?? Date.now;
  const logger = options.logger ?? createLogger(config.logLevel, configSecrets(config));

  const tmdb = new TmdbClient({ credential: config.tmdb.credential, baseUrl: config.tmdb.baseUrl, timeoutMs: config.upstreamTimeoutMs });
  const tvdb = new TvdbClient({
    apiKey: config.tvdb.apiKey,
    pin: config.tvdb.pin,
    baseUrl: config.tvdb.baseUrl,
    timeoutMs: config.upstreamTimeoutMs,
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

  const app = new Elysia()
    .onError(({ code, error, request }) => {
      switch (code) {
        case 'VALIDATION':
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
    .use(systemRoutes({ cache, upstreams, tvdb, startedAt: now(), now }))
    .use(proxyRoutes({ upstreams, cache, admission, now }));

  return { app, cache, upstreams, logger };
}

export type Relay = ReturnType<typeof createApp>;

/** Every credential in the config: the logger scrubs them from each line. */
export function configSecrets(config: Readonly<Config>): string[] {
  return [config.tmdb.credential?.value, config.tvdb.apiKey, config.tvdb.pin].filter((s): s is string => typeof s === 'string');
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
