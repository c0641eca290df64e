/**
 * Client-facing protections: per-client budgets on cache misses (with trusted-proxy identity),
 * optional access keys, and request hygiene (URL length, parameter count, methods).
 */
import { describe, expect, test } from 'bun:test';
import { useRelayHarness } from '../support/harness.ts';
import { rawGet, rawRequest } from '../support/raw-http.ts';

const harness = useRelayHarness({});
const start = (overrides: Record<string, string>) => harness.start(overrides);

describe('client rate limit (CLIENT_RATE_LIMIT)', () => {
  test('is counted on misses only: hits stay free, the 6th miss is refused with 429 and Retry-After', async () => {
    const r = await start({ CLIENT_RATE_LIMIT: '5/60s' });
    for (let id = 1; id <= 5; id++) expect((await r.get(`/tmdb/movies/${id}`)).status).toBe(200);
    for (let i = 0; i < 20; i++) expect((await r.get('/tmdb/movies/3')).status).toBe(200); // hits
    const refused = await r.get('/tmdb/movies/6');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(12);
    expect(await refused.json()).toMatchObject({ error: 'Too many requests' });
    expect(harness.fake.dataCalls('tmdb')).toHaveLength(5);
  });

  test('a spoofed X-Forwarded-For from an untrusted peer changes nothing', async () => {
    const r = await start({ CLIENT_RATE_LIMIT: '2/60s' });
    const statuses = [];
    for (let id = 1; id <= 4; id++) {
      statuses.push((await r.get(`/tmdb/movies/${id}`, { headers: { 'x-forwarded-for': `203.0.113.${id}`, 'fly-client-ip': `198.51.100.${id}` } })).status);
    }
    expect(statuses).toEqual([200, 200, 429, 429]);
  });

  test('behind a trusted proxy, Fly-Client-IP or the rightmost X-Forwarded-For names the client', async () => {
    const r = await start({ CLIENT_RATE_LIMIT: '2/60s', TRUSTED_PROXIES: '127.0.0.1/32,::1' });
    const as = (headers: Record<string, string>, id: number) => r.get(`/tmdb/movies/${id}`, { headers }).then((res) => res.status);
    // Client A, via X-Forwarded-For (whatever it put on the left is ignored).
    expect(await as({ 'x-forwarded-for': '10.9.9.9, 203.0.113.7' }, 1)).toBe(200);
    expect(await as({ 'x-forwarded-for': '10.9.9.8, 203.0.113.7' }, 2)).toBe(200);
    expect(await as({ 'x-forwarded-for': '203.0.113.7' }, 3)).toBe(429);
    // Client B has its own budget.
    expect(await as({ 'x-forwarded-for': '203.0.113.8' }, 4)).toBe(200);
    // Fly-Client-IP wins over X-Forwarded-For.
    expect(await as({ 'fly-client-ip': '198.51.100.1', 'x-forwarded-for': '203.0.113.7' }, 5)).toBe(200);
    expect(await as({ 'fly-client-ip': '198.51.100.1' }, 6)).toBe(200);
    expect(await as({ 'fly-client-ip': '198.51.100.1' }, 7)).toBe(429);
    // A garbage header falls back to the peer address.
    expect(await as({ 'x-forwarded-for': 'not-an-ip' }, 8)).toBe(200);
  });

  test('is off by default', async () => {
    const r = await start({});
    for (let id = 1; id <= 30; id++) expect((await r.get(`/tmdb/movies/${id}`)).status).toBe(200);
  });
});

describe('access keys (RELAY_ACCESS_KEYS)', () => {
  const KEY = 'relay-access-key-0123456789';
  const OTHER = 'second-access-key-abcdefghij';

  test('every route but /health and /swagger needs a key, given any of the three ways', async () => {
    const r = await start({ RELAY_ACCESS_KEYS: `${KEY}, ${OTHER}` });
    expect((await r.get('/health')).status).toBe(200);
    expect((await r.get('/swagger')).status).toBe(200);
    expect((await r.get('/swagger/json')).status).toBe(200);

    for (const path of ['/tmdb/movies/550', '/stats', '/metrics', '/tvdb/series/1', '/nope']) {
      const refused = await r.get(path);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toContain('Bearer');
      expect(await refused.json()).toMatchObject({ error: 'Unauthorized' });
    }
    expect((await r.get('/tmdb/movies/550', { headers: { authorization: 'Bearer wrong-key-wrong-key' } })).status).toBe(401);
    expect(harness.fake.requests).toHaveLength(0);

    expect((await r.get('/tmdb/movies/550', { headers: { authorization: `Bearer ${KEY}` } })).status).toBe(200);
    expect((await r.get('/tmdb/movies/550', { headers: { 'x-relay-key': OTHER } })).status).toBe(200);
    expect((await r.get(`/tmdb/movies/551?api_key=${KEY}`)).status).toBe(200);
    // The access key given as api_key is the caller's, never forwarded: TMDB sees the relay's own key.
    const calls = harness.fake.dataCalls('tmdb');
    expect(calls.every((c) => c.query.api_key === harness.fake.options.tmdbApiKey)).toBe(true);
    expect(calls.map((c) => c.rawQuery).join('&')).not.toContain(KEY);
    expect(r.logs.join('\n')).not.toContain(KEY);
  });

  test('a short Host header cannot make a private route look public', async () => {
    const r = await start({ RELAY_ACCESS_KEYS: KEY });
    const port = Number(new URL(r.baseUrl).port);
    for (const host of ['x', 'ab', 'abc']) {
      for (const target of ['/swagger/tmdb/movies/550', '/swagger/stats', '/health']) {
        const response = await rawGet(port, target, [`Host: ${host}`]);
        expect(response.status).toBe(400);
        expect(JSON.parse(response.body)).toMatchObject({ error: 'Bad Host header' });
      }
    }
    expect((await rawGet(port, '/health', ['Host: abcd'])).status).toBe(200);
    expect((await rawGet(port, '/tmdb/movies/550', ['Host: abcd'])).status).toBe(401);
    expect(harness.fake.requests).toHaveLength(0);
  });

  test('two Host headers are a 400 (RFC 9112 3.2), on an open relay too, before any upstream call', async () => {
    const r = await start({});
    const port = Number(new URL(r.baseUrl).port);
    for (const hosts of [['Host: a.example', 'Host: b.example'], ['Host: a.example', 'Host: a.example'], ['Host: a.example, b.example']]) {
      const response = await rawGet(port, '/tmdb/movies/550', hosts);
      expect(response.status).toBe(400);
      expect(JSON.parse(response.body), hosts.join(' | ')).toEqual({ error: 'Bad Host header', message: 'The request has more than one Host header (or one with a comma)' });
    }
    expect(harness.fake.requests).toHaveLength(0);
    expect((await rawGet(port, '/tmdb/movies/550', ['Host: a.example'])).status).toBe(200);
  });

  test('keys shorter than 16 characters are refused at start', async () => {
    await expect(start({ RELAY_ACCESS_KEYS: 'short' })).rejects.toThrow('RELAY_ACCESS_KEYS');
  });
});

describe('request hygiene', () => {
  test('an over-long URL is 414, too many parameters 400, both before any upstream call', async () => {
    const r = await start({});
    const port = Number(new URL(r.baseUrl).port);
    const long = await rawGet(port, `/tmdb/movies/search?query=${'a'.repeat(3000)}`);
    expect(long.status).toBe(414);
    expect(JSON.parse(long.body)).toMatchObject({ error: 'URI too long' });
    const many = Array.from({ length: 40 }, (_, i) => `p${i}=1`).join('&');
    const crowded = await rawGet(port, `/tmdb/movies/550?${many}`);
    expect(crowded.status).toBe(400);
    expect(harness.fake.requests).toHaveLength(0);
  });

  test('other methods on a proxy route are 405 with Allow; bodies are ignored', async () => {
    const r = await start({});
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const response = await r.get('/tmdb/movies/550', { method, body: '{"x":1}' });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('GET, HEAD');
    }
    const port = Number(new URL(r.baseUrl).port);
    const withBody = await rawRequest(port, 'GET /tmdb/movies/550 HTTP/1.1', ['Content-Length: 11', 'Content-Type: text/plain'], 'hello world');
    expect(withBody.status).toBe(200);
    expect(harness.fake.dataCalls('tmdb')).toHaveLength(1);
    expect(harness.fake.dataCalls('tmdb')[0]?.method).toBe('GET');
    expect(harness.fake.dataCalls('tmdb')[0]?.body).toBe('');
  });
});
