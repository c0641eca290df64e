/**
 * The fake upstream against the relay's endpoint catalog (every template answers 200 in the
 * upstream's envelope) and its change feeds (edits show up in TMDB's change lists and TVDB's
 * /updates, and in the bodies). Calls the fake directly, over HTTP; the catalog is only read.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test';
import type { TSchema } from '@sinclair/typebox';
import type { Endpoint } from '../../src/catalog/endpoint.ts';
import { TMDB_ENDPOINTS } from '../../src/catalog/tmdb.ts';
import { TVDB_ENDPOINTS } from '../../src/catalog/tvdb.ts';
import { type FakeUpstream, startFakeUpstream } from './fake-upstream.ts';

type Body = Record<string, unknown>;
const DAY = 86_400_000;
const START = Date.parse('2025-01-15T12:00:00Z');
let clock = START;
let fake: FakeUpstream;
let jwt: string;

beforeAll(async () => {
  fake = await startFakeUpstream({ now: () => clock });
  const r = await fetch(`${fake.tvdbBaseUrl}/login`, { method: 'POST', body: JSON.stringify({ apikey: fake.options.tvdbApiKey }) });
  jwt = ((await r.json()) as { data: { token: string } }).data.token;
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => {
  clock = START;
  fake.reset();
  fake.clearEdits();
});

const tmdb = (path: string) => fetch(`${fake.tmdbBaseUrl}${path}${path.includes('?') ? '&' : '?'}api_key=${fake.options.tmdbApiKey}`);
const tvdb = (path: string) => fetch(`${fake.tvdbBaseUrl}${path}`, { headers: { authorization: `Bearer ${jwt}` } });
const json = async (r: Response) => (await r.json()) as Body;
const tmdbJson = async (path: string) => json(await tmdb(path));
const tvdbData = async (path: string) => (await json(await tvdb(path))).data as Body;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const unix = (ms: number) => Math.floor(ms / 1000);

// ---------------------------------------------------------------------------------------------
// Filling the catalog's templates

/** Ids that exist in the fake (fixtures where there are some), by parameter name. */
const TMDB_SAMPLES: Record<string, string> = {
  movie_id: '550', series_id: '1399', season_number: '1', episode_number: '1', person_id: '287', collection_id: '10', company_id: '1',
  network_id: '49', keyword_id: '818', list_id: '1', season_id: '3624', episode_id: '63056', external_id: 'tt0137523',
};
/** TVDB's templates all call their id `{id}`: the sample depends on what the path is about. */
const TVDB_IDS: [string, string][] = [
  ['/awards/categories/', '101'], ['/series/', '78878'], ['/seasons/', '7887801'], ['/episodes/', '31410001'], ['/movies/', '12586'],
  ['/people/', '312388'], ['/artwork/', '63237874'], ['/characters/', '60000001'], ['/companies/', '1'], ['/awards/', '1'], ['/lists/', '1'], ['/genres/', '18'],
];
const TVDB_SAMPLES: Record<string, string> = { language: 'eng', lang: 'eng', slug: 'static-bloom', remoteId: 'tt0903747' };
const HEX_SAMPLE = '52fe4250c3a36847f8014a11';

/** The literal values an enum schema allows, or null. */
function literals(schema: TSchema | undefined): string[] | null {
  const anyOf = (schema as { anyOf?: { const?: unknown }[] } | undefined)?.anyOf;
  return Array.isArray(anyOf) ? anyOf.map((s) => String(s.const)) : null;
}

function sampleFor(endpoint: Endpoint, name: string): string[] {
  const schema = endpoint.params[name];
  const values = literals(schema);
  if (values !== null) return values;
  if ((schema as { pattern?: string } | undefined)?.pattern === '^[0-9a-f]{24}$') return [HEX_SAMPLE];
  if (endpoint.upstream === 'tvdb' && name === 'id') return [TVDB_IDS.find(([prefix]) => endpoint.template.startsWith(prefix))?.[1] ?? '1'];
  const sample = (endpoint.upstream === 'tmdb' ? TMDB_SAMPLES : TVDB_SAMPLES)[name];
  if (sample === undefined) throw new Error(`no sample for {${name}} in ${endpoint.template}`);
  return [sample];
}

/** Every combination of the template's parameters (all values of enums, one sample otherwise). */
function pathsOf(endpoint: Endpoint): string[] {
  let paths: Record<string, string>[] = [{}];
  for (const name of endpoint.paramNames) paths = paths.flatMap((p) => sampleFor(endpoint, name).map((v) => ({ ...p, [name]: v })));
  return paths.map((p) => endpoint.upstreamPath(p));
}

function requiredQuery(endpoint: Endpoint): string {
  const required = endpoint.query.required ?? [];
  const value = (name: string) => {
    if (name === 'since') return String(unix(clock) - 3_600);
    return literals(endpoint.query.properties[name])?.[0] ?? 'x';
  };
  return required.map((name) => `${name}=${encodeURIComponent(value(name))}`).join('&');
}

const withQuery = (path: string, query: string) => (query === '' ? path : `${path}?${query}`);

/** TMDB answers a `{page, results, total_pages, total_results}` page on these. */
function isTmdbPaged(endpoint: Endpoint): boolean {
  return endpoint.allowed.has('page') && !endpoint.template.endsWith('/changes') && endpoint.template !== '/list/{list_id}';
}

describe('every catalog template', () => {
  test('the catalogs are there', () => {
    expect(TMDB_ENDPOINTS.length).toBeGreaterThan(100);
    expect(TVDB_ENDPOINTS.length).toBeGreaterThan(60);
  });

  test.each(TMDB_ENDPOINTS.map((e) => [e.template, e] as const))('TMDB %s answers 200 JSON in TMDB\'s shape', async (_template, endpoint) => {
    for (const path of pathsOf(endpoint)) {
      const r = await tmdb(withQuery(path, requiredQuery(endpoint)));
      expect({ path, status: r.status }).toEqual({ path, status: 200 });
      expect(r.headers.get('content-type')).toBe('application/json;charset=utf-8');
      const body = (await r.json()) as unknown;
      expect(body !== null && typeof body === 'object').toBe(true);
      if (isTmdbPaged(endpoint)) expect(Object.keys(body as Body)).toEqual(expect.arrayContaining(['page', 'results', 'total_pages', 'total_results']));
    }
  });

  test.each(TVDB_ENDPOINTS.map((e) => [e.template, e] as const))('TVDB %s answers 200 in the {status, data} envelope', async (_template, endpoint) => {
    for (const path of pathsOf(endpoint)) {
      const r = await tvdb(withQuery(path, requiredQuery(endpoint)));
      expect({ path, status: r.status }).toEqual({ path, status: 200 });
      const body = await json(r);
      expect(body.status).toBe('success');
      expect(body.data === undefined || body.data === null).toBe(false);
      if (endpoint.allowed.has('page')) expect(body.links).toMatchObject({ page_size: expect.any(Number), self: expect.stringMatching(/^https:\/\/api4\.thetvdb\.com\/v4\//) });
    }
  });
});

describe('surfaces: shapes worth pinning', () => {
  test('TMDB person details take append_to_response like movies', async () => {
    const person = await tmdbJson('/person/287?append_to_response=combined_credits,images,external_ids,translations');
    expect(person).toMatchObject({ id: 287, name: expect.any(String), known_for_department: expect.any(String) });
    expect((person.combined_credits as Body).cast).toBeArray();
    expect((person.images as Body).profiles).toBeArray();
    expect(person.images).not.toHaveProperty('id');
  });

  test('TMDB searches need a query (422) and are paged', async () => {
    for (const kind of ['person', 'multi', 'collection', 'company', 'keyword']) {
      const missing = await tmdb(`/search/${kind}`);
      expect({ kind, status: missing.status }).toEqual({ kind, status: 422 });
      expect(await missing.json()).toEqual({ errors: ['query must be provided'] });
      expect((await tmdb(`/search/${kind}?query=x&page=501`)).status).toBe(400);
    }
    const multi = (await tmdbJson('/search/multi?query=harbor')).results as Body[];
    expect(multi.every((r) => ['movie', 'tv', 'person'].includes(String(r.media_type)))).toBe(true);
  });

  test('TMDB review and episode group ids lead back to their owner', async () => {
    const reviews = (await tmdbJson('/tv/1396/reviews')).results as Body[];
    expect(reviews.length).toBeGreaterThan(0);
    const first = reviews[0] as Body;
    expect(await tmdbJson(`/review/${String(first.id)}`)).toMatchObject({ id: first.id, media_id: 1396, media_type: 'tv' });
    const groups = (await tmdbJson('/tv/1399/episode_groups')).results as Body[];
    const group = await tmdbJson(`/tv/episode_group/${String(groups[0]?.id)}`);
    expect(group.id).toBe(groups[0]?.id);
    expect(((group.groups as Body[])[0]?.episodes as Body[])[0]).toMatchObject({ show_id: 1399 });
  });

  test('TMDB hex ids must be 24 hex digits; missing ids are 404 on new paths too', async () => {
    expect((await tmdb('/credit/nothex')).status).toBe(404);
    for (const path of ['/person/900000000', '/company/900000001/images', '/tv/1399/season/99/credits', '/tv/1399/season/1/episode/99/images']) {
      expect({ path, status: (await tmdb(path)).status }).toEqual({ path, status: 404 });
    }
  });

  test('TVDB translated episode list: data is the series with episodes inside, plus links', async () => {
    const body = await json(await tvdb('/series/78878/episodes/official/eng'));
    const data = body.data as Body;
    expect(data.id).toBe(78878);
    expect((data.episodes as Body[]).length).toBe(7);
    expect(body.links).toEqual({ prev: null, self: 'https://api4.thetvdb.com/v4/series/78878/episodes/official/eng?page=0', next: null, total_items: 7, page_size: 500 });
  });

  test('TVDB catalogs: 500 a page with absolute links; slugs find fixtures', async () => {
    const body = await json(await tvdb('/series?page=2'));
    expect((body.data as Body[]).length).toBe(500);
    expect((body.data as Body[])[0]?.id).toBe(1_001);
    expect(body.links).toMatchObject({ prev: 'https://api4.thetvdb.com/v4/series?page=1', self: 'https://api4.thetvdb.com/v4/series?page=2', next: 'https://api4.thetvdb.com/v4/series?page=3' });
    expect((await tvdbData('/series/slug/static-bloom')).id).toBe(78878);
    expect((await tvdb('/series/slug/zzz-nothing')).status).toBe(404);
    expect((await tvdb('/characters/abc')).status).toBe(400);
    expect((await tvdb('/genres/999')).status).toBe(404);
  });
});

// ---------------------------------------------------------------------------------------------
// Feeds

describe('TMDB change lists', () => {
  test('an edit shows up in the default window (the last 24 h) and in a window of days around it', async () => {
    fake.editRecord('tmdb', 'movie', 550);
    fake.editRecord('tmdb', 'movie', 550, { at: clock - 3_600_000 });
    fake.editRecord('tmdb', 'tv', 1399, { at: clock - 3 * DAY });
    expect(await tmdbJson('/movie/changes')).toEqual({ results: [{ id: 550, adult: false }], page: 1, total_pages: 1, total_results: 1 });
    expect((await tmdbJson('/tv/changes')).results).toEqual([]);
    const window = `start_date=${day(clock - 4 * DAY)}&end_date=${day(clock - 3 * DAY)}`;
    expect((await tmdbJson(`/tv/changes?${window}`)).results).toEqual([{ id: 1399, adult: false }]);
    expect((await tmdbJson(`/movie/changes?${window}`)).results).toEqual([]);
    expect((await tmdbJson(`/movie/changes?start_date=${day(clock)}&end_date=${day(clock)}`)).results).toEqual([{ id: 550, adult: false }]);
  });

  test('100 ids a page; page checks like other lists', async () => {
    fake.editRecords('tmdb', 'person', Array.from({ length: 250 }, (_, i) => 1_000 + i), clock - 60_000);
    const first = await tmdbJson('/person/changes');
    expect(first).toMatchObject({ page: 1, total_pages: 3, total_results: 250 });
    expect((first.results as Body[]).length).toBe(100);
    const last = await tmdbJson('/person/changes?page=3');
    expect((last.results as Body[]).length).toBe(50);
    const all = [...(first.results as Body[]), ...((await tmdbJson('/person/changes?page=2')).results as Body[]), ...(last.results as Body[])].map((r) => r.id);
    expect(new Set(all).size).toBe(250);
    expect((await tmdb('/person/changes?page=0')).status).toBe(400);
  });

  test('a window over 14 days is 422 code 20; a bad date is 400 code 23', async () => {
    expect((await tmdb(`/movie/changes?start_date=${day(clock - 14 * DAY)}&end_date=${day(clock)}`)).status).toBe(200);
    const tooLong = await tmdb(`/movie/changes?start_date=${day(clock - 15 * DAY)}&end_date=${day(clock)}`);
    expect(tooLong.status).toBe(422);
    expect(await tooLong.json()).toEqual({ success: false, status_code: 20, status_message: 'Invalid date range: Should be a range no longer than 14 days.' });
    for (const bad of ['2025-13-01', '2025-02-30', 'yesterday', '2025-1-1']) {
      const r = await tmdb(`/tv/changes?start_date=${bad}`);
      expect({ bad, status: r.status }).toEqual({ bad, status: 400 });
      expect((await json(r)).status_code).toBe(23);
    }
  });

  test('every body of the edited record changes; details carry the change; its changes list it', async () => {
    const paths = ['/movie/550', '/movie/550/images', '/movie/550/credits', '/movie/550/external_ids', '/movie/550/translations', '/movie/550/release_dates'];
    const tvPaths = ['/tv/1399', '/tv/1399/season/1', '/tv/1399/season/1/episode/1', '/tv/1399/season/1/images', '/tv/1399/content_ratings', '/tv/1399/screened_theatrically'];
    const before = await Promise.all([...paths, ...tvPaths].map(async (p) => (await tmdb(p)).text()));
    fake.editRecord('tmdb', 'movie', 550);
    fake.editRecord('tmdb', 'tv', 1399);
    const after = await Promise.all([...paths, ...tvPaths].map(async (p) => (await tmdb(p)).text()));
    [...paths, ...tvPaths].forEach((path, i) => expect({ path, same: after[i] === before[i] }).toEqual({ path, same: false }));
    expect((await tmdbJson('/movie/550')).title).toBe('Soap & Sparks (rev 1)');
    expect((await tmdbJson('/movie/551')).title).not.toContain('(rev');
    const changes = (await tmdbJson('/movie/550/changes')).changes as { key: string; items: Body[] }[];
    expect(changes.map((c) => c.key)).toEqual(['title', 'overview']);
    expect(changes[0]?.items[0]).toMatchObject({ action: 'updated', value: 'Soap & Sparks (rev 1)', original_value: 'Soap & Sparks', time: '2025-01-15 12:00:00 UTC' });
    expect(((await tmdbJson('/movie/550?append_to_response=changes')).changes as Body).changes).toEqual(changes);
    expect(fake.revisionOf('tmdb', 'movie', 550)).toBe(1);
  });

  test('delete makes the record 404 on all its paths; the feed still lists it', async () => {
    fake.editRecord('tmdb', 'person', 287, { method: 'delete' });
    for (const path of ['/person/287', '/person/287/images', '/person/287/changes']) expect({ path, status: (await tmdb(path)).status }).toEqual({ path, status: 404 });
    expect((await tmdbJson('/person/changes')).results).toEqual([{ id: 287, adult: false }]);
    expect((await tmdb('/person/288')).status).toBe(200);
  });
});

describe('TVDB /updates', () => {
  test('since older than 3 months is 400; since is required', async () => {
    const old = await tvdb(`/updates?since=${unix(clock - 91 * DAY)}`);
    expect(old.status).toBe(400);
    expect(await old.json()).toEqual({ status: 'failure', message: 'InvalidValueType: since greater than 3 months ago', data: null });
    expect((await tvdb(`/updates?since=${unix(clock - 89 * DAY)}`)).status).toBe(200);
    expect((await tvdb('/updates')).status).toBe(400);
  });

  test('records in order of timeStamp with the update record fields; type and action filter', async () => {
    fake.editRecord('tvdb', 'series', 78878, { at: clock - 10_000 });
    fake.editRecord('tvdb', 'episodes', 31410001, { at: clock - 20_000 });
    fake.editRecord('tvdb', 'series', 5, { at: clock - 5_000, mergeToId: 6 });
    const since = unix(clock - 3_600_000);
    const body = await json(await tvdb(`/updates?since=${since}`));
    expect(body.data).toEqual([
      { recordType: '', recordId: 31410001, methodInt: 2, method: 'update', extraInfo: '', userId: 0, timeStamp: unix(clock - 20_000), entityType: 'episodes', seriesId: 78878 },
      { recordType: '', recordId: 78878, methodInt: 2, method: 'update', extraInfo: '', userId: 0, timeStamp: unix(clock - 10_000), entityType: 'series' },
      { recordType: '', recordId: 5, methodInt: 3, method: 'delete', extraInfo: '', userId: 0, timeStamp: unix(clock - 5_000), entityType: 'series', mergeToId: 6, mergeToEntityType: 'series' },
    ]);
    expect(body.links).toEqual({ prev: null, self: `https://api4.thetvdb.com/v4/updates?since=${since}&page=0`, next: null, total_items: 3, page_size: 500 });
    expect(((await tvdbData(`/updates?since=${since}&type=series&action=update`)) as unknown as Body[]).map((r) => r.recordId)).toEqual([78878]);
    expect(((await tvdbData(`/updates?since=${unix(clock - 7_000)}`)) as unknown as Body[]).map((r) => r.recordId)).toEqual([5]);
  });

  test('pages of 500 with links.next across more than 500 records', async () => {
    const ids = Array.from({ length: 1_200 }, (_, i) => 70_000 + i);
    fake.editRecords('tvdb', 'series', ids, clock - 60_000);
    fake.editRecord('tvdb', 'movies', 12586, { at: clock - 30_000 });
    const since = unix(clock - DAY);
    const seen: unknown[] = [];
    let next: string | null = `/updates?since=${since}&type=series`;
    let pages = 0;
    while (next !== null) {
      const body = await json(await tvdb(next));
      const links = body.links as { next: string | null; page_size: number; total_items: number };
      expect(links).toMatchObject({ page_size: 500, total_items: 1_200 });
      seen.push(...(body.data as Body[]).map((r) => r.recordId));
      next = links.next === null ? null : links.next.replace('https://api4.thetvdb.com/v4', '');
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(ids);
    const last = await json(await tvdb(`/updates?since=${since}&type=series&page=2`));
    expect((last.data as Body[]).length).toBe(200);
    expect((last.links as Body).prev).toBe(`https://api4.thetvdb.com/v4/updates?since=${since}&type=series&page=1`);
  });

  test('dataDelayMs: listed at `at`, old body until at + delay', async () => {
    const oldName = (await tvdbData('/series/78878')).name;
    fake.editRecord('tvdb', 'series', 78878, { dataDelayMs: 60_000 });
    expect(((await tvdbData(`/updates?since=${unix(clock - 1_000)}`)) as unknown as Body[]).map((r) => r.recordId)).toEqual([78878]);
    expect((await tvdbData('/series/78878')).name).toBe(oldName);
    expect(fake.revisionOf('tvdb', 'series', 78878)).toBe(0);
    clock += 59_999;
    expect((await tvdbData('/series/78878/extended')).name).toBe(oldName);
    clock += 1;
    expect((await tvdbData('/series/78878')).name).toBe(`${String(oldName)} (rev 1)`);
    expect((await tvdbData('/series/78878/extended')).name).toBe(`${String(oldName)} (rev 1)`);
    expect((await tvdbData('/series/78878')).lastUpdated).toBe('2025-01-15 12:00:00');
    expect((await tvdbData('/series/slug/static-bloom')).name).toBe(`${String(oldName)} (rev 1)`);
  });

  test('delete makes the record 404; its neighbours are untouched', async () => {
    fake.editRecord('tvdb', 'episodes', 31410001, { method: 'delete' });
    for (const path of ['/episodes/31410001', '/episodes/31410001/extended', '/episodes/31410001/translations/eng']) {
      expect({ path, status: (await tvdb(path)).status }).toEqual({ path, status: 404 });
    }
    expect((await tvdb('/series/78878')).status).toBe(200);
    fake.editRecord('tvdb', 'episodes', 31410001, { method: 'create' });
    expect((await tvdb('/episodes/31410001')).status).toBe(200);
  });

  test('every edited type revises its bodies; reset() keeps edits, clearEdits() forgets them', async () => {
    const paths: [string, string, number][] = [
      ['/movies/12586', 'movies', 12586], ['/people/312388', 'people', 312388], ['/seasons/7887801', 'seasons', 7887801],
      ['/artwork/63237874', 'artwork', 63237874], ['/episodes/31410001', 'episodes', 31410001],
    ];
    const before = await Promise.all(paths.map(async ([p]) => (await tvdb(p)).text()));
    for (const [, type, id] of paths) fake.editRecord('tvdb', type, id);
    fake.reset();
    const after = await Promise.all(paths.map(async ([p]) => (await tvdb(p)).text()));
    paths.forEach(([path], i) => expect({ path, same: after[i] === before[i] }).toEqual({ path, same: false }));
    fake.clearEdits();
    expect(await (await tvdb('/movies/12586')).text()).toBe(before[0] ?? '');
    expect(((await tvdbData(`/updates?since=${unix(clock - 1_000)}`)) as unknown as Body[])).toEqual([]);
  });

  test('bad edits throw instead of never matching', () => {
    expect(() => fake.editRecord('tvdb', 'episode', 1)).toThrow(/no type 'episode'/);
    expect(() => fake.editRecord('tmdb', 'movie', Number.NaN)).toThrow(/non-negative integer/);
    expect(() => fake.editRecord('tmdb', 'series', 1)).toThrow();
  });
});
