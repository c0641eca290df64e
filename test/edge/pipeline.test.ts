/**
 * The one request pipeline: the same answers in-process (`relay.fetch`) as over HTTP, access control
 * inside it, bookkeeping on every path (errors included), and the fixes that came with it: stale
 * refreshes that back off while the upstream is down, `private` answers behind access keys, and any
 * accepted place holding a valid key.
 */
import { describe, expect, test } from 'bun:test';
import { useRelayHarness } from '../support/harness.ts';

const KEY = 'relay-access-key-0123456789';
const harness = useRelayHarness({ LOG_LEVEL: 'info' });

const inProcess = (path: string, init?: RequestInit) => harness.relay!.relay!.fetch(new Request(`http://relay.test${path}`, init));

describe('in-process: relay.fetch runs the whole pipeline', () => {
  test('access keys apply in-process exactly as over HTTP', async () => {
    await harness.start({ RELAY_ACCESS_KEYS: KEY });
    const denied = await inProcess('/tmdb/movies/550');
    expect(denied.status).toBe(401);
    expect(denied.headers.get('x-request-id')).toBeTruthy();
    expect((await harness.relay!.get('/tmdb/movies/550')).status).toBe(401);
    const allowed = await inProcess('/tmdb/movies/550', { headers: { 'x-relay-key': KEY } });
    expect(allowed.status).toBe(200);
    expect(JSON.parse(await allowed.text())).toMatchObject({ id: 550 });
    expect((await inProcess('/health')).status).toBe(200);
  });

  test('the hit memo learns from what the app answered, in-process too', async () => {
    await harness.start();
    expect((await inProcess('/tmdb/movies/550?language=en-US')).headers.get('x-cache')).toBe('MISS');
    expect(harness.relay!.relay!.stats().tables.hit_memo.entries).toBe(1);
    const hit = await inProcess('/tmdb/movies/550?language=en-US');
    expect(hit.headers.get('x-cache')).toBe('HIT');
    expect(hit.headers.get('server-timing')).toMatch(/^cache;desc=HIT, total;dur=/);
  });

  test('an error thrown inside the pipeline still gets a request id, a JSON 500, a log line and a metric', async () => {
    const r = await harness.start();
    await inProcess('/tmdb/movies/550'); // the memo now knows this URL and will read the method
    const exploding = new Request('http://relay.test/tmdb/movies/550');
    Object.defineProperty(exploding, 'method', {
      get() {
        throw new Error('boom');
      },
    });
    const response = await harness.relay!.relay!.fetch(exploding);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: 'Internal error' });
    expect(response.headers.get('x-request-id')).toBeTruthy();
    await Bun.sleep(0);
    const lines = r.logs.map((line) => JSON.parse(line) as { msg: string; status?: number; reason?: string });
    expect(lines.some((l) => l.msg === 'unhandled error')).toBe(true);
    expect(lines.some((l) => l.msg === 'request' && l.status === 500 && l.reason === 'internal_error')).toBe(true);
    const metrics = await (await r.get('/metrics')).text();
    expect(metrics).toMatch(/relay_http_requests_total\{route="tmdb\.movie",status="500",cache="HIT"\} 1|relay_http_requests_total\{route="[^"]+",status="500"[^}]*\} 1/);
  });
});

describe('stale refreshes while the upstream is down', () => {
  test('with the breaker open, 200 requests for a stale key make no refresh and no warning each', async () => {
    const r = await harness.start({ CACHE_TTL_DETAILS: '1s/1d', BREAKER_THRESHOLD: '2', BREAKER_COOLDOWN: '30s', UPSTREAM_TIMEOUT_MS: '300', LOG_LEVEL: 'warn' });
    expect((await r.get('/tmdb/movies/600')).status).toBe(200);
    harness.fake.addFault({ upstream: 'tmdb', fault: { kind: 'status', status: 500 } });
    for (let i = 0; i < 2; i++) expect((await r.get(`/tmdb/movies/${601 + i}`)).status).toBe(500);
    await Bun.sleep(1_050); // the cached entry goes stale; the breaker stays open for 30 s
    const callsBefore = harness.fake.dataCalls('tmdb').length;
    const answers = await Promise.all(Array.from({ length: 200 }, () => r.get('/tmdb/movies/600')));
    expect(answers.every((a) => a.status === 200 && a.headers.get('x-cache') === 'STALE')).toBe(true);
    await Bun.sleep(50);
    expect(harness.fake.dataCalls('tmdb').length).toBe(callsBefore);
    // One line when the stale answers begin (the rest go into a summary a minute), not one per request.
    expect(r.logs.filter((line) => line.includes('answering stale copies while the upstream fails'))).toHaveLength(1);
    expect(r.logs.filter((line) => line.includes('circuit breaker opened'))).toHaveLength(1);
    const stats = r.relay!.stats();
    expect(stats.cache.refreshes).toBe(0);
    expect(stats.cache.refreshes_deferred).toBe(200);
  });

  test('a failing refresh backs off per key: one upstream call and one warning, not one per request', async () => {
    const r = await harness.start({ CACHE_TTL_DETAILS: '1s/1d', BREAKER_THRESHOLD: '1000', LOG_LEVEL: 'debug' });
    expect((await r.get('/tmdb/movies/610?language=de-DE')).status).toBe(200);
    await Bun.sleep(1_050);
    harness.fake.reset();
    harness.fake.addFault({ upstream: 'tmdb', fault: { kind: 'status', status: 502 } });
    for (let i = 0; i < 50; i++) {
      expect((await r.get('/tmdb/movies/610?language=de-DE')).headers.get('x-cache')).toBe('STALE');
      await Bun.sleep(1);
    }
    expect(harness.fake.dataCalls('tmdb')).toHaveLength(1);
    const failures = r.logs.filter((line) => line.includes('background refresh failed'));
    expect(failures).toHaveLength(1);
    // The detail line names the path, never the query.
    expect(failures[0]).toContain('tmdb:/movie/610');
    expect(failures[0]).not.toContain('de-DE');
    expect(r.logs.filter((line) => line.includes('"level":"warn"') && line.includes('answering stale copies'))).toHaveLength(1);
  });
});

describe('access keys', () => {
  test('answers are private when keys are on, public otherwise', async () => {
    const open = await harness.start();
    expect((await open.get('/tmdb/movies/550')).headers.get('cache-control')).toStartWith('public, max-age=');
    await harness.stopRelay();
    const gated = await harness.start({ RELAY_ACCESS_KEYS: KEY });
    const miss = await gated.get('/tmdb/movies/550', { headers: { 'x-relay-key': KEY } });
    const hit = await gated.get('/tmdb/movies/550', { headers: { 'x-relay-key': KEY } });
    for (const response of [miss, hit]) expect(response.headers.get('cache-control')).toStartWith('private, max-age=');
  });

  test('any accepted place holding a valid key will do (a client Bearer of its own plus the relay key as api_key)', async () => {
    const r = await harness.start({ RELAY_ACCESS_KEYS: KEY });
    const ownToken = 'eyJhbGciOiJIUzI1NiJ9.client-own-tmdb-token.sig';
    expect((await r.get(`/tmdb/movies/550?api_key=${KEY}`, { headers: { authorization: `Bearer ${ownToken}` } })).status).toBe(200);
    expect((await r.get('/tmdb/movies/550', { headers: { authorization: `bearer ${KEY}` } })).status).toBe(200);
    expect((await r.get('/tmdb/movies/550', { headers: { authorization: `Bearer ${ownToken}`, 'x-relay-key': 'wrong-key-0123456789' } })).status).toBe(401);
    // The client's own token never travels upstream.
    for (const call of harness.fake.dataCalls('tmdb')) expect(JSON.stringify(call.headers)).not.toContain(ownToken);
  });
});
