import { describe, expect, test } from 'bun:test';
import { DEFAULT_POLICY, FEED_POLICY } from '../src/cache/policy.ts';
import { ConfigError, DEFAULTS, loadConfig } from '../src/config.ts';
import { closestVariable, unknownVariables, VARIABLES } from '../src/config/variables.ts';
import { createLogger } from '../src/log.ts';
import { logSecrets } from '../src/relay.ts';

describe('loadConfig', () => {
  test('an empty environment gives a relay with no credentials and the defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(4001);
    expect(config.host).toBe('0.0.0.0');
    expect(config.tmdb).toEqual({ credential: null, baseUrl: DEFAULTS.tmdbBaseUrl });
    expect(config.tvdb.apiKey).toBeNull();
    expect(config.upstreamTimeoutMs).toBe(10_000);
    expect(config.cache.maxBytes).toBe(256 * 1024 * 1024);
    // The change feeds are on by default: details and seasons stay fresh for a week, the rest as in the table.
    expect(config.changes.pollMs).toBe(10 * 60_000);
    expect(config.cache.policy).toEqual({ ...DEFAULT_POLICY, ...FEED_POLICY });
    expect(config.cache.policy.details.freshMs).toBe(7 * 86_400_000);
    expect(Object.isFrozen(config.cache.policy.details)).toBe(true);
  });

  test('with the change feeds off, the TTL-only defaults', () => {
    const config = loadConfig({ CHANGES_POLL_INTERVAL: '0' });
    expect(config.changes.pollMs).toBe(0);
    expect(config.cache.policy).toEqual(DEFAULT_POLICY);
    expect(loadConfig({ CHANGES_POLL_INTERVAL: '0', CACHE_TTL_DETAILS: '2d/30d' }).cache.policy.details.freshMs).toBe(2 * 86_400_000);
    expect(() => loadConfig({ CHANGES_POLL_INTERVAL: '500ms' })).toThrow('CHANGES_POLL_INTERVAL');
    expect(loadConfig({ CHANGES_SETTLE_DELAYS: '2s,4s' }).changes.settleDelaysMs).toEqual([2_000, 4_000]);
    expect(loadConfig({ CHANGES_SETTLE_DELAYS: 'off' }).changes.settleDelaysMs).toEqual([]);
  });

  test('a TMDB access token wins over a v3 key and travels as bearer', () => {
    expect(loadConfig({ TMDB_API_KEY: 'k123', TMDB_ACCESS_TOKEN: 'eyJtoken' }).tmdb.credential).toEqual({ kind: 'bearer', value: 'eyJtoken' });
    expect(loadConfig({ TMDB_API_KEY: 'k123' }).tmdb.credential).toEqual({ kind: 'api_key', value: 'k123' });
  });

  test('durations, sizes and TTL overrides are parsed', () => {
    const config = loadConfig({ UPSTREAM_TIMEOUT_MS: '2500', CACHE_MAX_BYTES: '64MiB', CACHE_TTL_DETAILS: '12h/60d', CACHE_TTL_LISTS: '5m' });
    expect(config.upstreamTimeoutMs).toBe(2500);
    expect(config.cache.maxBytes).toBe(64 * 1024 * 1024);
    expect(config.cache.policy.details).toEqual({ freshMs: 12 * 3_600_000, staleMs: 60 * 86_400_000 });
    expect(config.cache.policy.lists).toEqual({ freshMs: 5 * 60_000, staleMs: DEFAULT_POLICY.lists.staleMs });
  });

  test('every bad variable is reported at once, and secrets are never echoed', () => {
    try {
      loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', TMDB_BASE_URL: 'ftp://x', CACHE_TTL_SEARCH: 'soon', TVDB_API_KEY: 'has space-secret' });
      throw new Error('expected ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const { problems, message } = error as ConfigError;
      expect(problems).toHaveLength(5);
      expect(message).toContain('PORT');
      expect(message).toContain('LOG_LEVEL');
      expect(message).toContain('TMDB_BASE_URL');
      expect(message).toContain('CACHE_TTL_SEARCH');
      expect(message).toContain('TVDB_API_KEY');
      expect(message).not.toContain('space-secret');
    }
  });

  test('values that would silently misbehave are refused', () => {
    for (const env of [
      { TMDB_BASE_URL: 'https://api.example.test/3?' },
      { TMDB_BASE_URL: 'https://api.example.test/3#' },
      { CLIENT_RATE_LIMIT: '300/60s/junk' },
      { CLIENT_RATE_LIMIT: '0/60s' },
      { HOST: 'not a host' },
      { RELAY_ACCESS_KEYS: 'a-long-enough-key\u0007bell' },
      { CACHE_TTL_DETAILS: '24h/9999d' },
      { TRUSTED_PROXIES: '10.0.0.0/33' },
      { LOG_LEVEL: 'verbose' },
    ]) {
      expect(() => loadConfig(env), JSON.stringify(env)).toThrow(ConfigError);
    }
    expect(loadConfig({ HOST: '::' }).host).toBe('::');
    expect(loadConfig({ HOST: 'relay.internal' }).host).toBe('relay.internal');
    expect(loadConfig({ CLIENT_RATE_LIMIT: '300/60s' }).clientRateLimit).toEqual({ requests: 300, perMs: 60_000 });
    expect(loadConfig({ TRUSTED_PROXIES: '10.0.0.0/8, fd00::/8,127.0.0.1' }).trustedProxies).toEqual(['10.0.0.0/8', 'fd00::/8', '127.0.0.1']);
  });

  test('base URLs lose trailing slashes and refuse embedded credentials', () => {
    expect(loadConfig({ TVDB_BASE_URL: 'http://127.0.0.1:9999/v4/' }).tvdb.baseUrl).toBe('http://127.0.0.1:9999/v4');
    expect(() => loadConfig({ TMDB_BASE_URL: 'https://user:pw@example.test/3' })).toThrow(ConfigError);
  });
});

describe('units as operators write them', () => {
  test('a duration without a unit is refused, and the message says what to write', () => {
    let message = '';
    try {
      loadConfig({ CACHE_TTL_DETAILS: '86400/2592000', BREAKER_COOLDOWN: '30', CHANGES_SETTLE_DELAYS: '900', CLIENT_RATE_LIMIT: '300/60' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('CACHE_TTL_DETAILS: "86400/2592000" has no unit; durations need one: 86400s');
    expect(message).toContain('BREAKER_COOLDOWN: "30" has no unit');
    expect(message).toContain('CHANGES_SETTLE_DELAYS: "900" has no unit');
    expect(message).toContain('CLIENT_RATE_LIMIT: "300/60" has no unit');
  });

  test('..._MS variables take bare milliseconds, and 0 needs no unit', () => {
    expect(loadConfig({ UPSTREAM_TIMEOUT_MS: '2500' }).upstreamTimeoutMs).toBe(2500);
    expect(loadConfig({ UPSTREAM_TIMEOUT_MS: '3s' }).upstreamTimeoutMs).toBe(3000);
    expect(loadConfig({ CACHE_NEGATIVE_TTL: '0' }).cache.negativeTtlMs).toBe(0);
  });

  test('sizes: 256M and 1G are binary, 1GB decimal, and the minimum is named as a size', () => {
    expect(loadConfig({ CACHE_MAX_BYTES: '256M' }).cache.maxBytes).toBe(256 * 1024 ** 2);
    expect(loadConfig({ CACHE_MAX_BYTES: '1G' }).cache.maxBytes).toBe(1024 ** 3);
    expect(loadConfig({ CACHE_MAX_BYTES: '1GB' }).cache.maxBytes).toBe(1e9);
    expect(loadConfig({ CACHE_MAX_BYTES: '512mib' }).cache.maxBytes).toBe(512 * 1024 ** 2);
    expect(() => loadConfig({ CACHE_MAX_BYTES: '10K' })).toThrow('CACHE_MAX_BYTES must be at least 1 MiB, got "10K" (10 KiB)');
    expect(() => loadConfig({ CACHE_MAX_BYTES: 'lots' })).toThrow('CACHE_MAX_BYTES must be a size such as 268435456, 256MiB, 256M or 1GB');
  });
});

describe('the table of variables', () => {
  test('names the variables that look like ours but are not, with the closest real one', () => {
    const env = { CACHE_TTL_DETAIL: '1h', TMDB_KEY: 'x', PATH: '/bin', TMDB_API_KEY: 'k', RELAY_ACCESS_KEY: 'y' };
    expect(unknownVariables(env)).toEqual(['CACHE_TTL_DETAIL', 'RELAY_ACCESS_KEY', 'TMDB_KEY']);
    expect(closestVariable('CACHE_TTL_DETAIL')).toBe('CACHE_TTL_DETAILS');
    expect(closestVariable('TMDB_KEY')).toBe('TMDB_API_KEY');
    expect(closestVariable('RELAY_ACCESS_KEY')).toBe('RELAY_ACCESS_KEYS');
    expect(closestVariable('COMPLETELY_DIFFERENT_THING')).toBeNull();
  });
});

describe('secrets in the log', () => {
  // A value each secret variable accepts; the one the logger must never write.
  const VALUES: Record<string, { env: Record<string, string>; secret: string }> = {
    TMDB_API_KEY: { env: { TMDB_API_KEY: 'tmdb-key-for-the-log-test' }, secret: 'tmdb-key-for-the-log-test' },
    TMDB_ACCESS_TOKEN: { env: { TMDB_ACCESS_TOKEN: 'eyJ-token-for-the-log-test' }, secret: 'eyJ-token-for-the-log-test' },
    TVDB_API_KEY: { env: { TVDB_API_KEY: 'tvdb-key-for-the-log-test' }, secret: 'tvdb-key-for-the-log-test' },
    TVDB_PIN: { env: { TVDB_API_KEY: 'tvdb-key-for-the-log-test', TVDB_PIN: 'pin-4821' }, secret: 'pin-4821' },
    CACHE_STORE: { env: { CACHE_STORE: 'redis://:store-password-for-the-log@127.0.0.1:6390' }, secret: 'store-password-for-the-log' },
    RELAY_ACCESS_KEYS: { env: { RELAY_ACCESS_KEYS: 'access-key-for-the-log-test' }, secret: 'access-key-for-the-log-test' },
    RELAY_ADMIN_KEYS: { env: { RELAY_ADMIN_KEYS: 'admin-key-for-the-log-test' }, secret: 'admin-key-for-the-log-test' },
  };

  test('every variable marked secret is scrubbed from log lines', () => {
    const secretNames = VARIABLES.filter((v) => v.secret).map((v) => v.name);
    expect(Object.keys(VALUES).sort()).toEqual([...secretNames].sort());
    for (const name of secretNames) {
      const { env, secret } = VALUES[name] as { env: Record<string, string>; secret: string };
      const lines: string[] = [];
      const logger = createLogger('info', logSecrets(loadConfig(env)), (line) => lines.push(line));
      logger.warn('test', { message: `upstream said ${secret}`, url: `http://x/?k=${encodeURIComponent(secret)}` });
      expect(lines).toHaveLength(1);
      expect(lines[0]).not.toContain(secret);
      expect(lines[0]).not.toContain(encodeURIComponent(secret));
    }
  });
});

describe('the table of variables and the code agree', () => {
  test('every default the table shows is the value the relay takes when the variable is unset', () => {
    const unset = loadConfig({});
    // Defaults that are words (no value), or worked out from another variable.
    const notAValue = new Set(['-', 'none', 'off', 'from each request', 'CACHE_MAX_BYTES x 1.25 + 128MiB']);
    const checked = VARIABLES.filter((v) => !notAValue.has(v.default));
    expect(checked.length).toBeGreaterThan(30);
    for (const variable of checked) expect(loadConfig({ [variable.name]: variable.default }), variable.name).toEqual(unset);
  });
});
