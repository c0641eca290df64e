/**
 * A generated hostile-input suite (a few hundred cases), sent byte for byte over raw TCP so that no
 * client library tidies them up first. For every case: a 4xx JSON answer, no upstream call, no
 * credential in the answer. Afterwards: the process is up, every path the fake upstream ever saw is
 * in the route table, and no key appears in any log line.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { rawGet, rawRequest, type RawResponse } from '../support/raw-http.ts';
import { startRelay, type RelayUnderTest } from '../support/relay.ts';
import { TMDB_V3_ROUTES, TVDB_V4_ROUTES } from '../../src/catalog/mounts/dropin.ts';
import { MYDIA_ROUTES } from '../../src/catalog/mounts/mydia.ts';

/**
 * Dot segments ("..", ".", and their %2e forms) are resolved by the HTTP server before routing, as
 * RFC 3986 says, so they can only name another route of the relay: these may answer 200 for the
 * route they resolve to, but every upstream call they cause must still be in the route table.
 */
const DOT_SEGMENTS = ['..', '.', '%2e%2e', '%2E%2E'];

const HOSTILE_SEGMENTS = [
  '%2E%2E%2F', '..%2F', '%2F', '%2f..%2f..%2fconfiguration', '%252e%252e', '%252F',
  '1%2F..%2F..%2Fconfiguration', '1%00', '%00', '1%0d%0aX-Injected:%201', '%0a', '1;drop', '-1', '+1', '1e3',
  '0x10', '1.0', '%201', '1%20', '%EF%BC%91', '%D9%A3', '9'.repeat(11), '9'.repeat(300), '%C3%A9', '%C0%AE%C0%AE',
  '%ZZ', '%', '*', '@evil.example', 'http:%2F%2Fevil.example', '%3F', '%23frag', '%F0%9F%98%80', '550%3Fapi_key%3Devil',
  '550%26api_key%3Devil', '550%2Fimages', '%5C..%5C', '..%5C..%5C', 'movie', 'PERSON', '%E2%80%AE1',
];

/** Templates of routes with path params; `{}` takes a hostile segment. */
const TEMPLATES = [
  '/tmdb/movies/{}',
  '/tmdb/movies/{}/images',
  '/tmdb/tv/shows/{}',
  '/tmdb/tv/shows/1396/{}',
  '/tmdb/tv/shows/1396/1/{}',
  '/tmdb/watch/providers/{}',
  '/tmdb/collections/{}',
  '/tvdb/series/{}/extended',
  '/tvdb/series/81189/episodes/{}',
  '/tvdb/artwork/{}',
  // The drop-in surfaces.
  '/3/movie/{}',
  '/3/movie/{}/credits',
  '/3/tv/1399/season/{}',
  '/3/tv/1399/season/1/episode/{}',
  '/3/person/{}',
  '/3/credit/{}',
  '/3/trending/{}/week',
  '/v4/series/{}/extended',
  '/v4/series/78878/episodes/{}',
  '/v4/series/78878/translations/{}',
  '/v4/series/slug/{}',
];

const HOSTILE_QUERIES = [
  '/tmdb/movies/550?language=en-US&language=de-DE',
  '/tmdb/movies/550?append_to_response=credits&append_to_response=images',
  '/tmdb/movies/550?append_to_response=..%2F..%2Fconfiguration',
  '/tmdb/movies/550?append_to_response=credits%0d%0aX-Evil',
  '/tmdb/movies/550?language=en%26api_key%3Devil',
  '/tmdb/movies/550?x%0d%0aInjected=1',
  '/tmdb/movies/550?%3Cscript%3E=1',
  '/tmdb/movies/550?foo=%00',
  '/tmdb/movies/550?foo=bar%0abaz',
  `/tmdb/movies/550?foo=${'x'.repeat(600)}`,
  `/tmdb/movies/550?${Array.from({ length: 50 }, (_, i) => `p${i}=${i}`).join('&')}`,
  `/tmdb/movies/search?query=${'a'.repeat(5000)}`,
  '/tmdb/movies/search?query=',
  '/tmdb/movies/search?query=%E0%A4%A',
  '/tmdb/movies/popular?page=0',
  '/tmdb/movies/popular?page=501',
  '/tmdb/movies/popular?page=1e2',
  '/tmdb/movies/popular?page=%EF%BC%91',
  '/tmdb/movies/search?query=x&include_adult=maybe',
  '/tmdb/movies/search?query=x&year=19999',
  '/tmdb/find/tt0903747',
  '/tmdb/find/tt0903747?external_source=evil_id',
  '/tvdb/search?query=x&type=episode',
  '/tvdb/search',
  '/tvdb/series/81189/episodes?airDate=2020-1-1',
  '/tvdb/series/81189/episodes?page=-1',
  '/tvdb/series/81189/extended?meta=everything',
  '/3/movie/550?language=en-US&language=de-DE',
  '/3/movie/550?append_to_response=credits%0d%0aX-Evil',
  '/3/search/movie?query=',
  '/3/movie/popular?page=501',
  '/3/discover/movie?page=0',
  '/3/find/tt0903747',
  '/v4/search',
  '/v4/updates',
  '/v4/series/78878/episodes/default?page=-1',
  '/v4/series/78878/extended?meta=everything',
];

const HOSTILE_HEADERS: [string, string[]][] = [
  ['/tmdb/movies/abc', ['X-Request-Id: abc<script>alert(1)</script>']],
  ['/tmdb/movies/abc', [`X-Request-Id: ${'r'.repeat(500)}`]],
  ['/tmdb/movies/abc', ['X-Forwarded-For: 127.0.0.1, ::1, evil']],
  ['/tmdb/movies/abc', ['Fly-Client-IP: ../../etc/passwd']],
  ['/tmdb/movies/abc', ['Authorization: Bearer tmdb-test-key-0123456789abcdef0']],
  ['/tmdb/movies/abc', ['Accept-Encoding: gzip;q=0, identity;q=0, *;q=0']],
  ['/tmdb/movies/abc', ['If-None-Match: *']],
  ['/tmdb/movies/abc', [`Cookie: ${'c'.repeat(4000)}`]],
];

function generatedTargets(): string[] {
  const targets = new Set<string>();
  for (const template of TEMPLATES) for (const segment of HOSTILE_SEGMENTS) targets.add(template.replace('{}', segment));
  for (const query of HOSTILE_QUERIES) targets.add(query);
  targets.add(`/tmdb/movies/${'1'.repeat(4000)}`);
  targets.add(`/${'a/'.repeat(1500)}`);
  targets.add('/tmdb/movies/550/../../../../etc/passwd');
  targets.add('//tmdb//movies//550');
  return [...targets];
}

function dotSegmentTargets(): string[] {
  const targets = TEMPLATES.flatMap((template) => DOT_SEGMENTS.map((segment) => template.replace('{}', segment)));
  return [...targets, '/%2e%2e/%2e%2e/configuration', '/tmdb/movies/%2e%2e/%2e%2e/%2e%2e/v4/login'];
}

/** Every upstream path the route table can produce, as patterns (plus TVDB's login). */
function routeTablePatterns(): RegExp[] {
  const patterns = [...MYDIA_ROUTES, ...TMDB_V3_ROUTES, ...TVDB_V4_ROUTES].map((route) => {
    const names = Object.keys(route.params?.properties ?? {});
    const sample = route.upstreamPath(Object.fromEntries(names.map((name) => [name, `PARAM${name}PARAM`])));
    const base = route.upstream === 'tmdb' ? '/3' : '/v4';
    const source = (base + sample).replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/PARAM[A-Za-z]+PARAM/g, '[A-Za-z0-9_-][A-Za-z0-9_.-]*');
    return new RegExp(`^${source}$`);
  });
  return [...patterns, /^\/v4\/login$/];
}

// Values that are legitimate for some route and so may answer 200 on it: excluded where they fit.
const LEGITIMATE = new Set([
  '/tmdb/watch/providers/movie',
  '/tvdb/series/81189/episodes/' + 'official',
  '/3/trending/movie/week',
  // Slugs are lower-case letters, digits and dashes: these are slugs.
  ...['1e3', '0x10', '9'.repeat(11), 'movie'].map((slug) => `/v4/series/slug/${slug}`),
]);

/** The error message in the shape of the surface a path belongs to (drop-in clients parse their upstream's). */
function errorText(path: string, body: { error?: unknown; status_message?: unknown; message?: unknown }): unknown {
  if (path.startsWith('/3/') || path === '/3') return body.status_message;
  if (path.startsWith('/v4/')) return body.message;
  return body.error;
}

let fake: FakeUpstream;
let relay: RelayUnderTest;
let port: number;
const answers: RawResponse[] = [];

beforeAll(async () => {
  fake = await startFakeUpstream();
  relay = await startRelay('in-process', {
    env: { ...fake.relayEnv(), LOG_LEVEL: 'debug' },
  });
  port = Number(new URL(relay.baseUrl).port);
});

afterAll(async () => {
  await relay.stop();
  await fake.stop();
});

const targets = generatedTargets().filter((t) => !LEGITIMATE.has(t));

describe(`hostile input (${targets.length + HOSTILE_HEADERS.length} generated cases)`, () => {
  test('has a few hundred cases', () => {
    expect(targets.length + HOSTILE_HEADERS.length).toBeGreaterThanOrEqual(300);
  });

  test.each(targets)('GET %s -> 4xx JSON, no upstream call', async (target) => {
    const before = fake.requests.length;
    const response = await rawGet(port, target);
    answers.push(response);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(response.headers['content-type']).toContain('application/json');
    expect(errorText(target, JSON.parse(response.body))).toBeString();
    expect(fake.requests.length).toBe(before);
  });

  test.each(dotSegmentTargets())('GET %s (dot segments) -> resolved by the server: 4xx, or a route of the table', async (target) => {
    const response = await rawGet(port, target);
    answers.push(response);
    // 405: a path that resolves to a route of another method (/v4/login is POST only).
    expect([200, 400, 404, 405]).toContain(response.status);
    expect(response.headers['content-type']).toContain('application/json');
  });

  test.each(HOSTILE_HEADERS)('GET %s with hostile header -> 4xx JSON, nothing reflected', async (target, headers) => {
    const response = await rawGet(port, target, headers);
    answers.push(response);
    expect(response.status).toBe(400);
    const echoed = JSON.stringify(response.headers) + response.body;
    expect(echoed).not.toContain('<script>');
    expect(echoed).not.toContain('etc/passwd');
    expect(response.headers['x-request-id']).toMatch(/^[A-Za-z0-9._:-]{1,64}$/);
  });

  test('requests malformed at the HTTP level are refused and do not hurt the process', async () => {
    for (const line of ['GET /tmdb/movies/550\x00 HTTP/1.1', 'GET /tmdb/movies/5 50 HTTP/1.1', 'GET /tmdb/movies/550 HTTP/9.9', 'BREW /tmdb/movies/550 HTTP/1.1']) {
      const response = await rawRequest(port, line).catch(() => null);
      if (response !== null) expect(response.status).toBeGreaterThanOrEqual(400);
    }
    expect((await rawGet(port, '/health')).status).toBe(200);
  });

  test('api_key smuggled into the query of a valid request never reaches the upstream', async () => {
    for (const target of ['/tmdb/movies/550?api_key=evil-key', '/tmdb/movies/550?API_KEY=evil-key&language=en-US', '/tmdb/movies/550?api%5Fkey=evil-key', '/configuration?api_key=evil-key']) {
      expect((await rawGet(port, target)).status).toBe(200);
    }
    const calls = fake.dataCalls('tmdb');
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) {
      expect(call.rawQuery).not.toContain('evil-key');
      expect(call.query.api_key).toBe(fake.options.tmdbApiKey);
    }
  });

  test('afterwards: still up, upstream saw only route-table paths, no key in any answer or log line', async () => {
    expect((await rawGet(port, '/health')).status).toBe(200);
    const allowed = routeTablePatterns();
    expect(allowed.some((pattern) => pattern.test('/3/movie/550'))).toBe(true);
    expect(allowed.some((pattern) => pattern.test('/3/movie/550/../configuration'))).toBe(false);
    const outside = fake.requests.filter((request) => !allowed.some((pattern) => pattern.test(request.path)));
    expect(outside.map((request) => request.path)).toEqual([]);

    const secrets = [fake.options.tmdbApiKey, fake.options.tvdbApiKey];
    const everything = answers.map((a) => JSON.stringify(a.headers) + a.body).join('\n') + relay.logs.join('\n');
    for (const secret of secrets) expect(everything).not.toContain(secret);
    expect(relay.logs.length).toBeGreaterThan(300); // the log really was captured
    // Every line, hostile paths included, is one valid JSON object.
    for (const line of relay.logs) expect(() => JSON.parse(line)).not.toThrow();
    const requestLines = relay.logs.map((line) => JSON.parse(line) as { msg: string; path?: string }).filter((l) => l.msg === 'request');
    expect(requestLines.length).toBeGreaterThan(300);
    expect(requestLines.every((l) => typeof l.path === 'string' && !l.path.includes('?'))).toBe(true);
  });
});
