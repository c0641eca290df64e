import net from 'node:net';
import { DEFAULT_NEGATIVE_TTL_MS, DEFAULT_POLICY, FEED_POLICY, ROUTE_FAMILIES, type Freshness, type Policy, type RouteFamily } from './cache/policy.ts';
import { formatBytes, formatDuration, lacksUnit, parseBytes, parseDuration } from './config/durations.ts';
import { LOG_LEVELS, type LogLevel } from './log.ts';
import type { GuardOptions } from './upstreams/guard.ts';

/** The second cache tier: none (memory only), a SQLite file, or a Redis shared by a fleet. */
export type CacheStore =
  | { kind: 'sqlite'; path: string; maxBytes: number }
  | { kind: 'redis'; url: string; prefix: string };

export type TmdbCredential = { kind: 'api_key'; value: string } | { kind: 'bearer'; value: string };

export interface Config {
  port: number;
  host: string;
  /** The relay's public origin (`https://relay.example.com`), for links it writes into answers; null: from each request. */
  publicUrl: string | null;
  logLevel: LogLevel;
  upstreamTimeoutMs: number;
  /** Largest upstream body accepted, on the wire and decoded. */
  upstreamMaxBodyBytes: number;
  /** Longest a SIGTERM waits for in-flight requests before closing what is left. */
  shutdownTimeoutMs: number;
  tmdb: { credential: TmdbCredential | null; baseUrl: string };
  tvdb: { apiKey: string | null; pin: string | null; baseUrl: string };
  cache: {
    maxBytes: number;
    negativeTtlMs: number;
    policy: Policy;
    /** gzip level for stored bodies: fast levels keep misses cheap. */
    gzipLevel: number;
    /** The second tier, or null for memory only. */
    store: CacheStore | null;
    /** Deadline of one call to the second tier. */
    storeTimeoutMs: number;
    /** Entries with a larger (gzip) body stay in memory only. */
    storeMaxEntryBytes: number;
    /** RSS above which the memory governor collects garbage (0 = off). */
    memoryTargetBytes: number;
  };
  /** Shields for each upstream: see upstreams/guard.ts. */
  upstreamBudget: Record<'tmdb' | 'tvdb', { ratePerSecond: number; burst: number }>;
  upstreamGuard: Pick<GuardOptions, 'maxConcurrent' | 'maxQueueWaitMs' | 'maxQueue' | 'retryAfterCapMs' | 'breakerThreshold' | 'breakerCooldownMs'>;
  /** Per-client budget on cache misses; null = off. */
  clientRateLimit: { requests: number; perMs: number } | null;
  /** Peers whose Fly-Client-IP / X-Forwarded-For are believed. */
  trustedProxies: readonly string[];
  /** When non-empty, every route but /health and /swagger* needs one of these. */
  accessKeys: readonly string[];
  limits: { maxUrlLength: number; maxQueryParams: number };
  /** The change feeds: poll interval (0 = off) and the delays after which a changed record is marked stale again. */
  changes: { pollMs: number; settleDelaysMs: readonly number[] };
  /** When non-empty, the operator routes under /admin exist and need one of these. */
  adminKeys: readonly string[];
}

/** Defaults, exported so the Dockerfile, fly.toml and docs can be checked against them. */
export const DEFAULTS = Object.freeze({
  port: 4001,
  host: '0.0.0.0',
  logLevel: 'info' as LogLevel,
  upstreamTimeoutMs: 10_000,
  upstreamMaxBodyBytes: 16 * 1024 * 1024,
  shutdownTimeoutMs: 10_000,
  tmdbBaseUrl: 'https://api.themoviedb.org/3',
  tvdbBaseUrl: 'https://api4.thetvdb.com/v4',
  cacheMaxBytes: 256 * 1024 * 1024,
  gzipLevel: 4,
  cacheStorePrefix: 'metadata-relay:',
  changesPollMs: 10 * 60_000,
  changesSettleDelaysMs: [15 * 60_000, 60 * 60_000] as readonly number[],
  cacheStoreMaxBytes: 2 * 1024 ** 3,
  cacheStoreTimeoutMs: 100,
  cacheStoreMaxEntryBytes: 4 * 1024 * 1024,
  tmdbRatePerSecond: 40,
  tvdbRatePerSecond: 20,
  upstreamMaxConcurrency: 16,
  upstreamQueueWaitMs: 5_000,
  upstreamQueueMax: 1_000,
  retryAfterCapMs: 60_000,
  breakerThreshold: 5,
  breakerCooldownMs: 30_000,
  maxUrlLength: 2_048,
  maxQueryParams: 32,
});

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Reads and validates the environment once. Throws ConfigError listing every bad variable. */
export function loadConfig(env: Env = process.env): Readonly<Config> {
  const problems: string[] = [];
  const read = new EnvReader(env, problems);

  const tmdbApiKey = read.secret('TMDB_API_KEY');
  const tmdbAccessToken = read.secret('TMDB_ACCESS_TOKEN');
  const tmdbCredential: TmdbCredential | null = tmdbAccessToken
    ? { kind: 'bearer', value: tmdbAccessToken }
    : tmdbApiKey
      ? { kind: 'api_key', value: tmdbApiKey }
      : null;

  const changesPollMs = read.duration('CHANGES_POLL_INTERVAL', DEFAULTS.changesPollMs, 0, 86_400_000);
  const cacheMaxBytes = read.bytes('CACHE_MAX_BYTES', DEFAULTS.cacheMaxBytes, 1024 * 1024);
  if (changesPollMs > 0 && changesPollMs < 1_000) problems.push('CHANGES_POLL_INTERVAL must be 0 (off) or at least 1s');
  const config: Config = {
    port: read.integer('PORT', DEFAULTS.port, 0, 65_535),
    host: read.host('HOST', DEFAULTS.host),
    publicUrl: read.optionalUrl('PUBLIC_URL'),
    logLevel: read.oneOf('LOG_LEVEL', LOG_LEVELS, DEFAULTS.logLevel),
    upstreamTimeoutMs: read.duration('UPSTREAM_TIMEOUT_MS', DEFAULTS.upstreamTimeoutMs, 100, 120_000),
    upstreamMaxBodyBytes: read.bytes('UPSTREAM_MAX_BODY_BYTES', DEFAULTS.upstreamMaxBodyBytes, 64 * 1024),
    shutdownTimeoutMs: read.duration('SHUTDOWN_TIMEOUT_MS', DEFAULTS.shutdownTimeoutMs, 0, 300_000),
    tmdb: { credential: tmdbCredential, baseUrl: read.url('TMDB_BASE_URL', DEFAULTS.tmdbBaseUrl) },
    tvdb: {
      apiKey: read.secret('TVDB_API_KEY'),
      pin: read.secret('TVDB_PIN'),
      baseUrl: read.url('TVDB_BASE_URL', DEFAULTS.tvdbBaseUrl),
    },
    cache: {
      maxBytes: cacheMaxBytes,
      negativeTtlMs: read.duration('CACHE_NEGATIVE_TTL', DEFAULT_NEGATIVE_TTL_MS, 0, 7 * 86_400_000),
      policy: readPolicy(read, changesPollMs > 0),
      gzipLevel: read.integer('CACHE_GZIP_LEVEL', DEFAULTS.gzipLevel, 1, 9),
      store: readStore(read),
      storeTimeoutMs: read.duration('CACHE_STORE_TIMEOUT', DEFAULTS.cacheStoreTimeoutMs, 5, 10_000),
      storeMaxEntryBytes: read.bytes('CACHE_STORE_MAX_ENTRY_BYTES', DEFAULTS.cacheStoreMaxEntryBytes, 1024),
      memoryTargetBytes: readMemoryTarget(read, cacheMaxBytes),
    },
    upstreamBudget: {
      tmdb: {
        ratePerSecond: read.integer('TMDB_RATE_LIMIT', DEFAULTS.tmdbRatePerSecond, 1, 10_000),
        burst: read.integer('TMDB_RATE_BURST', DEFAULTS.tmdbRatePerSecond, 1, 10_000),
      },
      tvdb: {
        ratePerSecond: read.integer('TVDB_RATE_LIMIT', DEFAULTS.tvdbRatePerSecond, 1, 10_000),
        burst: read.integer('TVDB_RATE_BURST', DEFAULTS.tvdbRatePerSecond, 1, 10_000),
      },
    },
    upstreamGuard: {
      maxConcurrent: read.integer('UPSTREAM_MAX_CONCURRENCY', DEFAULTS.upstreamMaxConcurrency, 1, 1_000),
      maxQueueWaitMs: read.duration('UPSTREAM_QUEUE_TIMEOUT', DEFAULTS.upstreamQueueWaitMs, 0, 60_000),
      maxQueue: read.integer('UPSTREAM_QUEUE_MAX', DEFAULTS.upstreamQueueMax, 0, 100_000),
      retryAfterCapMs: read.duration('UPSTREAM_RETRY_AFTER_CAP', DEFAULTS.retryAfterCapMs, 1_000, 3_600_000),
      breakerThreshold: read.integer('BREAKER_THRESHOLD', DEFAULTS.breakerThreshold, 1, 1_000),
      breakerCooldownMs: read.duration('BREAKER_COOLDOWN', DEFAULTS.breakerCooldownMs, 100, 3_600_000),
    },
    clientRateLimit: read.rate('CLIENT_RATE_LIMIT'),
    trustedProxies: read.list('TRUSTED_PROXIES', isCidr, 'an IPv4/IPv6 address or CIDR (10.0.0.0/8, fd00::/8)'),
    accessKeys: read.secretList('RELAY_ACCESS_KEYS'),
    changes: {
      pollMs: changesPollMs,
      settleDelaysMs: read.durationList('CHANGES_SETTLE_DELAYS', DEFAULTS.changesSettleDelaysMs, 0, 86_400_000),
    },
    adminKeys: read.secretList('RELAY_ADMIN_KEYS'),
    limits: {
      maxUrlLength: read.integer('MAX_URL_LENGTH', DEFAULTS.maxUrlLength, 256, 65_536),
      maxQueryParams: read.integer('MAX_QUERY_PARAMS', DEFAULTS.maxQueryParams, 1, 1_000),
    },
  };

  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}

/** `CACHE_STORE=redis://…|rediss://…|sqlite:<path>`, with its prefix or size bound. */
/**
 * MEMORY_TARGET: `off` (or 0), a size, or unset for the cache's bound and a quarter again (memos,
 * identity copies, buffers in flight) plus 128 MiB for the runtime itself.
 */
function readMemoryTarget(read: EnvReader, cacheMaxBytes: number): number {
  const raw = read.text('MEMORY_TARGET', '', /^/, 'a size or off').trim().toLowerCase();
  if (raw === 'off' || raw === '0') return 0;
  return read.bytes('MEMORY_TARGET', Math.round(cacheMaxBytes * 1.25) + 128 * 1024 * 1024, 64 * 1024 * 1024);
}

function readStore(read: EnvReader): CacheStore | null {
  const value = read.secret('CACHE_STORE');
  const prefix = read.text('CACHE_STORE_PREFIX', DEFAULTS.cacheStorePrefix, /^[A-Za-z0-9:._-]{1,64}$/, 'letters, digits and :._- (at most 64)');
  const maxBytes = read.bytes('CACHE_STORE_MAX_BYTES', DEFAULTS.cacheStoreMaxBytes, 16 * 1024 * 1024);
  if (value === null) return null;
  if (value.startsWith('sqlite:')) {
    const path = value.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '') return read.problem('CACHE_STORE must name a file after sqlite: (e.g. sqlite:/data/cache.db)');
    return { kind: 'sqlite', path, maxBytes };
  }
  if (value.startsWith('redis://') || value.startsWith('rediss://')) {
    try {
      const url = new URL(value);
      if (url.hostname === '') throw new Error('no host');
      return { kind: 'redis', url: value, prefix };
    } catch {
      return read.problem('CACHE_STORE is not a valid redis:// or rediss:// URL');
    }
  }
  return read.problem('CACHE_STORE must be redis://…, rediss://… or sqlite:<path>');
}

/** `CACHE_TTL_<FAMILY>=<fresh>/<stale>`, e.g. `CACHE_TTL_DETAILS=12h/30d`. */
function readPolicy(read: EnvReader, feedsOn: boolean): Policy {
  const policy = {} as Record<RouteFamily, Freshness>;
  for (const family of ROUTE_FAMILIES) {
    const fallback = (feedsOn ? FEED_POLICY[family] : undefined) ?? DEFAULT_POLICY[family];
    policy[family] = read.freshness(`CACHE_TTL_${family.toUpperCase()}`, fallback);
  }
  return policy;
}

class EnvReader {
  constructor(
    private readonly env: Env,
    private readonly problems: string[],
  ) {}

  private raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === '' ? undefined : value;
  }

  /** Records a problem that is not about one value's syntax; returns null for the caller's convenience. */
  problem(message: string): null {
    this.problems.push(message);
    return null;
  }

  text(name: string, fallback: string, pattern: RegExp, what: string): string {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!pattern.test(value)) {
      this.problems.push(`${name} must be ${what}, got "${value}"`);
      return fallback;
    }
    return value;
  }

  /** An IP address (`0.0.0.0`, `::`) or a host name. */
  host(name: string, fallback: string): string {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (net.isIP(value) === 0 && !/^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$/.test(value)) {
      this.problems.push(`${name} must be an IP address or a host name, got "${value}"`);
      return fallback;
    }
    return value;
  }

  /** Credentials: never echoed in an error message. */
  secret(name: string): string | null {
    const value = this.raw(name);
    if (value === undefined) return null;
    if (/[\s\u0000-\u001f]/.test(value)) {
      this.problems.push(`${name} contains whitespace or control characters`);
      return null;
    }
    return value;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      this.problems.push(`${name} must be a whole number from ${min} to ${max}, got "${value}"`);
      return fallback;
    }
    return parsed;
  }

  /** A duration; variables named ..._MS take bare milliseconds, every other one needs a unit. */
  duration(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = parseDuration(value, name.endsWith('_MS'));
    if (parsed === undefined) {
      this.problems.push(lacksUnit(value) ? noUnit(name, value) : `${name} must be a duration such as 500ms, 30s, 5m, 24h or 7d, got "${value}"`);
      return fallback;
    }
    if (parsed < min || parsed > max) {
      this.problems.push(`${name} must be between ${formatDuration(min)} and ${formatDuration(max)}, got "${value}"`);
      return fallback;
    }
    return parsed;
  }

  bytes(name: string, fallback: number, min: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = parseBytes(value);
    if (parsed === undefined) {
      this.problems.push(`${name} must be a size such as 268435456, 256MiB, 256M or 1GB, got "${value}"`);
      return fallback;
    }
    if (parsed < min) {
      this.problems.push(`${name} must be at least ${formatBytes(min)}, got "${value}" (${formatBytes(parsed)})`);
      return fallback;
    }
    return parsed;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const lower = value.toLowerCase();
    if (!(allowed as readonly string[]).includes(lower)) {
      this.problems.push(`${name} must be one of ${allowed.join(', ')}, got "${value}"`);
      return fallback;
    }
    return lower as T;
  }

  /** An http(s) origin, or null when unset. */
  optionalUrl(name: string): string | null {
    return this.raw(name) === undefined ? null : this.url(name, '');
  }

  url(name: string, fallback: string): string {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    try {
      // `new URL` drops an empty '?' or '#'; the raw text must not carry them either ('#' would cut
      // off every path and key appended later).
      if (/[?#]/.test(value)) throw new Error('query or fragment');
      const url = new URL(value);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
      if (url.search || url.hash || url.username || url.password) throw new Error('extra parts');
      return url.href.replace(/\/+$/, '');
    } catch {
      this.problems.push(`${name} must be an http(s) base URL without query or credentials, got "${value}"`);
      return fallback;
    }
  }

  /** Comma-separated durations, e.g. `15m,60m`. */
  durationList(name: string, fallback: readonly number[], min: number, max: number): readonly number[] {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (value === 'off' || value === '0') return [];
    const items = value.split(',').map((item) => item.trim());
    const parsed = items.map((item) => parseDuration(item));
    if (items.some(lacksUnit)) {
      this.problems.push(noUnit(name, value));
      return fallback;
    }
    if (parsed.some((ms) => ms === undefined || ms < min || ms > max)) {
      this.problems.push(`${name} must be a comma list of durations (e.g. 15m,60m) or off, got "${value}"`);
      return fallback;
    }
    return parsed as number[];
  }

  /** "300/60s": requests per window. */
  rate(name: string): { requests: number; perMs: number } | null {
    const value = this.raw(name);
    if (value === undefined || value === 'off') return null;
    const [countText, windowText, extra] = value.split('/');
    const requests = countText !== undefined && /^\d+$/.test(countText) ? Number(countText) : NaN;
    if (windowText !== undefined && lacksUnit(windowText)) {
      this.problems.push(noUnit(name, value));
      return null;
    }
    const perMs = windowText === undefined ? undefined : parseDuration(windowText);
    if (extra !== undefined || !(requests > 0) || perMs === undefined || perMs <= 0) {
      this.problems.push(`${name} must look like "300/60s" (requests per window), got "${value}"`);
      return null;
    }
    return { requests, perMs };
  }

  list(name: string, valid: (item: string) => boolean, what: string): string[] {
    const value = this.raw(name);
    if (value === undefined) return [];
    const items = value.split(',').map((item) => item.trim()).filter(Boolean);
    for (const item of items) if (!valid(item)) this.problems.push(`${name}: "${item}" is not ${what}`);
    return items.filter(valid);
  }

  secretList(name: string): string[] {
    const value = this.raw(name);
    if (value === undefined) return [];
    const items = value.split(',').map((item) => item.trim()).filter(Boolean);
    if (items.some((item) => item.length < 16)) this.problems.push(`${name}: every key must be at least 16 characters`);
    if (items.some((item) => /[\s\u0000-\u001f\u007f]/.test(item))) this.problems.push(`${name}: keys must not contain whitespace or control characters`);
    return items;
  }

  freshness(name: string, fallback: Freshness): Freshness {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const [freshText, staleText, extra] = value.split('/');
    if ([freshText, staleText].some((part) => part !== undefined && lacksUnit(part))) {
      this.problems.push(noUnit(name, value));
      return fallback;
    }
    const freshMs = freshText === undefined ? undefined : parseDuration(freshText);
    const staleMs = staleText === undefined ? fallback.staleMs : parseDuration(staleText);
    const limit = 365 * 86_400_000;
    if (extra !== undefined || freshMs === undefined || staleMs === undefined || freshMs > limit || staleMs > limit) {
      this.problems.push(`${name} must be "<fresh>/<stale>" durations of at most 365d (e.g. 24h/30d), got "${value}"`);
      return fallback;
    }
    return { freshMs, staleMs };
  }
}

/** The message for a duration written without its unit, with what the operator most likely meant. */
function noUnit(name: string, value: string): string {
  const first = /\d+(?:\.\d+)?/.exec(value)?.[0] ?? value;
  return `${name}: "${value}" has no unit; durations need one: ${first}s, ${first}m, ${first}h or ${first}ms (units: ms, s, m, h, d)`;
}

function isCidr(text: string): boolean {
  const [address, bits, extra] = text.split('/');
  if (extra !== undefined || address === undefined) return false;
  const version = net.isIP(address);
  if (version === 0) return false;
  if (bits === undefined) return true;
  return /^\d+$/.test(bits) && Number(bits) <= (version === 4 ? 32 : 128);
}

function deepFreeze<T>(value: T): Readonly<T> {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
