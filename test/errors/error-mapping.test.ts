/**
 * How the relay answers when things go wrong: every mapping of issue #2, validation before any
 * upstream call, and the TVDB token lifecycle under concurrency.
 */
import { describe, expect, test } from 'bun:test';
import { useRelayHarness } from '../support/harness.ts';
import { rawGet } from '../support/raw-http.ts';
import { TestClock, type RelayUnderTest } from '../support/relay.ts';

const harness = useRelayHarness({ UPSTREAM_TIMEOUT_MS: '400' });
const start = (overrides: Record<string, string> = {}, now?: () => number) => harness.start(overrides, now);

const portOf = (r: RelayUnderTest) => Number(new URL(r.baseUrl).port);

describe('upstream errors', () => {
  test('the relay\'s own key rejected by TMDB (401 code 7) -> 502, and the key appears nowhere', async () => {
    const r = await start({ TMDB_API_KEY: 'wrong-key-but-long-enough' });
    const response = await r.get('/tmdb/movies/550');
    expect(response.status).toBe(502);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ error: "Upstream rejected the relay's credentials", upstream: 'tmdb' });
    expect(text).not.toContain('wrong-key');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(r.logs.join('\n')).not.toContain('wrong-key-but-long-enough');
  });

  test('an upstream 403 is the relay\'s problem too -> 502', async () => {
    const r = await start();
    harness.fake.addFault({ upstream: 'tmdb', pathPrefix: '/3/movie/550', fault: { kind: 'status', status: 403, body: '{"status_code":3}' } });
    expect((await r.get('/tmdb/movies/550')).status).toBe(502);
  });

  test('other upstream 4xx and 5xx pass through with their status and body', async () => {
    const r = await start();
    const body400 = '{"success":false,"status_code":22,"status_message":"Invalid page: Pages start at 1 and max at 500. They are expected to be an integer."}';
    harness.fake.addFault({ upstream: 'tmdb', pathPrefix: '/3/movie/popular', fault: { kind: 'status', status: 400, body: body400 }, times: 1 });
    const bad = await r.get('/tmdb/movies/popular', { headers: { 'accept-encoding': 'identity' } });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toBe(body400);

    harness.fake.addFault({ upstream: 'tmdb', pathPrefix: '/3/tv/popular', fault: { kind: 'status', status: 500, body: '{"status_code":11,"status_message":"Internal error"}' }, times: 1 });
    const broken = await r.get('/tmdb/tv/popular');
    expect(broken.status).toBe(500);
    expect(await broken.json()).toEqual({ status_code: 11, status_message: 'Internal error' });

    const missing = await r.get('/tvdb/series/900000005');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ status: 'failure', data: null });
  });

  test('timeout -> 504 within the configured timeout', async () => {
    const r = await start();
    harness.fake.addFault({ upstream: 'tmdb', pathPrefix: '/3/movie/550', fault: { kind: 'hang' } });
    const started = performance.now();
    const response = await r.get('/tmdb/movies/550');
    const elapsed = performance.now() - started;
    expect(response.status).toBe(504);
    expect(await response.json()).toEqual({ error: 'Upstream timed out', upstream: 'tmdb' });
    expect(elapsed).toBeGreaterThanOrEqual(390);
    expect(elapsed).toBeLessThan(2_000);
  });

  test('connection refused -> 502 Upstream unreachable, without the URL', async () => {
    const r = await start({ TMDB_BASE_URL: 'http://127.0.0.1:9/3' });
    const response = await r.get('/tmdb/movies/550');
    expect(response.status).toBe(502);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: 'Upstream unreachable', upstream: 'tmdb' });
    expect(text).not.toContain('127.0.0.1');
  });

  test('unknown route -> 404 JSON', async () => {
    const r = await start();
    for (const path of ['/nope', '/tmdb', '/tmdb/movies/550/credits', '/tvdb/series/1/episodes/default/page/2']) {
      const response = await r.get(path);
      expect(response.status).toBe(404);
      // The contract's body, plus where to look.
      expect(await response.json()).toEqual({ error: 'Not found', docs: '/swagger' });
    }
    expect(harness.fake.requests).toHaveLength(0);
  });
});

describe('validation happens before any upstream call', () => {
  const badTargets = [
    '/tmdb/movies/abc',
    '/tmdb/movies/-1',
    '/tmdb/movies/1.5',
    '/tmdb/movies/12345678901',
    '/tmdb/movies/0550',
    '/tmdb/tv/shows/1396/01',
    '/tmdb/movies/1%2F..%2F..%2Fconfiguration',
    '/tmdb/movies/550%2Fimages',
    '/tmdb/movies/550%00',
    '/tmdb/watch/providers/person',
    '/tmdb/watch/providers/MOVIE',
    '/tmdb/tv/shows/1396/one',
    '/tmdb/tv/shows/1396/1/first',
    '/tvdb/series/1%2Fextended',
    '/tvdb/series/81189/episodes/bogus',
    '/tvdb/series/81189/episodes/..%2F..%2Fseries',
    '/tvdb/artwork/%2e%2e%2flogin',
    '/tmdb/movies/search?query=',
    '/tmdb/movies/popular?page=0',
    '/tmdb/movies/popular?page=501',
    '/tmdb/movies/550?language=en-US%0d%0aX-Injected:%201',
    '/tvdb/series/81189/episodes?airDate=yesterday',
    '/tvdb/search?query=x&type=episode',
    '/tmdb/movies/550?append_to_response=credits&append_to_response=images',
    '/tmdb/movies/550?query=%E0%A4%A',
  ];

  test.each(badTargets)('GET %s -> 400 JSON, no upstream call', async (target) => {
    const r = harness.relay ?? (await start());
    const response = await rawGet(portOf(r), target);
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toContain('application/json');
    expect(JSON.parse(response.body).error).toBeString();
    expect(harness.fake.requests).toHaveLength(0);
  });

  // The server resolves dot segments (even encoded ones) before routing, so these land on another
  // path: a 404 there, or a 400 where they still hit a route. Never an upstream call.
  test.each(['/tmdb/movies/%2E%2E', '/tmdb/movies/..', '/tmdb/movies/550/../../configuration', '/tvdb/series/%2e%2e/%2e%2e/login'])(
    'GET %s -> 4xx JSON, no upstream call',
    async (target) => {
      const r = harness.relay ?? (await start());
      const response = await rawGet(portOf(r), target);
      expect([400, 404]).toContain(response.status);
      expect(JSON.parse(response.body).error).toBeString();
      expect(harness.fake.requests).toHaveLength(0);
    },
  );
});

describe('TVDB token', () => {
  test('revoked mid-run: many concurrent requests, no client error, exactly one new login', async () => {
    const r = await start({ UPSTREAM_MAX_CONCURRENCY: '100', TVDB_RATE_LIMIT: '1000', TVDB_RATE_BURST: '1000' });
    expect((await r.get('/tvdb/series/1')).status).toBe(200);
    expect(harness.fake.logins()).toHaveLength(1);
    harness.fake.revokeTvdbTokens();
    const responses = await Promise.all(Array.from({ length: 40 }, (_, i) => r.get(`/tvdb/series/${100 + i}`)));
    expect(responses.map((res) => res.status)).toEqual(Array(40).fill(200));
    expect(harness.fake.logins()).toHaveLength(2);
  });

  test('expiry by exp: the relay logs in again before the token lapses, so no request meets a 401', async () => {
    const clock = new TestClock();
    await harness.replaceFake({ now: clock.now, tvdbTokenTtlSeconds: 30 * 86_400 });
    const r = await start({}, clock.now);
    expect((await r.get('/tvdb/series/1')).status).toBe(200);
    clock.advance(29.5 * 86_400_000); // inside the last day before exp
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => r.get(`/tvdb/series/${200 + i}`)));
    expect(responses.every((res) => res.status === 200)).toBe(true);
    expect(harness.fake.logins()).toHaveLength(2);
    const unauthorized = harness.fake.dataCalls('tvdb').length - 21;
    expect(unauthorized).toBe(0); // every data call succeeded on its first try
  });

  test('a data route that keeps answering 401 is retried exactly once, never in a loop', async () => {
    const r = await start();
    harness.fake.addFault({ upstream: 'tvdb', pathPrefix: '/v4/series/7', fault: { kind: 'status', status: 401, body: '{"status":"failure","message":"Unauthorized","data":null}' } });
    const response = await r.get('/tvdb/series/7');
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ error: "Upstream rejected the relay's credentials" });
    expect(harness.fake.dataCalls('tvdb').filter((c) => c.path === '/v4/series/7')).toHaveLength(2);
    expect(harness.fake.logins()).toHaveLength(2);
  });

  test('an invalid TVDB key -> 502, and /login is not hammered', async () => {
    const r = await start({ TVDB_API_KEY: 'not-the-right-key' });
    for (let i = 0; i < 5; i++) {
      const response = await r.get(`/tvdb/series/${i + 1}`);
      expect(response.status).toBe(502);
      expect(await response.text()).not.toContain('not-the-right-key');
    }
    expect(harness.fake.logins()).toHaveLength(1);
    expect(harness.fake.dataCalls('tvdb')).toHaveLength(0);
  });

  test('TVDB down at start: the relay starts, /health is ok, TVDB routes say unreachable', async () => {
    const r = await start({ TVDB_BASE_URL: 'http://127.0.0.1:9/v4' });
    expect((await r.get('/health')).status).toBe(200);
    const response = await r.get('/tvdb/series/1');
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ error: 'Upstream unreachable', upstream: 'tvdb' });
    expect((await r.get('/tmdb/movies/550')).status).toBe(200);
  });
});
