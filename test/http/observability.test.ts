/**
 * /metrics, the per-request log line, x-request-id and server-timing, checked after real traffic.
 * (The harness stops the relay after each test: the metrics text is read once, in beforeAll.)
 */
import { beforeAll, describe, expect, test } from 'bun:test';
import { useRelayHarness } from '../support/harness.ts';
import type { RelayUnderTest } from '../support/relay.ts';

const harness = useRelayHarness({ LOG_LEVEL: 'info' });
let relay: RelayUnderTest;
let metrics = '';

beforeAll(async () => {
  relay = await harness.start();
  await relay.get('/tmdb/movies/550'); // MISS
  await relay.get('/tmdb/movies/550'); // HIT
  await relay.get('/tmdb/movies/900000001'); // 404, cached
  await relay.get('/tmdb/movies/abc'); // 400, no upstream
  await relay.get('/tvdb/series/1'); // login + MISS
  metrics = await (await relay.get('/metrics')).text();
});

/** The value of one sample line, e.g. sample('relay_cache_entries') or with labels. */
function sample(name: string, labels = ''): number | undefined {
  const line = metrics.split('\n').find((l) => l.startsWith(labels ? `${name}{${labels}}` : `${name} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('/metrics', () => {
  test('requests by route, status and cache outcome, with a latency histogram', () => {
    expect(sample('relay_http_requests_total', 'route="tmdb.movie",status="200",cache="MISS"')).toBe(1);
    expect(sample('relay_http_requests_total', 'route="tmdb.movie",status="200",cache="HIT"')).toBe(1);
    expect(sample('relay_http_requests_total', 'route="tmdb.movie",status="404",cache="MISS"')).toBe(1);
    expect(sample('relay_http_requests_total', 'route="other",status="400",cache="none"')).toBe(1);
    expect(sample('relay_http_request_duration_seconds_count', 'route="tmdb.movie",status="200",cache="HIT"')).toBe(1);
    expect(sample('relay_http_request_duration_seconds_bucket', 'route="tmdb.movie",status="200",cache="HIT",le="+Inf"')).toBe(1);
    expect(metrics).toContain('# TYPE relay_http_request_duration_seconds histogram');
  });

  test('upstream calls and latency by upstream', () => {
    expect(sample('relay_upstream_calls_total', 'upstream="tmdb",outcome="2xx"')).toBe(1);
    expect(sample('relay_upstream_calls_total', 'upstream="tmdb",outcome="4xx"')).toBe(1);
    expect(sample('relay_upstream_calls_total', 'upstream="tvdb",outcome="2xx"')).toBe(2); // login + series
    expect(sample('relay_upstream_request_duration_seconds_count', 'upstream="tmdb",status_class="2xx"')).toBe(1);
  });

  test('cache, limiter and breaker state', () => {
    expect(sample('relay_cache_entries')).toBe(3);
    expect(sample('relay_cache_bytes')).toBeGreaterThan(0);
    expect(sample('relay_cache_lookups_total', 'outcome="hit"')).toBe(1);
    expect(sample('relay_cache_lookups_total', 'outcome="miss"')).toBe(3);
    expect(sample('relay_upstream_breaker_state', 'upstream="tmdb",state="closed"')).toBe(1);
    expect(sample('relay_upstream_tokens', 'upstream="tmdb"')).toBeGreaterThan(30);
    expect(sample('relay_upstream_queue_depth', 'upstream="tmdb"')).toBe(0);
    expect(sample('relay_request_rejections_total', 'reason="invalid_request"')).toBe(1);
    expect(sample('process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  test('the bounded tables beside the cache, with their bounds', async () => {
    expect(sample('relay_table_entries', 'table="hit_memo"')).toBe(3); // the three URLs answered from an entry
    expect(sample('relay_table_max_bytes', 'table="hit_memo"')).toBe(8 * 1024 * 1024);
    expect(sample('relay_table_max_bytes', 'table="query_memo"')).toBe(4 * 1024 * 1024);
    expect(sample('relay_table_bytes', 'table="query_memo"')).toBe(0); // none of these requests had a query string
    expect(sample('relay_table_evictions_total', 'table="hit_memo"')).toBe(0);
  });

  test('carries no credential', () => {
    for (const secret of [harness.fake.options.tmdbApiKey, harness.fake.options.tvdbApiKey]) expect(metrics).not.toContain(secret);
  });
});

describe('request log, x-request-id, server-timing', () => {
  test('one JSON line per request with id, route, status, cache outcome and timings; never the query', async () => {
    relay = await harness.start();
    await relay.get('/health');
    const response = await relay.get('/tmdb/movies/550?language=en-US&api_key=callers-secret', { headers: { 'x-request-id': 'trace-42' } });
    expect(response.headers.get('x-request-id')).toBe('trace-42');
    expect(response.headers.get('server-timing')).toMatch(/^cache;desc=MISS, upstream;dur=\d+(\.\d)?, total;dur=\d+(\.\d{1,2})?$/);
    await Bun.sleep(10);
    const lines = relay.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((l) => l.msg === 'request');
    const line = lines.find((l) => l.request_id === 'trace-42');
    expect(line).toMatchObject({ level: 'info', method: 'GET', path: '/tmdb/movies/550', route: 'tmdb.movie', status: 200, cache: 'MISS' });
    expect(typeof line?.upstream_ms).toBe('number');
    expect(typeof line?.total_ms).toBe('number');
    expect(relay.logs.join('\n')).not.toContain('callers-secret');
    // Every request has its line: /health and this one.
    expect(lines.map((l) => l.path)).toEqual(['/health', '/tmdb/movies/550']);
  });
});
