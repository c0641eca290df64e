/**
 * Every environment variable the relay reads, in one table: `--help`, the README's configuration table
 * and `.env.example` are written from it (scripts/config-docs.ts), and tests check that config.ts reads
 * exactly these. Defaults are written as an operator would type them.
 */
export interface Variable {
  name: string;
  /** As shown in docs; '-' for none. */
  default: string;
  meaning: string;
  group: 'server' | 'upstreams' | 'cache' | 'tier' | 'protection' | 'feeds' | 'access';
  /** A credential: never printed, never logged. */
  secret?: true;
  /** Shown commented out in .env.example with this example value. */
  example?: string;
}

export const VARIABLES: readonly Variable[] = [
  { group: 'server', name: 'PORT', default: '4001', meaning: 'listening port (`0` picks a free one); also `--port`' },
  { group: 'server', name: 'HOST', default: '0.0.0.0', meaning: 'listening address (`::` for IPv6 and IPv4, as on Fly); also `--host`' },
  {
    group: 'server',
    name: 'PUBLIC_URL',
    default: 'from each request',
    meaning: "the relay's public origin (`https://relay.example.com`), for the paging links it rewrites on `/v4`; unset: `X-Forwarded-Proto`/`-Host` from `TRUSTED_PROXIES`, else the request's own origin",
    example: 'https://relay.example.com',
  },
  { group: 'server', name: 'LOG_LEVEL', default: 'info', meaning: '`debug`, `info` (one line per request), `warn`, `error`, `silent`' },
  { group: 'server', name: 'SHUTDOWN_TIMEOUT_MS', default: '10000', meaning: 'how long SIGTERM/SIGINT waits for in-flight requests (milliseconds, or with a unit)' },

  { group: 'upstreams', name: 'TMDB_API_KEY', default: '-', meaning: 'TMDB v3 key, sent as `api_key`', secret: true, example: 'your-tmdb-v3-key' },
  { group: 'upstreams', name: 'TMDB_ACCESS_TOKEN', default: '-', meaning: 'TMDB read access token, sent as `Authorization: Bearer` (wins over `TMDB_API_KEY`)', secret: true, example: 'eyJ...' },
  { group: 'upstreams', name: 'TMDB_BASE_URL', default: 'https://api.themoviedb.org/3', meaning: 'TMDB base URL' },
  { group: 'upstreams', name: 'TVDB_API_KEY', default: '-', meaning: 'TheTVDB v4 key (the relay logs in and holds the token)', secret: true, example: 'your-tvdb-key' },
  { group: 'upstreams', name: 'TVDB_PIN', default: '-', meaning: 'subscriber PIN, for user-supported keys', secret: true, example: '1234' },
  { group: 'upstreams', name: 'TVDB_BASE_URL', default: 'https://api4.thetvdb.com/v4', meaning: 'TVDB base URL' },
  { group: 'upstreams', name: 'UPSTREAM_TIMEOUT_MS', default: '10000', meaning: 'deadline for one upstream request, body included (milliseconds, or with a unit)' },
  { group: 'upstreams', name: 'UPSTREAM_MAX_BODY_BYTES', default: '16MiB', meaning: 'largest upstream body accepted, on the wire and decoded; past it `502`, nothing stored' },

  { group: 'cache', name: 'CACHE_MAX_BYTES', default: '256MiB', meaning: 'memory bound of the cache (stored bytes)' },
  { group: 'cache', name: 'CACHE_NEGATIVE_TTL', default: '1h', meaning: 'how long an upstream `404` is cached (`0` = never)' },
  {
    group: 'cache',
    name: 'MEMORY_TARGET',
    default: 'CACHE_MAX_BYTES x 1.25 + 128MiB',
    example: '448MiB',
    meaning: 'RSS above which the relay runs a full garbage collection (at most every 2 s); `off` to leave it to the runtime',
  },
  { group: 'cache', name: 'CACHE_GZIP_LEVEL', default: '4', meaning: 'gzip level for bodies the upstream did not send gzip-compressed (1-9); gzip answers are stored as they came' },
  { group: 'cache', name: 'CACHE_TTL_DETAILS', default: '7d/30d', meaning: 'fresh/stale for the details family (`24h/30d` with the change feeds off)' },
  { group: 'cache', name: 'CACHE_TTL_SEASONS', default: '7d/14d', meaning: 'seasons and episodes (`24h/14d` with the change feeds off)' },
  { group: 'cache', name: 'CACHE_TTL_SEARCH', default: '24h/7d', meaning: 'searches' },
  { group: 'cache', name: 'CACHE_TTL_IMAGES', default: '7d/90d', meaning: 'images and artworks' },
  { group: 'cache', name: 'CACHE_TTL_LISTS', default: '1h/1d', meaning: 'trending, popular, discover, change lists, ...' },
  { group: 'cache', name: 'CACHE_TTL_REFERENCE', default: '1d/30d', meaning: 'configuration, genres, providers, type lists' },

  {
    group: 'tier',
    name: 'CACHE_STORE',
    default: 'none',
    meaning: 'second cache tier: `sqlite:/data/cache.db` (a file that survives restarts), `redis://…` or `rediss://…` (shared by every relay that points at it); unset = memory only',
    secret: true,
    example: 'sqlite:/data/cache.db',
  },
  { group: 'tier', name: 'CACHE_STORE_PREFIX', default: 'metadata-relay:', meaning: 'Redis key prefix, so one Redis can serve several deployments' },
  { group: 'tier', name: 'CACHE_STORE_MAX_BYTES', default: '2GiB', meaning: 'bound of the SQLite file (least recently used entries evicted in batches)' },
  { group: 'tier', name: 'CACHE_STORE_TIMEOUT', default: '100ms', meaning: 'deadline of one second-tier call; past it the request goes on as memory-only' },
  { group: 'tier', name: 'CACHE_STORE_MAX_ENTRY_BYTES', default: '4MiB', meaning: 'entries with a larger (gzip) body stay in memory only' },

  { group: 'protection', name: 'TMDB_RATE_LIMIT', default: '40', meaning: 'TMDB requests per second (token bucket rate; with Redis, for the whole fleet)' },
  { group: 'protection', name: 'TMDB_RATE_BURST', default: '40', meaning: 'TMDB bucket size' },
  { group: 'protection', name: 'TVDB_RATE_LIMIT', default: '20', meaning: 'TVDB requests per second' },
  { group: 'protection', name: 'TVDB_RATE_BURST', default: '20', meaning: 'TVDB bucket size' },
  { group: 'protection', name: 'UPSTREAM_MAX_CONCURRENCY', default: '16', meaning: 'upstream requests in flight, per upstream' },
  { group: 'protection', name: 'UPSTREAM_QUEUE_TIMEOUT', default: '5s', meaning: 'longest a miss waits for an upstream slot' },
  { group: 'protection', name: 'UPSTREAM_QUEUE_MAX', default: '1000', meaning: 'misses waiting for a slot, per upstream' },
  { group: 'protection', name: 'UPSTREAM_RETRY_AFTER_CAP', default: '60s', meaning: 'longest pause taken from an upstream `Retry-After`' },
  { group: 'protection', name: 'BREAKER_THRESHOLD', default: '5', meaning: 'consecutive failures that open the circuit breaker' },
  { group: 'protection', name: 'BREAKER_COOLDOWN', default: '30s', meaning: 'how long the breaker stays open before a probe' },
  { group: 'protection', name: 'CLIENT_RATE_LIMIT', default: 'off', meaning: 'per-client budget of cache misses, e.g. `300/60s`', example: '300/60s' },
  { group: 'protection', name: 'TRUSTED_PROXIES', default: 'none', meaning: 'comma list of addresses/CIDRs whose `Fly-Client-IP` / `X-Forwarded-For` is believed', example: '10.0.0.0/8,fdaa::/16' },
  { group: 'protection', name: 'MAX_URL_LENGTH', default: '2048', meaning: 'longer request URLs get `414`' },
  { group: 'protection', name: 'MAX_QUERY_PARAMS', default: '32', meaning: 'more query parameters get `400`' },

  {
    group: 'feeds',
    name: 'CHANGES_POLL_INTERVAL',
    default: '10m',
    meaning: "how often the relay reads TMDB's change lists and TVDB's `/updates` (`0` = off; at least `1s`); on, details and seasons stay fresh for 7 days instead of 24 h",
  },
  {
    group: 'feeds',
    name: 'CHANGES_SETTLE_DELAYS',
    default: '15m,60m',
    meaning: 'after a change, the record is marked stale again after each of these (TVDB lists ids before serving the new body; `off` for none)',
  },

  { group: 'access', name: 'RELAY_ACCESS_KEYS', default: 'none', meaning: 'comma list of access keys (16+ characters each); unset = open', secret: true, example: 'a-long-random-key-1,a-long-random-key-2' },
  { group: 'access', name: 'RELAY_ADMIN_KEYS', default: 'none', meaning: 'comma list of admin keys (16+ characters): the `/admin` routes exist only with them', secret: true, example: 'a-long-random-admin-key' },
];

/** Prefixes of the relay's variables: one of these that is not in the table is most likely a typo. */
export const OUR_PREFIXES = ['TMDB_', 'TVDB_', 'CACHE_', 'RELAY_', 'UPSTREAM_', 'CHANGES_', 'BREAKER_', 'CLIENT_'] as const;

/** Variables that look like ours (by prefix) but are not in the table. */
export function unknownVariables(env: Record<string, string | undefined>): string[] {
  const known = new Set(VARIABLES.map((v) => v.name));
  return Object.keys(env)
    .filter((name) => OUR_PREFIXES.some((prefix) => name.startsWith(prefix)) && !known.has(name))
    .sort();
}

/** The closest known name, for "did you mean". */
export function closestVariable(name: string): string | null {
  let best: { name: string; distance: number } | null = null;
  for (const variable of VARIABLES) {
    const distance = editDistance(name, variable.name);
    if (best === null || distance < best.distance) best = { name: variable.name, distance };
  }
  return best !== null && best.distance <= Math.max(4, Math.floor(name.length / 3)) ? best.name : null;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] as number;
      row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] as number;
}
