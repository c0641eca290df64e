/**
 * Real TMDB and TVDB client libraries from npm, unchanged, with only their base URL pointed at the
 * relay (in front of the fake upstream): moviedb-promise (TMDB v3: api_key, base URL argument) and
 * tvdbapi (TVDB v4: its own login flow, `endpoint` option). Each makes a handful of calls: details, a
 * search, paging, a TV season, and a 404.
 */
import { describe, expect, test } from 'bun:test';
import { MovieDb } from 'moviedb-promise';
import TVDB from 'tvdbapi';
import { useRelayHarness } from '../support/harness.ts';

const KEY = 'relay-access-key-0123456789';
const harness = useRelayHarness({ LOG_LEVEL: 'warn' });

describe('moviedb-promise against /3', () => {
  test('details, search with paging, a TV season, a 404; one upstream call per distinct request', async () => {
    const relay = await harness.start({ RELAY_ACCESS_KEYS: KEY });
    // The client's key field carries the relay's access key; the relay sends its own TMDB key.
    const tmdb = new MovieDb(KEY, `${relay.baseUrl}/3/`);
    const movie = await tmdb.movieInfo({ id: 550, append_to_response: 'credits' });
    expect(movie.id).toBe(550);
    expect(movie.title).toBeString();
    expect((movie as { credits?: { cast?: unknown[] } }).credits?.cast).toBeArray();

    const page1 = await tmdb.searchMovie({ query: 'fight club' });
    const page2 = await tmdb.searchMovie({ query: 'fight club', page: 2 });
    expect(page1.page).toBe(1);
    expect(page2.page).toBe(2);
    expect(page1.results?.length).toBeGreaterThan(0);

    const season = await tmdb.seasonInfo({ id: 1399, season_number: 1 });
    expect(season.season_number).toBe(1);
    expect(season.episodes?.length).toBeGreaterThan(0);

    const missing = await tmdb.movieInfo(900_000_001).then(
      () => null,
      (error: { response?: { status: number; data: { status_code: number } } }) => error.response,
    );
    expect(missing?.status).toBe(404);
    expect(missing?.data.status_code).toBe(34);

    // Asked again: all from the cache.
    await tmdb.movieInfo({ id: 550, append_to_response: 'credits' });
    await tmdb.searchMovie({ query: 'fight club', page: 2 });
    const calls = harness.fake.dataCalls('tmdb');
    expect(calls).toHaveLength(5);
    for (const call of calls) expect(call.query.api_key).toBe(harness.fake.options.tmdbApiKey);
  });

  test('a wrong key gets TMDB\'s own 401, which the client reports', async () => {
    const relay = await harness.start({ RELAY_ACCESS_KEYS: KEY });
    const tmdb = new MovieDb('0123456789abcdef0123456789abcdef', `${relay.baseUrl}/3/`);
    const refused = await tmdb.movieInfo(550).then(
      () => null,
      (error: { response?: { status: number; data: unknown } }) => error.response,
    );
    expect(refused?.status).toBe(401);
    expect(refused?.data).toMatchObject({ success: false, status_code: 7 });
    expect(harness.fake.requests).toHaveLength(0);
  });
});

describe('tvdbapi against /v4', () => {
  test('login, series, episodes with paging, a season, search, a 404', async () => {
    const relay = await harness.start({ RELAY_ACCESS_KEYS: KEY });
    const tvdb = new TVDB({ apikey: KEY, endpoint: `${relay.baseUrl}/v4` });
    const series = (await tvdb.series.get({ id: 78878 })) as { status: string; data: { id: number; name: string } };
    expect(series.status).toBe('success');
    expect(series.data.id).toBe(78878);

    const episodes = (await tvdb.series.episodes['season-type']({ id: 78878, 'season-type': 'default', season: 1 })) as {
      data: { episodes: unknown[] };
      links: { next: string | null; self: string };
    };
    expect(episodes.data.episodes.length).toBeGreaterThan(0);
    // Paging links point at the relay, so following them stays on the relay.
    expect(episodes.links.self).toStartWith(`${relay.baseUrl}/v4/`);

    const season = (await tvdb.seasons.get({ id: 7887801 })) as { status: string; data: { id: number } };
    expect(season.data.id).toBe(7887801);

    const found = (await tvdb.search({ query: 'the office', type: 'series' })) as { status: string; data: unknown[] };
    expect(found.status).toBe('success');

    const missing = await tvdb.series.get({ id: 900_000_001 }).then(
      () => null,
      (error: { response?: { statusCode: number; body: string } }) => error.response,
    );
    expect(missing?.statusCode).toBe(404);
    expect(JSON.parse(missing?.body ?? '{}')).toMatchObject({ status: 'failure' });

    // The client logged in to the relay; the relay logged in to TVDB once, with its own key.
    expect(harness.fake.logins()).toHaveLength(1);
    expect(harness.fake.logins()[0]?.body).toContain(harness.fake.options.tvdbApiKey);
  });

  test('a wrong apikey fails at login with TVDB\'s own 401', async () => {
    const relay = await harness.start({ RELAY_ACCESS_KEYS: KEY });
    const tvdb = new TVDB({ apikey: 'not-a-relay-key', endpoint: `${relay.baseUrl}/v4` });
    const refused = await tvdb.series.get({ id: 78878 }).then(
      () => null,
      (error: { response?: { statusCode: number; body: string } }) => error.response,
    );
    expect(refused?.statusCode).toBe(401);
    expect(JSON.parse(refused?.body ?? '{}')).toEqual({ status: 'failure', message: 'InvalidAPIKey: apikey invalid', data: null });
    expect(harness.fake.requests).toHaveLength(0);
  });
});
