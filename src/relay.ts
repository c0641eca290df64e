import type { Server } from 'bun';
import type { AdmissionRules } from './cache/admission.ts';
import { UpstreamLoader } from './cache/loader.ts';
import { loggableKey, keyOf } from './cache/key.ts';
import { QueryCanonicalizer } from './cache/keys.ts';
import { IDENTITY_COPIES_SHARE, IdentityCopies } from './http/identity-copies.ts';
import { MemoryGovernor } from './memory-governor.ts';
import type { Invalidation } from './cache/fleet/invalidation-bus.ts';
import { Resolver, type InvalidationAction, type InvalidationTarget } from './cache/resolver.ts';
import { pathResolver } from './catalog/resolve-path.ts';
import { LocalCoordination, RedisCoordination } from './feeds/coordination.ts';
import type { FeedFollower } from './feeds/follower.ts';
import { TmdbChangesFollower } from './feeds/tmdb-changes.ts';
import { TvdbUpdatesFollower } from './feeds/tvdb-updates.ts';
import { openStore, type SecondStore } from './cache/store.ts';
import { MemoryTier } from './cache/tiers/memory.ts';
import { MYDIA_ROUTES } from './catalog/mounts/mydia.ts';
import type { Config } from './config.ts';
import { TMDB_V3_ROUTES, TVDB_V4_PREFIX, TVDB_V4_ROUTES } from './catalog/mounts/dropin.ts';
import { AccessKeys } from './http/access.ts';
import { RelayTokens } from './http/relay-tokens.ts';
import { TvdbLinksView } from './http/views.ts';
import { peerAddress, type RequestContext } from './observability/request-context.ts';
import { createGate } from './edge/gate.ts';
import { HitMemo } from './edge/hit-memo.ts';
import { createPipeline } from './edge/pipeline.ts';
import { buildApp } from './http/app.ts';
import { ClientIdentity, ClientRateLimiter } from './http/clients.ts';
import { newRejections } from './http/rejections.ts';
import { EntryRenderer } from './http/render.ts';
import { createLogger, type Logger } from './log.ts';
import { OperationalEvents } from './observability/events.ts';
import { RelayMetrics } from './observability/metrics.ts';
import { UpstreamFailure } from './upstreams/errors.ts';
import { collectStats, type RelayStats } from './observability/stats.ts';
import { UpstreamGuard } from './upstreams/guard.ts';
import { RedisBudget } from './upstreams/shared-budget.ts';
import { RedisTokenShare } from './upstreams/tvdb-token-share.ts';
import { TmdbClient } from './upstreams/tmdb.ts';
import { GuardedTransport } from './upstreams/transport.ts';
import { TvdbClient } from './upstreams/tvdb.ts';
import type { UpstreamName } from './upstreams/types.ts';

const MiB = 1024 * 1024;

export interface RelayOptions {
  /** Clock for cache freshness and token expiry (ms since epoch). Tests move it forward. */
  now?: () => number;
  logger?: Logger;
}

/**
 * A relay: one request pipeline and what it holds. `fetch` answers a request exactly as the HTTP
 * server does (access control included), so tests can drive it in-process; `close` releases timers
 * and waiting requests (the CLI calls it after draining).
 */
export interface Relay {
  fetch(request: Request, server?: Server<undefined>): Response | Promise<Response>;
  stats(): RelayStats;
  /** Resolves once the second tier's first connection attempt ended (bounded; never fails). */
  ready(): Promise<void>;
  /** The second tier's state, or null without one. */
  storeState(): 'up' | 'down' | 'probing' | null;
  close(): Promise<void>;
  readonly logger: Logger;
  /** The cache, for code that refreshes or invalidates without a request (and for tests). */
  readonly resolver: Resolver;
  /** The change-feed followers (none when CHANGES_POLL_INTERVAL=0). */
  readonly feeds: readonly FeedFollower[];
}

/**
 * Composition root: builds upstream clients, the cache, the app and the edge from a validated Config.
 * Reads no environment and opens no port; edge/server.ts serves `relay.fetch`.
 */
export function createRelay(config: Readonly<Config>, options: RelayOptions = {}): Relay {
  const now = options.now ?? Date.now;
  const startedAt = now();
  const logger = options.logger ?? createLogger(config.logLevel, logSecrets(config));
  // Real time: these are "once a minute" for people reading the log, not cache decisions.
  const events = new OperationalEvents({ logger, now: Date.now });

  // Invalidations from other relays reach this relay's memory (bound once the resolver exists).
  let applyRemote: (invalidation: Invalidation) => void = () => {};
  const store: SecondStore | null = config.cache.store
    ? openStore(config.cache.store, {
        now,
        timeoutMs: config.cache.storeTimeoutMs,
        maxEntryBytes: config.cache.storeMaxEntryBytes,
        lockMs: config.upstreamTimeoutMs + config.upstreamGuard.maxQueueWaitMs + 1_000,
        onInvalidation: (invalidation) => applyRemote(invalidation),
        // Redis says itself when it goes and comes (its health loop); SQLite's state is its breaker's.
        onTierState: (state, previous) => {
          if (config.cache.store?.kind === 'sqlite') events.tierState('sqlite', state, previous);
        },
        onRedisState: (state, previous) => {
          if (previous !== 'connecting' || state === 'down') events.tierState('redis', state, previous);
        },
      })
    : null;
  // With Redis, the fleet shares one rate budget per upstream (each machine's own bucket still applies).
  const sharedBudget = (upstream: UpstreamName) =>
    store?.redis && config.cache.store?.kind === 'redis'
      ? new RedisBudget(store.redis, `${config.cache.store.prefix}budget:${upstream}`, config.upstreamBudget[upstream].ratePerSecond, config.upstreamBudget[upstream].burst)
      : null;
  // Guards run on real time: their queues wake on timers, which a test clock would never move.
  const guardFor = (upstream: UpstreamName) =>
    new UpstreamGuard({
      upstream,
      ...config.upstreamBudget[upstream],
      ...config.upstreamGuard,
      shared: sharedBudget(upstream),
      onBreakerChange: (state, previous) => events.breakerChanged(upstream, state, previous),
      onPause: (event, ms) => (event === 'started' ? events.pauseStarted(upstream, ms) : events.pauseEnded(upstream, ms)),
    });
  const guards = { tmdb: guardFor('tmdb'), tvdb: guardFor('tvdb') };
  const transportFor = (upstream: UpstreamName) => new GuardedTransport(upstream, guards[upstream], config.upstreamTimeoutMs, config.upstreamMaxBodyBytes);
  const tmdb = new TmdbClient({ credential: config.tmdb.credential, baseUrl: config.tmdb.baseUrl, transport: transportFor('tmdb') });
  const tvdb = new TvdbClient({
    apiKey: config.tvdb.apiKey,
    pin: config.tvdb.pin,
    baseUrl: config.tvdb.baseUrl,
    transport: transportFor('tvdb'),
    now,
    tokenShare: store?.redis && config.cache.store?.kind === 'redis' ? new RedisTokenShare(store.redis, config.cache.store.prefix) : null,
    onLoginFailure: (failure, backoffMs) =>
      failure.kind === 'auth_rejected' ? events.credentialsRejected('tvdb', 'login') : events.loginFailing(failure.kind, backoffMs),
  });
  const upstreams = { tmdb, tvdb } as const;

  const admission: AdmissionRules = { policy: config.cache.policy, negativeTtlMs: config.cache.negativeTtlMs, gzipLevel: config.cache.gzipLevel };
  // One bound for the cache: the memory tier's stored entries plus the decoded copies for identity clients.
  const identityCopies = new IdentityCopies(Math.floor(config.cache.maxBytes * IDENTITY_COPIES_SHARE));
  const memory = new MemoryTier(config.cache.maxBytes - identityCopies.figures.max_bytes);
  const resolver = new Resolver({
    memory,
    second: store?.tier ?? null,
    fleet: store?.fleet ?? null,
    loader: new UpstreamLoader(upstreams, admission, now, (upstream, error) => {
      if (error instanceof UpstreamFailure && error.kind === 'auth_rejected') events.credentialsRejected(upstream, 'data');
    }),
    now,
    onRefreshError: (origin, error) => {
      logger.debug('background refresh failed; still answering stale', { key: loggableKey(keyOf(origin)), reason: error instanceof Error ? error.message : 'unknown' });
      events.staleWhileFailing(origin.upstream, error instanceof UpstreamFailure ? `refresh_${error.kind}` : 'refresh_failed');
    },
    onStaleWhileFailing: (origin, reason) => events.staleWhileFailing(origin.upstream, reason),
  });

  applyRemote = (invalidation) => resolver.invalidateMemory(invalidation);

  const rejections = newRejections();
  const identity = new ClientIdentity(config.trustedProxies);
  const clientLimiter = config.clientRateLimit ? new ClientRateLimiter(config.clientRateLimit) : null;
  const accessKeys = config.accessKeys.length > 0 ? new AccessKeys(config.accessKeys) : null;
  const renderer = new EntryRenderer({ privateAnswers: accessKeys !== null, identityCopies });
  // Tokens for TVDB clients, signed with a key derived from the relay's secrets (the same on every machine).
  const relayTokens = new RelayTokens(configSecrets(config), now);
  const linksView = new TvdbLinksView({
    upstreamBases: [...new Set([TVDB_PUBLIC_BASE, config.tvdb.baseUrl])],
    publicOrigin: (request, context) => publicOrigin(config, identity, request, context),
    mountPath: TVDB_V4_PREFIX,
    gzipLevel: config.cache.gzipLevel,
  });
  const mounts = [
    { routes: MYDIA_ROUTES, view: null },
    { routes: TMDB_V3_ROUTES, view: null, tag: { name: 'TMDB v3 drop-in', description: 'TMDB v3 under its own paths: point a TMDB client\'s base URL at <relay>/3' } },
    { routes: TVDB_V4_ROUTES, view: linksView, tag: { name: 'TVDB v4 drop-in', description: 'TheTVDB v4 under its own paths: point a TVDB client at <relay>/v4 (POST /v4/login first)' } },
  ];
  // The memos beside the cache scale with it (a small cache on a small machine gets small memos).
  const memo = new HitMemo(resolver, renderer, now, Math.min(8 * MiB, Math.floor(config.cache.maxBytes / 16)));
  const queries = new QueryCanonicalizer(config.limits.maxQueryParams, Math.min(4 * MiB, Math.floor(config.cache.maxBytes / 32)));
  const governor =
    config.cache.memoryTargetBytes > 0
      ? new MemoryGovernor({
          targetBytes: config.cache.memoryTargetBytes,
          onPressure: (state, rss) => events.memoryPressure(state, rss, config.cache.memoryTargetBytes),
        })
      : null;
  const metrics = new RelayMetrics({
    resolver,
    memory,
    upstreams,
    rejections,
    clientLimiter,
    store,
    tables: () => ({ hit_memo: memo.figures, query_memo: queries.figures, identity_copies: identityCopies.figures }),
    cacheMaxBytes: config.cache.maxBytes,
  });
  for (const client of [tmdb, tvdb]) {
    client.meter.listener = (status, ms) =>
      metrics.upstreamDuration.observe({ upstream: client.name, status_class: status === null ? 'failed' : `${Math.floor(status / 100)}xx` }, ms / 1000);
  }

  const feeds = startFeeds(config, { upstreams, store, resolver, now, logger });

  const uptimeSeconds = () => Math.floor((now() - startedAt) / 1000);
  const stats = () =>
    collectStats({
      resolver,
      memory,
      upstreams,
      tvdb,
      rejections,
      clientLimiter,
      tables: { hit_memo: memo.figures, query_memo: queries.figures, identity_copies: identityCopies.figures },
      cacheMaxBytes: config.cache.maxBytes,
      memoryGovernor: governor?.figures ?? null,
      store,
      feeds,
      uptimeSeconds: uptimeSeconds(),
    });

  const app = buildApp({
    proxy: { mounts, upstreams, resolver, renderer, now, queries, identity, clientLimiter, rejections },
    login: { tokens: relayTokens, accessKey: accessKeys ? (presented) => accessKeys.match(presented) : null, rejections },
    admin:
      config.adminKeys.length > 0
        ? {
            keys: new AccessKeys(config.adminKeys),
            resolver,
            memory,
            resolvePath: pathResolver(mounts.flatMap((mount) => mount.routes)),
            maxQueryParams: config.limits.maxQueryParams,
            logger,
            rejections,
            now,
          }
        : null,
    system: {
      stats,
      metrics,
      uptimeSeconds,
      upstreamsConfigured: () => ({ tmdb: tmdb.configured, tvdb: tvdb.configured }),
      cacheStore: () => (store ? { kind: store.kind, state: storeState(store) } : null),
    },
    rejections,
    logger,
    accessKeys: accessKeys !== null,
  });
  const fetch = createPipeline({
    gate: createGate({ maxUrlLength: config.limits.maxUrlLength, accessKeys, accessKeyList: config.accessKeys, relayTokens, rejections, now }),
    memo,
    app: app.fetch,
    metrics,
    logger,
  });

  return {
    fetch,
    stats,
    logger,
    resolver,
    feeds,
    ready: async () => {
      await store?.ready();
    },
    storeState: () => (store ? storeState(store) : null),
    close: async () => {
      await Promise.all(feeds.map((feed) => feed.stop()));
      guards.tmdb.close();
      guards.tvdb.close();
      await store?.close();
      events.close();
      governor?.close();
      memory.close();
      logger.flush();
    },
  };
}

/**
 * The change-feed followers (CHANGES_POLL_INTERVAL > 0), one per configured upstream, coordinated
 * through the second tier: with Redis one relay of the fleet follows and the watermark is shared; with
 * SQLite the watermark survives restarts; memory-only, each relay follows for itself.
 */
function startFeeds(
  config: Readonly<Config>,
  deps: { upstreams: { tmdb: TmdbClient; tvdb: TvdbClient }; store: SecondStore | null; resolver: Resolver; now: () => number; logger: Logger },
): FeedFollower[] {
  if (config.changes.pollMs === 0) return [];
  const { store, logger } = deps;
  const coordination =
    store?.redis && config.cache.store?.kind === 'redis' ? new RedisCoordination(store.redis, config.cache.store.prefix) : new LocalCoordination(store?.sqlite ?? null);
  const options = (client: TmdbClient | TvdbClient) => ({
    client,
    coordination,
    invalidate: (target: InvalidationTarget, action: InvalidationAction) => deps.resolver.invalidate(target, action),
    now: deps.now,
    pollMs: config.changes.pollMs,
    settleDelaysMs: config.changes.settleDelaysMs,
    events: {
      onGap: (feed: string, gapMs: number, keptMs: number) =>
        logger.warn('change feed gap longer than the upstream keeps: older changes reach clients only through the TTL', {
          feed,
          gap_hours: Math.round(gapMs / 3_600_000),
          kept_hours: Math.round(keptMs / 3_600_000),
        }),
      onPollError: (feed: string, error: unknown) => logger.warn('change feed poll failed; backing off', { feed, reason: error instanceof Error ? error.message : 'unknown' }),
    },
  });
  const followers: FeedFollower[] = [];
  if (deps.upstreams.tmdb.configured) followers.push(new TmdbChangesFollower(options(deps.upstreams.tmdb)));
  if (deps.upstreams.tvdb.configured) followers.push(new TvdbUpdatesFollower(options(deps.upstreams.tvdb)));
  for (const follower of followers) follower.start();
  return followers;
}

/** TVDB's public API base: the links in its answers point there. */
const TVDB_PUBLIC_BASE = 'https://api4.thetvdb.com/v4';
const FORWARDED_HOST = /^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$/;

/**
 * The relay's origin as the client sees it, for links the relay writes: PUBLIC_URL when set; else,
 * behind a trusted proxy, its X-Forwarded-Proto/Host; else the request's own origin.
 */
function publicOrigin(config: Readonly<Config>, identity: ClientIdentity, request: Request, context: RequestContext | undefined): string {
  if (config.publicUrl) return config.publicUrl;
  const url = request.url;
  const own = url.slice(0, url.indexOf('/', url.indexOf('//') + 2));
  if (config.trustedProxies.length === 0 || !identity.trusts(peerAddress(request, context))) return own;
  const proto = request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim();
  const host = request.headers.get('x-forwarded-host')?.split(',')[0]?.trim();
  const scheme = proto === 'https' || proto === 'http' ? proto : own.slice(0, own.indexOf(':'));
  const authority = host && FORWARDED_HOST.test(host) ? host : own.slice(own.indexOf('//') + 2);
  return `${scheme}://${authority}`;
}

/** What /health says of the second tier: the worse of the connection and the tier's breaker. */
export function storeState(store: SecondStore): 'up' | 'down' | 'probing' {
  if (store.redis !== null && store.redis.state !== 'up') return 'down';
  return store.tier.state;
}

/** Every secret the logger scrubs from each line: the credentials and the admin keys. */
export function logSecrets(config: Readonly<Config>): string[] {
  return [...configSecrets(config), ...config.adminKeys];
}

/**
 * The credentials in the config (upstream keys, access keys, the Redis URL): also the keys relay tokens
 * are signed with, so an admin key rotation does not sign every TVDB client out.
 */
export function configSecrets(config: Readonly<Config>): string[] {
  const store = config.cache.store;
  const redis = store?.kind === 'redis' ? [store.url, redisPassword(store.url)] : [];
  return [config.tmdb.credential?.value, config.tvdb.apiKey, config.tvdb.pin, ...config.accessKeys, ...redis].filter(
    (s): s is string => typeof s === 'string' && s !== '',
  );
}

function redisPassword(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.password === '' ? undefined : decodeURIComponent(parsed.password);
  } catch {
    return undefined;
  }
}
