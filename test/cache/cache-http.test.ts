/**
 * Cache behaviour over real HTTP: the relay (in this process, with a hand-moved clock) in front of
 * the fake upstream. Every assertion about "one upstream call" counts what the fake really received.
 */
import { describe, expect, test } from 'bun:test';
import { useRelayHarness } from '../support/harness.ts';
import { TestClock, type RelayUnderTest } from '../support/relay.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const GZIP = { 'accept-encoding': 'gzip' };
const IDENTITY = { 'accept-encoding': 'identity' };

const harness = useRelayHarness({
  UPSTREAM_TIMEOUT_MS: '500',
  // These tests are about the cache, not the upstream budget.
  TMDB_RATE_LIMIT: '10000',
  TMDB_RATE_BURST: '10000',
  UPSTREAM_MAX_CONCURRENCY: '1000',
});
let relay: RelayUnderTest;
let clock = new TestClock();

/** A fresh relay per test: empty cache, clock at its start. */
async function freshRelay(env: Record<string, string> = {}) {
  clock = new TestClock();
  relay = await harness.start(env, clock.now);
  return relay;
}

const tmdbCalls = (path: string) => harness.fake.dataCalls('tmdb').filter((call) => call.path === path).length;

async function waitFor(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await Bun.sleep(5);
  }
}

describe('canonical keys', () => {
  test('order and encoding variants of one request make one upstream call', async () => {
    await freshRelay();
    const variants = [
      '/tmdb/movies/550?language=en-US&append_to_response=credits%2Calternative_titles',
      '/tmdb/movies/550?append_to_response=alternative_titles,credits&language=en-US',
      '/tmdb/movies/550?append_to_response=credits,%20alternative_titles,credits&language=en-US&api_key=whatever',
      '/tmdb/movies/550?language=en-US&append_to_response=alternative_titles%2Ccredits&page=',
    ];
    const bodies = [];
    for (const path of variants) {
      const response = await relay.get(path, { headers: IDENTITY });
      expect(response.status).toBe(200);
      bodies.push(await response.text());
    }
    expect(tmdbCalls('/3/movie/550')).toBe(1);
    expect(new Set(bodies).size).toBe(1);

    await relay.get('/tmdb/movies/search?query=the+office&page=1');
    await relay.get('/tmdb/movies/search?page=1&query=the%20office');
    expect(tmdbCalls('/3/search/movie')).toBe(1);
  });
});

describe('only the parameters an endpoint knows are forwarded and keyed', () => {
  test('unknown parameters (cache busters) are dropped from the key and the upstream call', async () => {
    await freshRelay();
    for (let i = 0; i < 5; i++) expect((await relay.get(`/tmdb/movies/550?cb=${i}&language=en-US`)).status).toBe(200);
    expect(tmdbCalls('/3/movie/550')).toBe(1);
    const [call] = harness.fake.dataCalls('tmdb');
    expect(call?.query).toEqual({ language: 'en-US', api_key: harness.fake.options.tmdbApiKey });
  });

  test("parameters from the upstream's spec and from the route table are all forwarded", async () => {
    await freshRelay();
    const cases: [string, string, Record<string, string>][] = [
      // The spec lists timezone on on_the_air; the route table documents region.
      ['/tmdb/tv/on_the_air?timezone=Europe%2FBerlin&region=DE&page=2', '/3/tv/on_the_air', { timezone: 'Europe/Berlin', region: 'DE', page: '2' }],
      // Not in the spec for trending, honoured by TMDB: page and region.
      ['/tmdb/movies/trending?page=3&region=US&language=de-DE', '/3/trending/movie/week', { page: '3', region: 'US', language: 'de-DE' }],
      // include_image_language on details filters appended images.
      ['/tmdb/movies/551?append_to_response=images&include_image_language=en,null', '/3/movie/551', { append_to_response: 'images', include_image_language: 'en,null' }],
      ['/tmdb/movies/discover?with_watch_providers=8&watch_region=US&sort_by=popularity.desc', '/3/discover/movie', { with_watch_providers: '8', watch_region: 'US', sort_by: 'popularity.desc' }],
    ];
    for (const [path, upstreamPath, expected] of cases) {
      harness.fake.reset();
      expect((await relay.get(path)).status, path).toBe(200);
      const [call] = harness.fake.dataCalls('tmdb');
      expect(call?.path).toBe(upstreamPath);
      const { api_key: _key, ...forwarded } = call?.query ?? {};
      expect(forwarded, path).toEqual(expected);
    }
    harness.fake.reset();
    const tvdb = await relay.get('/tvdb/series/78878/episodes?season=1&page=0&utm_source=x');
    expect(tvdb.status).toBe(200);
    expect(harness.fake.dataCalls('tvdb')[0]?.query).toEqual({ season: '1', page: '0' });
  });
});

describe('coalescing', () => {
  test('200 concurrent cold requests make exactly one upstream call and get the same answer', async () => {
    await freshRelay();
    harness.fake.addFault({ upstream: 'tmdb', pathPrefix: '/3/movie/603', fault: { kind: 'delay', ms: 150 } });
    const responses = await Promise.all(Array.from({ length: 200 }, () => relay.get('/tmdb/movies/603?language=en-US', { headers: IDENTITY })));
    const bodies = await Promise.all(responses.map((r) => r.text()));
    expect(tmdbCalls('/3/movie/603')).toBe(1);
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(new Set(bodies).size).toBe(1);
    const states = responses.map((r) => r.headers.get('x-cache'));
    expect(states.filter((s) => s === 'MISS')).toHaveLength(1);
    expect(states.filter((s) => s === 'COALESCED')).toHaveLength(199);
  });
});

describe('freshness, stale-while-revalidate and stale-if-error', () => {
  test('fresh answers are HITs with age and cache-control', async () => {
    await freshRelay();
    const first = await relay.get('/tmdb/movies/550');
    expect(first.headers.get('x-cache')).toBe('MISS');
    clock.advance(90_000);
    const second = await relay.get('/tmdb/movies/550');
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(second.headers.get('age')).toBe('90');
    // max-age is the whole fresh lifetime; `age` says how much of it is used (RFC 9111 4.2.3).
    expect(second.headers.get('cache-control')).toBe(
      `public, max-age=${24 * 3600}, stale-while-revalidate=${30 * 24 * 3600}, stale-if-error=${30 * 24 * 3600}`,
    );
    expect(tmdbCalls('/3/movie/550')).toBe(1);
  });

  test('after the fresh period: the stale entry at once, plus exactly one background refresh', async () => {
    await freshRelay();
    await relay.get('/tmdb/movies/550');
    clock.advance(25 * HOUR);
    harness.fake.addFault({ upstream: 'tmdb', pathPrefix: '/3/movie/550', fault: { kind: 'delay', ms: 100 } });
    const staleAnswers = await Promise.all(Array.from({ length: 20 }, () => relay.get('/tmdb/movies/550')));
    expect(staleAnswers.every((r) => r.status === 200 && r.headers.get('x-cache') === 'STALE')).toBe(true);
    // Past its fresh lifetime for any downstream cache too: age > max-age.
    expect(Number(staleAnswers[0]?.headers.get('age'))).toBeGreaterThan(24 * 3600);
    expect(staleAnswers[0]?.headers.get('cache-control')).toStartWith(`public, max-age=${24 * 3600},`);
    await waitFor(() => tmdbCalls('/3/movie/550') === 2);
    await waitFor(() => harness.fake.inFlight('tmdb') === 0);
    await Bun.sleep(20);
    const after = await relay.get('/tmdb/movies/550');
    expect(after.headers.get('x-cache')).toBe('HIT');
    expect(after.headers.get('age')).toBe('0');
    expect(tmdbCalls('/3/movie/550')).toBe(2);
  });

  for (const [name, fault] of [
    ['a 500', { kind: 'status', status: 500 }],
    ['a 429', { kind: 'rate-limit', retryAfter: '1' }],
    ['a hang (timeout)', { kind: 'hang' }],
    ['a connection reset', { kind: 'reset' }],
    ['an HTML page', { kind: 'html' }],
  ] as const) {
    test(`upstream answering ${name}: clients keep getting the stale entry with 200`, async () => {
      await freshRelay();
      const original = await (await relay.get('/tmdb/tv/shows/1396', { headers: IDENTITY })).text();
      clock.advance(2 * DAY);
      harness.fake.addFault({ upstream: 'tmdb', pathPrefix: '/3/tv/1396', fault });
      for (let i = 0; i < 3; i++) {
        const response = await relay.get('/tmdb/tv/shows/1396', { headers: IDENTITY });
        expect(response.status).toBe(200);
        expect(response.headers.get('x-cache')).toBe('STALE');
        expect(await response.text()).toBe(original);
        await waitFor(() => harness.fake.inFlight('tmdb') === 0 || fault.kind === 'hang', 1_500);
      }
    });
  }

  test('beyond the stale window: the mapped error, and the entry is gone', async () => {
    await freshRelay();
    await relay.get('/tmdb/tv/shows/1396');
    clock.advance(24 * HOUR + 30 * DAY + 1);
    harness.fake.addFault({ upstream: 'tmdb', pathPrefix: '/3/tv/1396', fault: { kind: 'status', status: 503, body: '{"status_code":9,"status_message":"Service offline"}' }, times: 1 });
    const failed = await relay.get('/tmdb/tv/shows/1396');
    expect(failed.status).toBe(503);
    expect(failed.headers.get('cache-control')).toBe('no-store');
    expect(await failed.json()).toEqual({ status_code: 9, status_message: 'Service offline' });

    harness.fake.addFault({ upstream: 'tmdb', pathPrefix: '/3/tv/1396', fault: { kind: 'hang' }, times: 1 });
    const timedOut = await relay.get('/tmdb/tv/shows/1396');
    expect(timedOut.status).toBe(504);
    expect(await timedOut.json()).toEqual({ error: 'Upstream timed out', upstream: 'tmdb' });
  });
});

describe('what is stored', () => {
  test('a 404 is cached for the negative TTL (default 1 h)', async () => {
    await freshRelay();
    const first = await relay.get('/tmdb/movies/900000001');
    expect(first.status).toBe(404);
    expect(((await first.json()) as { status_code: number }).status_code).toBe(34);
    const second = await relay.get('/tmdb/movies/900000001');
    expect(second.status).toBe(404);
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(tmdbCalls('/3/movie/900000001')).toBe(1);
    clock.advance(HOUR + 1);
    await relay.get('/tmdb/movies/900000001');
    await waitFor(() => tmdbCalls('/3/movie/900000001') === 2);
    const stats = (await (await relay.get('/stats')).json()) as { cache: { negative_hits: number } };
    expect(stats.cache.negative_hits).toBe(1);
  });

  test('CACHE_NEGATIVE_TTL=0 turns 404 caching off', async () => {
    await freshRelay({ CACHE_NEGATIVE_TTL: '0' });
    await relay.get('/tmdb/movies/900000002');
    await relay.get('/tmdb/movies/900000002');
    expect(tmdbCalls('/3/movie/900000002')).toBe(2);
  });

  for (const [name, fault, expectedStatus] of [
    ['5xx', { kind: 'status', status: 500 }, 500],
    ['HTML 200', { kind: 'html' }, 502],
    ['non-JSON 200', { kind: 'status', status: 200, body: 'definitely not json', headers: { 'content-type': 'application/json' } }, 502],
    ['JSON 200 cut short', { kind: 'status', status: 200, body: '{"id":11,"title":"Cut', headers: { 'content-type': 'application/json' } }, 502],
    ['blank JSON 200', { kind: 'status', status: 200, body: '  \n', headers: { 'content-type': 'application/json' } }, 502],
  ] as const) {
    test(`a ${name} is never cached`, async () => {
      await freshRelay();
      harness.fake.addFault({ upstream: 'tmdb', pathPrefix: '/3/movie/11', fault, times: 1 });
      const first = await relay.get('/tmdb/movies/11');
      expect(first.status).toBe(expectedStatus);
      expect(first.headers.get('cache-control')).toBe('no-store');
      const second = await relay.get('/tmdb/movies/11');
      expect(second.status).toBe(200);
      expect(second.headers.get('x-cache')).toBe('MISS');
      expect(tmdbCalls('/3/movie/11')).toBe(2);
    });
  }

  test('a 429 is never cached: 503 with Retry-After, then a real call once the pause is over', async () => {
    await freshRelay();
    harness.fake.addFault({ upstream: 'tmdb', pathPrefix: '/3/movie/12', fault: { kind: 'rate-limit', retryAfter: '1' }, times: 1 });
    const limited = await relay.get('/tmdb/movies/12');
    expect(limited.status).toBe(503);
    expect(limited.headers.get('retry-after')).toBe('1');
    await Bun.sleep(1_050);
    const after = await relay.get('/tmdb/movies/12');
    expect(after.status).toBe(200);
    expect(tmdbCalls('/3/movie/12')).toBe(2);
  });

  test('unsettled seasons (airing soon, placeholder names) are fresh for 6 h, settled ones for 24 h', async () => {
    await freshRelay();
    const unsettled = await relay.get('/tmdb/tv/shows/424242/1');
    expect(unsettled.status).toBe(200);
    expect(unsettled.headers.get('cache-control')).toStartWith(`public, max-age=${6 * 3600},`);
    const settled = await relay.get('/tmdb/tv/shows/1396/1');
    expect(settled.headers.get('cache-control')).toStartWith(`public, max-age=${24 * 3600},`);
    const tvdbUnsettled = await relay.get('/tvdb/seasons/424242/extended');
    expect(tvdbUnsettled.headers.get('cache-control')).toStartWith(`public, max-age=${6 * 3600},`);
  });
});

describe('memory bound', () => {
  test('stored bytes and identity copies together never exceed CACHE_MAX_BYTES while filling far past it', async () => {
    await freshRelay({ CACHE_MAX_BYTES: '1MiB' });
    const limit = 1024 * 1024;
    let peak = 0;
    let copiesPeak = 0;
    type Figures = { cache: { memory_bytes: number; identity_copy_bytes: number; size: number; max_bytes: number } };
    for (let id = 1; id <= 400; id++) {
      // Every third client takes identity: its decoded copies count against the same bound.
      const path = `/tmdb/movies/${id}?append_to_response=credits,images,videos`;
      const response = await relay.get(path, { headers: id % 3 === 0 ? IDENTITY : GZIP });
      expect(response.status).toBe(200);
      await response.arrayBuffer();
      if (id % 3 === 0) await (await relay.get(path, { headers: IDENTITY })).arrayBuffer(); // a hit: decoded and kept
      if (id % 50 === 0) {
        const { cache } = (await (await relay.get('/stats')).json()) as Figures;
        peak = Math.max(peak, cache.memory_bytes + cache.identity_copy_bytes);
        copiesPeak = Math.max(copiesPeak, cache.identity_copy_bytes);
        expect(cache.max_bytes).toBe(limit);
        expect(cache.memory_bytes + cache.identity_copy_bytes).toBeLessThanOrEqual(limit);
      }
    }
    expect(copiesPeak).toBeGreaterThan(limit / 8 / 2); // the copies were used, up to their share
    const { cache } = (await (await relay.get('/stats')).json()) as { cache: { memory_bytes: number; size: number } };
    expect(cache.size).toBeLessThan(400); // evictions happened
    expect(peak).toBeGreaterThan(limit * 0.8); // and the cache was really used up to its bound
    // The most recent entry survived; the first was evicted.
    expect((await relay.get('/tmdb/movies/400?append_to_response=credits,images,videos')).headers.get('x-cache')).toBe('HIT');
    expect((await relay.get('/tmdb/movies/1?append_to_response=credits,images,videos')).headers.get('x-cache')).toBe('MISS');
  });
});

describe('representations', () => {
  test('a gzip answer from the upstream is stored and sent as it came (no second compression); identity clients get its decoded bytes', async () => {
    await freshRelay();
    const path = '/tmdb/movies/604?append_to_response=credits';
    const fromRelay = new Uint8Array(await (await fetch(relay.baseUrl + path, { headers: GZIP, decompress: false })).arrayBuffer());
    const upstream = await fetch(`${harness.fake.tmdbBaseUrl}/movie/604?append_to_response=credits&api_key=${harness.fake.options.tmdbApiKey}`, { headers: GZIP, decompress: false });
    expect(upstream.headers.get('content-encoding')).toBe('gzip');
    const fromUpstream = new Uint8Array(await upstream.arrayBuffer());
    expect(Bun.hash(fromRelay)).toBe(Bun.hash(fromUpstream));
    expect(await (await relay.get(path, { headers: IDENTITY })).text()).toBe(new TextDecoder().decode(Bun.gunzipSync(fromUpstream)));
  });

  test('identity hits are served from one decoded copy, keyed by content: an edit gets a new copy, never the old bytes', async () => {
    await freshRelay();
    type Tables = { tables: { identity_copies: { entries: number; bytes: number } } };
    const copies = async () => ((await (await relay.get('/stats')).json()) as Tables).tables.identity_copies;
    const first = await (await relay.get('/tmdb/movies/603', { headers: IDENTITY })).text();
    for (let i = 0; i < 5; i++) expect(await (await relay.get('/tmdb/movies/603', { headers: IDENTITY })).text()).toBe(first);
    expect((await copies()).entries).toBe(1);
    expect((await copies()).bytes).toBeGreaterThan(first.length);

    harness.fake.editRecord('tmdb', 'movie', 603);
    clock.advance(2 * DAY);
    await (await relay.get('/tmdb/movies/603', { headers: GZIP })).arrayBuffer(); // stale: refresh in the background
    await waitFor(() => tmdbCalls('/3/movie/603') === 2);
    await Bun.sleep(20);
    const edited = await (await relay.get('/tmdb/movies/603', { headers: IDENTITY })).text();
    expect(edited).not.toBe(first);
    const viaGzip = await (await relay.get('/tmdb/movies/603', { headers: GZIP })).text();
    expect(edited).toBe(viaGzip);
  });

  test('gzip and identity clients get identical decoded bytes; gzip is sent compressed', async () => {
    await freshRelay();
    const plain = await relay.get('/tmdb/tv/shows/1399/1', { headers: IDENTITY });
    const plainBytes = new Uint8Array(await plain.arrayBuffer());
    expect(plain.headers.get('content-encoding')).toBeNull();

    // Read the raw gzip bytes (fetch would decode them), to check they really are compressed.
    const gz = await fetch(`${relay.baseUrl}/tmdb/tv/shows/1399/1`, { headers: GZIP, decompress: false });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(gz.headers.get('vary')).toBe('accept-encoding');
    const raw = new Uint8Array(await gz.arrayBuffer());
    expect(raw.byteLength).toBeLessThan(plainBytes.byteLength / 2);
    expect(Buffer.from(Bun.gunzipSync(raw)).equals(Buffer.from(plainBytes))).toBe(true);
    expect(gz.headers.get('etag')).not.toBe(plain.headers.get('etag'));
  });

  test('304 for a matching If-None-Match (either representation), 200 otherwise', async () => {
    await freshRelay();
    const first = await relay.get('/tmdb/movies/550', { headers: IDENTITY });
    const etag = first.headers.get('etag') as string;
    expect(etag).toMatch(/^"[0-9a-z-]+"$/);
    const notModified = await relay.get('/tmdb/movies/550', { headers: { ...IDENTITY, 'if-none-match': etag } });
    expect(notModified.status).toBe(304);
    expect(await notModified.text()).toBe('');
    expect(notModified.headers.get('etag')).toBe(etag);
    const viaGzipTag = await relay.get('/tmdb/movies/550', { headers: { ...GZIP, 'if-none-match': `W/${etag.slice(0, -1)}-gz"` } });
    expect(viaGzipTag.status).toBe(304);
    // A cached 404 has no current representation: If-None-Match: * does not turn it into a 304.
    await relay.get('/tmdb/movies/900000009');
    const missing = await relay.get('/tmdb/movies/900000009', { headers: { 'if-none-match': '*' } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-cache')).toBe('HIT');
    const changed = await relay.get('/tmdb/movies/550', { headers: { 'if-none-match': '"something-else"' } });
    expect(changed.status).toBe(200);
    expect(tmdbCalls('/3/movie/550')).toBe(1);
  });

  test('HEAD answers like GET without a body', async () => {
    await freshRelay();
    const head = await relay.get('/tmdb/movies/550', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('x-cache')).toBe('MISS');
    expect(await head.text()).toBe('');
    const get = await relay.get('/tmdb/movies/550');
    expect(get.headers.get('x-cache')).toBe('HIT');
  });
});

describe('/stats', () => {
  test('counts hits, misses, stale answers, coalesced waiters and upstream calls', async () => {
    await freshRelay();
    harness.fake.addFault({ upstream: 'tmdb', pathPrefix: '/3/movie/550', fault: { kind: 'delay', ms: 50 }, times: 1 });
    await Promise.all([relay.get('/tmdb/movies/550'), relay.get('/tmdb/movies/550'), relay.get('/tmdb/movies/550')]);
    await relay.get('/tmdb/movies/550');
    clock.advance(25 * HOUR);
    await relay.get('/tmdb/movies/550');
    type Stats = { service: string; cache: Record<string, number>; upstreams: { tmdb: { calls: number } } };
    const readStats = async () => (await (await relay.get('/stats')).json()) as Stats;
    // The relay counts an upstream call once its answer is read: wait for the refresh to land.
    let stats = await readStats();
    for (let i = 0; i < 100 && stats.upstreams.tmdb.calls < 2; i++) {
      await Bun.sleep(10);
      stats = await readStats();
    }
    expect(stats.service).toBe('metadata-relay');
    expect(stats.cache).toMatchObject({ hits: 1, misses: 1, coalesced: 2, stale: 1, total_requests: 5, size: 1 });
    // One definition everywhere: answers that cost no upstream call of their own (hits, stale, coalesced).
    expect(stats.cache.hit_rate_pct).toBe(80);
    expect(stats.cache.memory_bytes).toBeGreaterThan(0);
    expect(stats.upstreams.tmdb.calls).toBe(2);
  });
});
