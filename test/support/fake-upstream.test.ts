/** Tests of the fake upstream itself, over real HTTP against its ports. */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test';
import { gunzipSync } from 'node:zlib';
import { type FakeUpstream, startFakeUpstream } from './fake-upstream.ts';
import { parseArgs } from './fake-upstream-cli.ts';
import { tmdbMovieDetails, tvdbSeriesExtended } from './generate.ts';

type Body = Record<string, unknown>;
const DAY = 86_400_000;
const START = Date.parse('2025-01-15T12:00:00Z');
let clock = START;
let fake: FakeUpstream;

beforeAll(async () => {
  fake = await startFakeUpstream({ now: () => clock });
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => {
  clock = START;
  fake.reset();
});

const identity = { 'accept-encoding': 'identity' };
const tmdb = (path: string, init: BunFetchRequestInit = {}) => fetch(`${fake.tmdbBaseUrl}${path}`, init);
const tmdbKeyed = (path: string, init: BunFetchRequestInit = {}) =>
  tmdb(`${path}${path.includes('?') ? '&' : '?'}api_key=${fake.options.tmdbApiKey}`, init);
const tvdb = (path: string, token: string, init: BunFetchRequestInit = {}) =>
  fetch(`${fake.tvdbBaseUrl}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...init.headers } });
const json = async (r: Response) => (await r.json()) as Body;

async function login(body: unknown = { apikey: fake.options.tvdbApiKey }, target: FakeUpstream = fake): Promise<Response> {
  return fetch(`${target.tvdbBaseUrl}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}
async function token(target: FakeUpstream = fake): Promise<string> {
  const body = await json(await login({ apikey: target.options.tvdbApiKey }, target));
  return (body.data as { token: string }).token;
}
function decodeJwtPart(part: string | undefined): Body {
  return JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as Body;
}
async function waitFor(check: () => boolean, ms = 2_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('waitFor timed out');
    await Bun.sleep(5);
  }
}

describe('TMDB auth', () => {
  test('accepts ?api_key= and answers JSON with cache headers', async () => {
    const r = await tmdbKeyed('/movie/550', { headers: identity });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json;charset=utf-8');
    expect(r.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
    expect(r.headers.get('etag')).toMatch(/^W\/"[0-9a-f]{32}"$/);
    expect(r.headers.get('vary')).toBe('Origin');
    expect((await json(r)).title).toBe('Soap & Sparks');
  });

  test('accepts Authorization: Bearer <read access token>', async () => {
    expect(fake.options.tmdbAccessToken).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    const r = await tmdb('/movie/550', { headers: { authorization: `Bearer ${fake.options.tmdbAccessToken}` } });
    expect(r.status).toBe(200);
  });

  const unauthorizedCases: [string, string, () => Record<string, string>][] = [
    ['no credentials', '/movie/550', () => ({})],
    ['a wrong api_key', '/movie/550?api_key=nope', () => ({})],
    ['a wrong bearer', '/movie/550', () => ({ authorization: 'Bearer eyJ.nope.nope' })],
    ['a good bearer but a smuggled wrong api_key', '/movie/550?api_key=nope', () => ({ authorization: `Bearer ${fake.options.tmdbAccessToken}` })],
  ];
  test.each(unauthorizedCases)('401 status_code 7 with %s', async (_name, path, headers) => {
    const r = await tmdb(path, { headers: headers() });
    expect(r.status).toBe(401);
    expect(await r.json()).toEqual({ status_code: 7, status_message: 'Invalid API key: You must be granted a valid key.', success: false });
  });
});

describe('TMDB resources', () => {
  test.each(['/movie/900000000', '/tv/900000001/season/1', '/movie/550/frobnicate', '/nothing/here', '/tv/1399/season/99'])('404 status_code 34 without cache headers: %s', async (path) => {
    const r = await tmdbKeyed(path);
    expect(r.status).toBe(404);
    expect(await r.json()).toEqual({ success: false, status_code: 34, status_message: 'The resource you requested could not be found.' });
    expect(r.headers.get('cache-control')).toBeNull();
    expect(r.headers.get('etag')).toBeNull();
  });

  test.each(['/search/movie', '/search/movie?query=', '/search/tv?query='])('422 when the search query is missing or empty: %s', async (path) => {
    const r = await tmdbKeyed(path);
    expect(r.status).toBe(422);
    expect(await r.json()).toEqual({ errors: ['query must be provided'] });
  });

  test.each(['0', '501', 'abc', '-1'])('page=%s is 400 status_code 22', async (page) => {
    const r = await tmdbKeyed(`/movie/popular?page=${page}`);
    expect(r.status).toBe(400);
    expect((await json(r)).status_code).toBe(22);
  });

  test('paged lists: shape, page 500 is fine, past the end is 200 with no results', async () => {
    const first = await json(await tmdbKeyed('/search/movie?query=harbor'));
    expect(Object.keys(first).sort()).toEqual(['page', 'results', 'total_pages', 'total_results']);
    expect((first.results as Body[]).length).toBeGreaterThan(0);
    expect((first.results as Body[])[0]).toHaveProperty('title');
    const popular = await json(await tmdbKeyed('/movie/popular?page=500'));
    expect(popular).toMatchObject({ page: 500, total_pages: 500, total_results: 10_000 });
    const past = await json(await tmdbKeyed(`/search/movie?query=harbor&page=${Number(first.total_pages) + 1}`));
    expect(past.results).toEqual([]);
    expect((await json(await tmdbKeyed('/search/tv?query=zzz'))).total_results).toBe(0);
  });

  test('list endpoints used by the relay all answer 200', async () => {
    const paths = ['/configuration', '/trending/movie/week', '/trending/tv/week', '/trending/all/week', '/movie/upcoming', '/movie/now_playing',
      '/tv/popular', '/tv/on_the_air', '/tv/airing_today', '/discover/movie?with_genres=18&sort_by=popularity.desc', '/discover/tv',
      '/genre/movie/list', '/genre/tv/list', '/watch/providers/movie', '/watch/providers/tv', '/list/1', '/collection/10',
      '/find/tt0137523?external_source=imdb_id', '/movie/47964/images', '/tv/1396/images', '/tv/1396/season/1/episode/1'];
    for (const path of paths) expect({ path, status: (await tmdbKeyed(path)).status }).toEqual({ path, status: 200 });
    expect((await tmdbKeyed('/find/tt0137523')).status).toBe(400);
  });

  test('append_to_response embeds sub-resources under their own keys; more than 20 is 400 code 27', async () => {
    const body = await json(await tmdbKeyed('/movie/603?append_to_response=credits%2Cimages,videos,keywords,alternative_titles,external_ids,recommendations,release_dates,bogus'));
    for (const key of ['credits', 'images', 'videos', 'keywords', 'alternative_titles', 'external_ids', 'recommendations', 'release_dates']) expect(body).toHaveProperty(key);
    expect(body).not.toHaveProperty('bogus');
    expect(Object.keys(body.images as Body).sort()).toEqual(['backdrops', 'logos', 'posters']);
    expect((body.credits as Body).cast).toBeArray();
    const tv = await json(await tmdbKeyed('/tv/1399?append_to_response=content_ratings,external_ids'));
    expect(tv).toHaveProperty('content_ratings');
    const tooMany = await tmdbKeyed(`/movie/603?append_to_response=${Array.from({ length: 21 }, () => 'credits').join(',')}`);
    expect(tooMany.status).toBe(400);
    expect((await json(tooMany)).status_code).toBe(27);
  });

  test('images carry posters, backdrops and logos; include_image_language filters', async () => {
    const all = await json(await tmdbKeyed('/movie/550/images'));
    for (const key of ['posters', 'backdrops', 'logos']) expect((all[key] as Body[]).length).toBeGreaterThan(0);
    const en = await json(await tmdbKeyed('/movie/550/images?include_image_language=en'));
    expect((en.posters as Body[]).every((p) => p.iso_639_1 === 'en')).toBe(true);
  });

  test('generated bodies are deterministic per id and match the generator', async () => {
    const a = await tmdbKeyed('/movie/123456', { headers: identity });
    const b = await tmdbKeyed('/movie/123456', { headers: identity });
    const text = await a.text();
    expect(await b.text()).toBe(text);
    expect(a.headers.get('etag')).toBe(b.headers.get('etag'));
    expect(text).toBe(JSON.stringify(tmdbMovieDetails(123456)));
    expect(await (await tmdbKeyed('/movie/123457')).text()).not.toBe(text);
  });

  test('a season lists episodes with the fields Mydia reads; the fixture season has 10', async () => {
    const season = await json(await tmdbKeyed('/tv/1399/season/1'));
    const episodes = season.episodes as Body[];
    expect(episodes).toHaveLength(10);
    for (const key of ['air_date', 'episode_number', 'name', 'overview', 'runtime', 'still_path', 'vote_average', 'vote_count']) expect(episodes[0]).toHaveProperty(key);
    const show = await json(await tmdbKeyed('/tv/1399'));
    expect((show.seasons as Body[]).find((s) => s.season_number === 1)?.episode_count).toBe(10);
    const generated = await json(await tmdbKeyed('/tv/1399/season/2'));
    expect((generated.episodes as Body[]).length).toBe(10);
  });

  test('tv 424242 season 1 has a future episode and a "TBA" relative to now(); others are settled', async () => {
    clock = Date.parse('2031-06-01T00:00:00Z');
    const today = new Date(clock).toISOString().slice(0, 10);
    const episodes = (await json(await tmdbKeyed('/tv/424242/season/1'))).episodes as Body[];
    expect(episodes.some((e) => String(e.air_date) > today)).toBe(true);
    expect(episodes.some((e) => String(e.air_date) <= today)).toBe(true);
    expect(episodes.some((e) => e.name === 'TBA')).toBe(true);
    const show = await json(await tmdbKeyed('/tv/424242'));
    expect(show.next_episode_to_air).not.toBeNull();
    const settled = (await json(await tmdbKeyed('/tv/77/season/1'))).episodes as Body[];
    expect(settled.every((e) => typeof e.air_date === 'string' && e.air_date < '2021-01-01' && e.name !== 'TBA')).toBe(true);
  });
});

describe('gzip', () => {
  test('gzips when accept-encoding includes gzip, and the body decodes', async () => {
    const r = await tmdbKeyed('/movie/550', { headers: { 'accept-encoding': 'gzip, deflate' }, decompress: false });
    expect(r.headers.get('content-encoding')).toBe('gzip');
    const raw = Buffer.from(await r.arrayBuffer());
    expect(raw[0]).toBe(0x1f);
    expect(JSON.parse(gunzipSync(raw).toString('utf8')).id).toBe(550);
    const t = await tvdb('/series/78878', await token(), { headers: { 'accept-encoding': 'gzip' }, decompress: false });
    expect(t.headers.get('content-encoding')).toBe('gzip');
    expect(JSON.parse(gunzipSync(Buffer.from(await t.arrayBuffer())).toString('utf8')).status).toBe('success');
  });

  test('plain body without gzip in accept-encoding, or with the gzip option off', async () => {
    const r = await tmdbKeyed('/movie/550', { headers: identity, decompress: false });
    expect(r.headers.get('content-encoding')).toBeNull();
    expect((await json(r)).id).toBe(550);
    const plain = await startFakeUpstream({ gzip: false });
    try {
      const p = await fetch(`${plain.tmdbBaseUrl}/movie/550?api_key=${plain.options.tmdbApiKey}`, { headers: { 'accept-encoding': 'gzip' }, decompress: false });
      expect(p.headers.get('content-encoding')).toBeNull();
      expect(((await p.json()) as Body).id).toBe(550);
    } finally {
      await plain.stop();
    }
  });
});

describe('TVDB login and tokens', () => {
  test('login issues an RS256-looking JWT whose exp is now() + ttl', async () => {
    const r = await login();
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    const body = await json(r);
    expect(body.status).toBe('success');
    const jwt = (body.data as { token: string }).token;
    const [header, payload, signature] = jwt.split('.');
    expect(decodeJwtPart(header)).toEqual({ alg: 'RS256', typ: 'JWT' });
    const claims = decodeJwtPart(payload);
    expect(claims.exp).toBe(Math.floor(START / 1000) + 30 * 24 * 3600);
    expect(claims).not.toHaveProperty('apikey');
    expect(claims).toHaveProperty('uuid');
    expect(signature).toMatch(/^[\w-]{100,}$/);
    expect(await token()).not.toBe(jwt);
    expect(fake.logins()).toHaveLength(2);
  });

  test('key names are case-insensitive (apiKey works)', async () => {
    expect((await login({ apiKey: fake.options.tvdbApiKey })).status).toBe(200);
    expect((await login({ APIKEY: fake.options.tvdbApiKey })).status).toBe(200);
  });

  test.each([
    ['a wrong key', { apikey: 'wrong' }],
    ['no key', { pin: '1234' }],
  ])('401 InvalidAPIKey with %s', async (_name, body) => {
    const r = await login(body);
    expect(r.status).toBe(401);
    expect(await r.json()).toEqual({ status: 'failure', message: 'InvalidAPIKey: apikey invalid', data: null });
  });

  test.each(['{not json', '', 'null', '[1,2]', '"apikey"'])('bad login body %p is a 400 failure, not a crash', async (body) => {
    const r = await login(body);
    expect(r.status).toBe(400);
    expect((await json(r)).status).toBe('failure');
  });

  test('pin: required when configured', async () => {
    const withPin = await startFakeUpstream({ tvdbPin: '4242' });
    try {
      const missing = await login({ apikey: withPin.options.tvdbApiKey }, withPin);
      expect(missing.status).toBe(400);
      expect(await missing.json()).toEqual({ status: 'failure', message: 'InvalidValueType: pin required', data: null });
      expect((await login({ apikey: withPin.options.tvdbApiKey, pin: '0000' }, withPin)).status).toBe(401);
      expect((await login({ apikey: withPin.options.tvdbApiKey, pin: '4242' }, withPin)).status).toBe(200);
    } finally {
      await withPin.stop();
    }
  });

  test('data endpoints need a bearer issued by this fake', async () => {
    const unauthorized = { status: 'failure', message: 'Unauthorized', data: null };
    const none = await fetch(`${fake.tvdbBaseUrl}/series/78878`);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual(unauthorized);
    const apiKeyAsBearer = await tvdb('/series/78878', fake.options.tvdbApiKey);
    expect(apiKeyAsBearer.status).toBe(401);
    expect((await tvdb('/series/78878', await token())).status).toBe(200);
  });

  test('tokens expire by the injected clock', async () => {
    const jwt = await token();
    clock = START + 29 * DAY;
    expect((await tvdb('/series/78878', jwt)).status).toBe(200);
    clock = START + 30 * DAY + 1_000;
    const expired = await tvdb('/series/78878', jwt);
    expect(expired.status).toBe(401);
    expect((await json(expired)).message).toBe('Unauthorized');
    expect((await tvdb('/series/78878', await token())).status).toBe(200);
  });

  test('revokeTvdbTokens invalidates every token issued so far', async () => {
    const a = await token();
    const b = await token();
    fake.revokeTvdbTokens();
    expect((await tvdb('/series/1', a)).status).toBe(401);
    expect((await tvdb('/series/1', b)).status).toBe(401);
    expect((await tvdb('/series/1', await token())).status).toBe(200);
  });
});

describe('TVDB resources', () => {
  let jwt: string;
  beforeAll(async () => {
    jwt = await token();
  });
  const get = async (path: string) => tvdb(path, jwt);

  test('envelope on every data endpoint', async () => {
    const paths = ['/series/78878', '/series/78878/extended', '/series/5/artworks', '/series/5/nextAired', '/seasons/7887801', '/seasons/7887801/extended',
      '/episodes/31410001', '/episodes/31410001/extended?meta=translations', '/artwork/63237874', '/artwork/63237874/extended', '/movies/12586',
      '/movies/12586/extended', '/people/312388', '/genres', '/languages', '/artwork/types', '/seasons/types', '/search/remoteid/tt0903747'];
    for (const path of paths) {
      const r = await get(path);
      const body = await json(r);
      expect({ path, status: r.status, envelope: body.status }).toEqual({ path, status: 200, envelope: 'success' });
      expect(body.data).toBeDefined();
    }
  });

  test('series extended: meta=episodes, meta=translations, short=true', async () => {
    const episodes = (await json(await get('/series/78878/extended?meta=episodes'))).data as Body;
    expect((episodes.episodes as Body[]).length).toBe(7);
    const translations = (await json(await get('/series/78878/extended?meta=translations'))).data as Body;
    expect(translations.translations).toHaveProperty('nameTranslations');
    const short = (await json(await get('/series/12345/extended?short=true'))).data as Body;
    expect(short.artworks).toBeNull();
    expect(short.characters).toBeNull();
    expect(short.seasons).toEqual(tvdbSeriesExtended(12345, clock).seasons as never);
  });

  test('episodes/{season-type}: {series, episodes} plus absolute 0-based links', async () => {
    const body = await json(await get('/series/78878/episodes/default'));
    const data = body.data as { series: Body; episodes: Body[] };
    expect(data.series.id).toBe(78878);
    expect(data.episodes.length).toBe(7);
    expect(body.links).toEqual({ prev: null, self: 'https://api4.thetvdb.com/v4/series/78878/episodes/default?page=0', next: null, total_items: 7, page_size: 500 });
    const filtered = await json(await get('/series/78878/episodes/official?season=1&episodeNumber=2'));
    expect((filtered.data as { episodes: Body[] }).episodes.map((e) => e.name)).toEqual(['Antenna Day']);
    const page1 = await json(await get('/series/78878/episodes/default?page=1'));
    expect((page1.data as { episodes: Body[] }).episodes).toEqual([]);
    expect((page1.links as Body).prev).toBe('https://api4.thetvdb.com/v4/series/78878/episodes/default?page=0');
    const bad = await get('/series/78878/episodes/sideways');
    expect(bad.status).toBe(400);
    expect((await json(bad)).message).toStartWith('InvalidValueType:');
  });

  test('search: query required, limit/page links with unencoded spaces', async () => {
    const missing = await get('/search');
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ status: 'failure', message: 'InvalidValueType: query is required', data: null });
    const body = await json(await get('/search?query=yu%20gi%20oh&type=series&limit=1'));
    expect((body.data as Body[]).length).toBe(1);
    expect((body.data as Body[])[0]?.type).toBe('series');
    const links = body.links as Body;
    expect(links.self).toBe('https://api4.thetvdb.com/v4/search?query=yu gi oh&type=series&limit=1&page=0');
    expect(links.next).toBe('https://api4.thetvdb.com/v4/search?query=yu gi oh&type=series&limit=1&page=1');
    expect(links.page_size).toBe(1);
  });

  test('errors: bad id 400, missing id 404, unknown path 404', async () => {
    const bad = await get('/series/abc');
    expect(bad.status).toBe(400);
    expect((await json(bad)).message).toStartWith('InvalidValueType:');
    for (const path of ['/series/900000000', '/episodes/900000001/extended', '/seasons/999999999', '/no/such/thing']) {
      const r = await get(path);
      expect({ path, status: r.status }).toEqual({ path, status: 404 });
      expect(await r.json()).toEqual({ status: 'failure', message: 'NotFoundException: not found', data: null });
    }
  });

  test('season 424242 has a future episode and a "TBA" relative to now(); fixture seasons are settled', async () => {
    clock = Date.parse('2031-06-01T00:00:00Z');
    const j = await token();
    const today = new Date(clock).toISOString().slice(0, 10);
    const episodes = ((await json(await tvdb('/seasons/424242/extended', j))).data as { episodes: Body[] }).episodes;
    expect(episodes.some((e) => String(e.aired) > today)).toBe(true);
    expect(episodes.some((e) => e.name === 'TBA')).toBe(true);
    const settled = ((await json(await tvdb('/seasons/7887801/extended', j))).data as { episodes: Body[] }).episodes;
    expect(settled.every((e) => String(e.aired) < today && e.name !== 'TBA')).toBe(true);
  });
});

describe('recording', () => {
  test('records path, raw query, decoded query, lower-cased headers, body and time', async () => {
    const before = Date.now();
    await tmdbKeyed('/movie/550?language=en-US&append_to_response=credits%2Cimages&query=a+b', { headers: { 'X-Trace': 'abc', 'User-Agent': 'Mydia/1.0' } });
    await login();
    const [movie, loginCall] = fake.requests;
    expect(movie).toMatchObject({
      upstream: 'tmdb',
      method: 'GET',
      path: '/3/movie/550',
      rawQuery: `language=en-US&append_to_response=credits%2Cimages&query=a+b&api_key=${fake.options.tmdbApiKey}`,
      query: { language: 'en-US', append_to_response: 'credits,images', query: 'a b', api_key: fake.options.tmdbApiKey },
      body: '',
    });
    expect(movie?.headers['x-trace']).toBe('abc');
    expect(movie?.headers['user-agent']).toBe('Mydia/1.0');
    expect(movie?.at).toBeGreaterThanOrEqual(before);
    expect(loginCall).toMatchObject({ upstream: 'tvdb', method: 'POST', path: '/v4/login', body: JSON.stringify({ apikey: fake.options.tvdbApiKey }) });
    expect(fake.calls('tmdb')).toHaveLength(1);
    expect(fake.calls(undefined, '/v4/')).toHaveLength(1);
    expect(fake.dataCalls('tvdb')).toHaveLength(0);
    expect(fake.dataCalls()).toHaveLength(1);
    expect(fake.logins()).toHaveLength(1);
    fake.reset();
    expect(fake.requests).toHaveLength(0);
  });

  test('odd input never crashes the server', async () => {
    const odd = ['/3/%zz', '/3//movie//550', `/3/movie/${'9'.repeat(400)}`, '/', '/v4', '/3/movie/550/../../tv/1', '/3/find/%E2%9C%93?external_source=imdb_id'];
    for (const path of odd) {
      const r = await fetch(`http://${new URL(fake.tmdbBaseUrl).host}${path}?api_key=${fake.options.tmdbApiKey}`);
      expect(r.status).toBeLessThan(500);
    }
    const r = await fetch(`${fake.tvdbBaseUrl}/login`);
    expect(r.status).toBe(404);
    expect((await tmdbKeyed('/movie/550')).status).toBe(200);
  });
});

describe('faults', () => {
  test('status: answers instead, `times` is consumed, the request is still recorded', async () => {
    fake.addFault({ upstream: 'tmdb', pathPrefix: '/3/movie/550', times: 1, fault: { kind: 'status', status: 503 } });
    const faulted = await tmdbKeyed('/movie/550');
    expect(faulted.status).toBe(503);
    expect((await json(faulted)).status_code).toBe(9);
    expect((await tmdbKeyed('/movie/550')).status).toBe(200);
    expect(fake.calls('tmdb', '/3/movie/550')).toHaveLength(2);
  });

  test('status with explicit body and headers; prefix below the base also matches; first added wins', async () => {
    fake.addFault({ pathPrefix: '/series', fault: { kind: 'status', status: 500, body: 'oops', headers: { 'x-why': 'test' } } });
    fake.addFault({ pathPrefix: '/v4/series', fault: { kind: 'status', status: 502 } });
    const r = await tvdb('/series/1', await token());
    expect(r.status).toBe(500);
    expect(r.headers.get('x-why')).toBe('test');
    expect(await r.text()).toBe('oops');
    fake.clearFaults();
    expect((await tvdb('/series/1', await token())).status).toBe(200);
  });

  test('rate-limit: TMDB 429 code 25, Retry-After exactly as given; TVDB failure envelope', async () => {
    const date = 'Wed, 21 Oct 2015 07:28:00 GMT';
    fake.addFault({ upstream: 'tmdb', times: 1, fault: { kind: 'rate-limit', retryAfter: date } });
    const r = await tmdbKeyed('/movie/550');
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe(date);
    expect(await r.json()).toEqual({ success: false, status_code: 25, status_message: 'Your request count (#) is over the allowed limit of (40).' });
    fake.addFault({ upstream: 'tvdb', pathPrefix: '/v4/series', times: 1, fault: { kind: 'rate-limit', retryAfter: '7' } });
    const t = await tvdb('/series/1', await token());
    expect(t.status).toBe(429);
    expect(t.headers.get('retry-after')).toBe('7');
    expect((await json(t)).status).toBe('failure');
  });

  test('html: 200 text/html error page', async () => {
    fake.addFault({ upstream: 'tmdb', times: 1, fault: { kind: 'html' } });
    const r = await tmdbKeyed('/movie/550');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toStartWith('text/html');
    expect(await r.text()).toContain('<html>');
  });

  test('reset: the connection drops without an HTTP answer', async () => {
    fake.addFault({ upstream: 'tmdb', times: 1, fault: { kind: 'reset' } });
    await expect(tmdbKeyed('/movie/550', { keepalive: false })).rejects.toThrow();
    expect(fake.calls('tmdb')).toHaveLength(1);
    expect((await tmdbKeyed('/movie/550')).status).toBe(200);
  });

  test('reset on a pooled keep-alive socket: Bun fetch retries once, so only a repeated reset surfaces', async () => {
    await (await tmdbKeyed('/movie/550')).text(); // warm the connection pool
    fake.reset();
    fake.addFault({ upstream: 'tmdb', times: 1, fault: { kind: 'reset' } });
    expect((await tmdbKeyed('/movie/550')).status).toBe(200);
    expect(fake.calls('tmdb')).toHaveLength(2);
    fake.reset();
    fake.addFault({ upstream: 'tmdb', times: 2, fault: { kind: 'reset' } });
    await expect(tmdbKeyed('/movie/550')).rejects.toThrow();
    expect(fake.calls('tmdb')).toHaveLength(2);
  });

  test('delay: answers normally after ms', async () => {
    fake.addFault({ upstream: 'tmdb', times: 1, fault: { kind: 'delay', ms: 150 } });
    const t0 = performance.now();
    const r = await tmdbKeyed('/movie/550');
    expect(r.status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
  });

  test('hang: never answers; a client abort releases it', async () => {
    fake.addFault({ upstream: 'tmdb', times: 1, fault: { kind: 'hang' } });
    const pending = tmdbKeyed('/movie/550', { signal: AbortSignal.timeout(300) });
    await waitFor(() => fake.inFlight('tmdb') === 1);
    await expect(pending).rejects.toThrow();
    await waitFor(() => fake.inFlight('tmdb') === 0);
  });

  test('hang: stop() force-closes hung requests and both servers', async () => {
    const own = await startFakeUpstream();
    own.addFault({ fault: { kind: 'hang' } });
    const hung = fetch(`${own.tmdbBaseUrl}/movie/1?api_key=${own.options.tmdbApiKey}`);
    await waitFor(() => own.inFlight() === 1);
    const settled = hung.then(() => 'answered', () => 'rejected');
    await own.stop();
    expect(await settled).toBe('rejected');
    await expect(fetch(`${own.tmdbBaseUrl}/configuration`)).rejects.toThrow();
    await expect(fetch(`${own.tvdbBaseUrl}/genres`)).rejects.toThrow();
  });
});

describe('concurrency, latency and rate limiting', () => {
  test('inFlight / maxInFlight track concurrent requests per upstream', async () => {
    fake.addFault({ upstream: 'tmdb', fault: { kind: 'delay', ms: 150 } });
    const all = Promise.all(Array.from({ length: 5 }, (_, i) => tmdbKeyed(`/movie/${i + 1}`)));
    await waitFor(() => fake.inFlight('tmdb') === 5);
    expect(fake.inFlight('tvdb')).toBe(0);
    expect(fake.inFlight()).toBe(5);
    expect((await all).every((r) => r.status === 200)).toBe(true);
    expect(fake.inFlight('tmdb')).toBe(0);
    expect(fake.maxInFlight('tmdb')).toBe(5);
    expect(fake.maxInFlight('tvdb')).toBe(0);
    expect(fake.maxInFlight()).toBe(5);
    fake.reset();
    expect(fake.maxInFlight('tmdb')).toBe(0);
  });

  test('latencyMs range is added to every answer', async () => {
    const slow = await startFakeUpstream({ latencyMs: [60, 90] });
    try {
      const t0 = performance.now();
      const r = await fetch(`${slow.tmdbBaseUrl}/movie/550`);
      expect(r.status).toBe(401);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(55);
    } finally {
      await slow.stop();
    }
  });

  test('tmdbRateLimitPerSecond: requests beyond N in a second get 429 with Retry-After: 1', async () => {
    const limited = await startFakeUpstream({ tmdbRateLimitPerSecond: 3 });
    try {
      const url = `${limited.tmdbBaseUrl}/movie/550?api_key=${limited.options.tmdbApiKey}`;
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await fetch(url)).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      const r = await fetch(url);
      expect(r.headers.get('retry-after')).toBe('1');
      expect((await r.json() as Body).status_code).toBe(25);
      await Bun.sleep(1_050);
      expect((await fetch(url)).status).toBe(200);
    } finally {
      await limited.stop();
    }
  });
});

describe('cli', () => {
  test('parses ports, latency ranges and flags', () => {
    expect(parseArgs(['--port-tmdb', '8081', '--port-tvdb', '8082', '--latency', '30-80'])).toEqual({ tmdbPort: 8081, tvdbPort: 8082, latencyMs: [30, 80] });
    expect(parseArgs(['--latency', '25', '--no-gzip', '--tmdb-rate-limit', '40'])).toEqual({ latencyMs: 25, gzip: false, tmdbRateLimitPerSecond: 40 });
  });

  test('prints one JSON line with base URLs and keys, and exits on SIGTERM', async () => {
    const proc = Bun.spawn(['bun', `${import.meta.dir}/fake-upstream-cli.ts`, '--latency', '1-2'], { stdout: 'pipe', stderr: 'pipe' });
    const reader = proc.stdout.getReader();
    let text = '';
    while (!text.includes('\n')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    const info = JSON.parse(text.split('\n')[0] ?? '') as Record<string, string>;
    expect(info.tmdbBaseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/3$/);
    expect(info.tvdbBaseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v4$/);
    const r = await fetch(`${info.tmdbBaseUrl}/movie/550?api_key=${info.tmdbApiKey}`);
    expect(r.status).toBe(200);
    const l = await fetch(`${info.tvdbBaseUrl}/login`, { method: 'POST', body: JSON.stringify({ apikey: info.tvdbApiKey }) });
    expect(l.status).toBe(200);
    proc.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
  });
});
