/**
 * The drop-in surfaces `/3` (TMDB v3) and `/v4` (TVDB v4): every template of both tables reaches exactly
 * its upstream path with the relay's own credential; what is refused reaches nothing; the relay's TVDB
 * login; access keys and each upstream's error shapes; one cache for every surface; paging links on
 * the relay's origin. The relay runs in this process on a real port, in front of the fake upstream.
 */
import { describe, expect, test } from 'bun:test';
import type { TSchema } from '@sinclair/typebox';
import type { Endpoint } from '../../src/catalog/endpoint.ts';
import { TMDB_ENDPOINTS } from '../../src/catalog/tmdb.ts';
import { TVDB_ENDPOINTS } from '../../src/catalog/tvdb.ts';
import { useRelayHarness } from '../support/harness.ts';
import { TestClock } from '../support/relay.ts';

const KEY = 'relay-access-key-0123456789';
const harness = useRelayHarness({ LOG_LEVEL: 'warn', TMDB_RATE_LIMIT: '10000', TMDB_RATE_BURST: '10000', TVDB_RATE_LIMIT: '10000', TVDB_RATE_BURST: '10000', UPSTREAM_MAX_CONCURRENCY: '200' });

/** Sample values the fake knows, by parameter name. */
const SAMPLE: Record<string, string> = {
  movie_id: '550',
  series_id: '1399',
  season_number: '1',
  episode_number: '1',
  person_id: '287',
  collection_id: '10',
  company_id: '1',
  network_id: '49',
  keyword_id: '9715',
  list_id: '1',
  season_id: '3624',
  episode_id: '63056',
  credit_id: '52fe4250c3a36847f8014a11',
  review_id: '5488c29bc3a3686f4a00004a',
  tv_episode_group_id: '5acf93e60e0a26346d0000ce',
  external_id: 'tt0137523',
  remoteId: 'tt0903747',
  id: '78878',
  language: 'eng',
  lang: 'eng',
  slug: 'the-office',
};

/** A valid value for a template parameter: its first enum value, else the sample for its name. */
function sampleFor(endpoint: Endpoint, name: string): string {
  const anyOf = (endpoint.params[name] as TSchema & { anyOf?: { const: string }[] }).anyOf;
  if (anyOf?.[0]) return anyOf[0].const;
  const value = SAMPLE[name];
  if (value === undefined) throw new Error(`no sample for {${name}} of ${endpoint.template}`);
  return value;
}

function requiredQuery(endpoint: Endpoint): string {
  const required = (endpoint.query as { required?: string[] }).required ?? [];
  const values: Record<string, string> = { query: 'fight club', external_source: 'imdb_id', since: String(Math.floor(Date.now() / 1000) - 3600) };
  return required.map((name) => `${name}=${encodeURIComponent(values[name] ?? 'x')}`).join('&');
}

function sampleRequest(endpoint: Endpoint) {
  const params = Object.fromEntries(endpoint.paramNames.map((name) => [name, sampleFor(endpoint, name)]));
  const upstreamPath = endpoint.upstreamPath(params);
  const prefix = endpoint.upstream === 'tmdb' ? '/3' : '/v4';
  const query = requiredQuery(endpoint);
  return { path: `${prefix}${upstreamPath}${query ? `?${query}` : ''}`, upstreamPath: `${prefix}${upstreamPath}` };
}

async function tvdbToken(base: string, apikey = 'anything'): Promise<string> {
  const response = await fetch(`${base}/v4/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apikey }) });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { status: string; data: { token: string } };
  expect(body.status).toBe('success');
  return body.data.token;
}

describe('every template reaches exactly its upstream path, with the relay\'s credential', () => {
  test(`TMDB: ${TMDB_ENDPOINTS.length} templates under /3`, async () => {
    const relay = await harness.start();
    for (const endpoint of TMDB_ENDPOINTS) {
      harness.fake.reset();
      const { path, upstreamPath } = sampleRequest(endpoint);
      const response = await relay.get(`${path}${path.includes('?') ? '&' : '?'}api_key=client-own-key`, { headers: { authorization: 'Bearer client-own-token' } });
      expect(response.status, path).toBeLessThan(500);
      const calls = harness.fake.dataCalls('tmdb');
      expect(calls.map((c) => c.path), path).toEqual([upstreamPath]);
      expect(calls[0]?.query.api_key, path).toBe(harness.fake.options.tmdbApiKey);
      expect(calls[0]?.rawQuery, path).not.toContain('client-own');
      expect(calls[0]?.headers.authorization, path).toBeUndefined();
    }
  });

  test(`TVDB: ${TVDB_ENDPOINTS.length} templates under /v4`, async () => {
    const relay = await harness.start();
    const token = await tvdbToken(relay.baseUrl);
    await relay.get('/v4/series/1', { headers: { authorization: `Bearer ${token}` } }); // the relay's own login
    for (const endpoint of TVDB_ENDPOINTS) {
      harness.fake.reset();
      const { path, upstreamPath } = sampleRequest(endpoint);
      const response = await relay.get(path, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status, path).toBeLessThan(500);
      const calls = harness.fake.dataCalls('tvdb');
      expect(calls.map((c) => c.path), path).toEqual([upstreamPath]);
      // The relay's own TVDB token, never the client's relay token.
      expect(calls[0]?.headers.authorization, path).toStartWith('Bearer ');
      expect(calls[0]?.headers.authorization, path).not.toContain(token);
    }
  });
});

describe('refused: never an upstream call', () => {
  const refused = [
    '/3/account/1',
    '/3/account/1/favorite/movies',
    '/3/authentication',
    '/3/authentication/token/new',
    '/3/authentication/guest_session/new',
    '/3/guest_session/abc/rated/movies',
    '/3/movie/550/account_states',
    '/3/tv/1399/season/1/episode/1/account_states',
    '/3/movie/550%2Fcredits',
    '/3/movie/550/credits%2F..%2F..%2Faccount',
    '/3/nothing/here',
    '/3',
    '/v4/user',
    '/v4/user/1',
    '/v4/user/favorites',
    '/v4/series/78878%2Fextended',
    '/v4/nothing',
  ];
  test.each(refused)('GET %s -> 4xx in the upstream\'s shape, no upstream call', async (path) => {
    const relay = harness.relay ?? (await harness.start());
    const before = harness.fake.requests.length;
    const response = await relay.get(path);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    const body = (await response.json()) as Record<string, unknown>;
    if (path.startsWith('/3')) expect(body).toMatchObject({ success: false, status_code: expect.any(Number), status_message: expect.any(String) });
    else expect(body).toMatchObject({ status: 'failure', message: expect.any(String), data: null });
    expect(harness.fake.requests.length).toBe(before);
  });

  test('other methods on a read path are 405; writes the spec lists are never sent', async () => {
    const relay = await harness.start();
    for (const [method, path] of [['POST', '/3/movie/550/rating'], ['DELETE', '/3/movie/550/rating'], ['POST', '/3/list'], ['POST', '/3/movie/550'], ['PUT', '/v4/series/1'], ['POST', '/v4/user/favorites']] as const) {
      const response = await relay.get(path, { method, body: '{}' });
      expect([404, 405], `${method} ${path}`).toContain(response.status);
    }
    expect(harness.fake.requests).toHaveLength(0);
  });
});

describe('POST /v4/login', () => {
  test('without access keys any apikey gets a relay token; it carries an exp and nothing of the relay\'s TVDB token', async () => {
    const relay = await harness.start();
    const token = await tvdbToken(relay.baseUrl, 'whatever-the-client-has');
    const claims = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()) as { exp: number; iss: string };
    expect(claims.iss).toBe('metadata-relay');
    expect(claims.exp * 1000).toBeGreaterThan(Date.now() + 20 * 86_400_000);
    const series = await relay.get('/v4/series/78878', { headers: { authorization: `Bearer ${token}` } });
    expect(series.status).toBe(200);
    // The relay's upstream token is the fake's JWT: it must not appear in anything the client saw.
    const upstreamToken = harness.fake.dataCalls('tvdb')[0]?.headers.authorization?.slice(7) ?? '';
    expect(upstreamToken.length).toBeGreaterThan(20);
    expect(token).not.toContain(upstreamToken);
    expect(await series.text()).not.toContain(upstreamToken);
    expect(harness.fake.logins()).toHaveLength(1); // the relay's own, not the client's
  });

  test('on an open relay a missing token is fine, a forged one is 401 in TVDB\'s shape', async () => {
    const relay = await harness.start();
    expect((await relay.get('/v4/series/78878')).status).toBe(200);
    const forged = await relay.get('/v4/series/78878', { headers: { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.bad' } });
    expect(forged.status).toBe(401);
    expect(await forged.json()).toEqual({ status: 'failure', message: 'Unauthorized', data: null });
  });

  test('with access keys: a wrong key is refused, a missing, forged or expired token is 401', async () => {
    const clock = new TestClock(Date.now());
    const relay = await harness.start({ RELAY_ACCESS_KEYS: KEY }, clock.now);
    const wrong = await fetch(`${relay.baseUrl}/v4/login`, { method: 'POST', body: JSON.stringify({ apikey: 'not-a-key' }) });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ status: 'failure', message: 'InvalidAPIKey: apikey invalid', data: null });
    const camel = await fetch(`${relay.baseUrl}/v4/login`, { method: 'POST', body: JSON.stringify({ apiKey: KEY, pin: '1234' }) });
    expect(camel.status).toBe(200);
    const token = await tvdbToken(relay.baseUrl, KEY);
    expect((await relay.get('/v4/series/78878', { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await relay.get('/v4/series/78878')).status).toBe(401);
    const [header] = token.split('.');
    const tampered = `${header}.${Buffer.from(JSON.stringify({ iss: 'metadata-relay', sub: 'open', exp: 9_999_999_999 })).toString('base64url')}.${token.split('.')[2]}`;
    expect((await relay.get('/v4/series/78878', { headers: { authorization: `Bearer ${tampered}` } })).status).toBe(401);
    clock.advance(31 * 86_400_000);
    const expired = await relay.get('/v4/series/78878', { headers: { authorization: `Bearer ${token}` } });
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ status: 'failure' });
  });

  test('a malformed login body is a 400 in TVDB\'s shape; GET /v4/login is 405', async () => {
    const relay = await harness.start();
    const bad = await fetch(`${relay.baseUrl}/v4/login`, { method: 'POST', body: 'not json' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ status: 'failure', data: null });
    const wrongMethod = await relay.get('/v4/login');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
  });
});

describe('credentials and access keys on /3', () => {
  test('with access keys, the client\'s api_key field carries the relay key; anything else is 401 in TMDB\'s shape', async () => {
    const relay = await harness.start({ RELAY_ACCESS_KEYS: KEY });
    // A made-up key in TMDB's shape (32 hex digits): the shape alone does not get a client in.
    const denied = await relay.get(`/3/movie/550?api_key=${'0123456789abcdef'.repeat(2)}`);
    expect(denied.status).toBe(401);
    expect(await denied.json()).toMatchObject({ success: false, status_code: 7 });
    const allowed = await relay.get(`/3/movie/550?api_key=${KEY}`);
    expect(allowed.status).toBe(200);
    expect(harness.fake.dataCalls('tmdb')[0]?.query.api_key).toBe(harness.fake.options.tmdbApiKey);
    expect((await relay.get('/3/movie/550', { headers: { authorization: `Bearer ${KEY}` } })).status).toBe(200);
  });

  test('the relay\'s own errors take TMDB\'s shape on /3 and TVDB\'s on /v4; upstream errors pass as they came', async () => {
    const relay = await harness.start();
    const badId = await relay.get('/3/movie/abc');
    expect(badId.status).toBe(400);
    expect(await badId.json()).toMatchObject({ success: false, status_code: 47, status_message: expect.stringContaining("'movie_id'") });
    const missing = await relay.get('/3/movie/900000001');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ success: false, status_code: 34 });
    const tvdbBad = await relay.get('/v4/series/abc');
    expect(tvdbBad.status).toBe(400);
    expect(await tvdbBad.json()).toMatchObject({ status: 'failure', message: expect.stringMatching(/^InvalidValueType: /), data: null });
    // The relay's own routes keep the relay's shape.
    expect(await (await relay.get('/tmdb/movies/abc')).json()).toMatchObject({ error: expect.any(String) });
  });
});

describe('one cache for every surface', () => {
  test('the same title through /tmdb and /3 (and /tvdb and /v4) costs one upstream call', async () => {
    const relay = await harness.start();
    const viaMydia = await relay.get('/tmdb/movies/550?append_to_response=credits');
    const viaDropIn = await relay.get('/3/movie/550?append_to_response=credits');
    expect(viaDropIn.headers.get('x-cache')).toBe('HIT');
    expect(await viaDropIn.text()).toBe(await viaMydia.text());
    await relay.get('/tvdb/series/78878/extended?meta=translations');
    expect((await relay.get('/v4/series/78878/extended?meta=translations')).headers.get('x-cache')).toBe('HIT');
    expect(harness.fake.dataCalls().map((c) => c.path)).toEqual(['/3/movie/550', '/v4/series/78878/extended']);
  });

  test('season rules and families apply on both surfaces', async () => {
    const relay = await harness.start();
    const season = await relay.get('/3/tv/424242/season/1'); // the fake's unsettled season
    expect(season.headers.get('cache-control')).toStartWith('public, max-age=21600,');
    const settled = await relay.get('/3/tv/1399/season/1');
    expect(settled.headers.get('cache-control')).toStartWith('public, max-age=86400,');
    // A change list is in the lists family (1 h fresh) on /3 as well.
    const changes = await relay.get('/3/movie/changes');
    expect(changes.status).toBe(200);
    expect(changes.headers.get('cache-control')).toStartWith('public, max-age=3600,');
  });
});

describe('paging stays on the relay (/v4)', () => {
  test('TVDB links point at the relay\'s origin on /v4, and stay TVDB\'s on the Mydia routes', async () => {
    const relay = await harness.start();
    const mydia = (await (await relay.get('/tvdb/series/78878/episodes?page=0')).json()) as { links: { next: string | null; self: string } };
    expect(mydia.links.self).toStartWith('https://api4.thetvdb.com/v4/');
    const dropInText = await (await relay.get('/v4/series/78878/episodes/default?page=0')).text();
    const dropIn = JSON.parse(dropInText) as { links: { self: string } ; data: unknown };
    expect(dropIn.links.self).toStartWith(`${relay.baseUrl}/v4/series/78878/episodes/default`);
    // Only the links changed: the data is byte for byte what TVDB sent.
    const mydiaText = await (await relay.get('/tvdb/series/78878/episodes?page=0')).text();
    expect(dropInText.slice(0, dropInText.indexOf('"links"'))).toBe(mydiaText.slice(0, mydiaText.indexOf('"links"')));
    // Hits through the edge's memo render the same view.
    const again = await relay.get('/v4/series/78878/episodes/default?page=0');
    expect(again.headers.get('x-cache')).toBe('HIT');
    expect(await again.text()).toBe(dropInText);
  });

  test('PUBLIC_URL, when set, is the origin the links use', async () => {
    const relay = await harness.start({ PUBLIC_URL: 'https://relay.example.com' });
    const body = (await (await relay.get('/v4/series/78878/episodes/default')).json()) as { links: { self: string } };
    expect(body.links.self).toStartWith('https://relay.example.com/v4/');
  });
});

describe('metrics label drop-in routes by template', () => {
  test('a scan of random /3 paths stays one label', async () => {
    const relay = await harness.start();
    await relay.get('/3/movie/550');
    for (let i = 0; i < 20; i++) await relay.get(`/3/scan-${i}/x`);
    const metrics = await (await relay.get('/metrics')).text();
    expect(metrics).toContain('route="3:tmdb.movie"');
    expect(metrics).not.toContain('scan-');
  });
});
