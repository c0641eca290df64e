/**
 * Every row of Mydia's contract (../shared/reference/mydia-contract.md), called the way Mydia calls
 * it: its parameters, in its order, with its encodings (`,` as %2C, space as +). `upstream` is what
 * the relay must ask for; query values are decoded, and `api_key` is checked separately.
 */
export interface ContractCase {
  relay: string;
  upstream: 'tmdb' | 'tvdb';
  path: string;
  query: Record<string, string>;
}

const tmdb = (relay: string, path: string, query: Record<string, string> = {}): ContractCase => ({ relay, upstream: 'tmdb', path: `/3${path}`, query });
const tvdb = (relay: string, path: string, query: Record<string, string> = {}): ContractCase => ({ relay, upstream: 'tvdb', path: `/v4${path}`, query });

const listQuery = { language: 'en-US', page: '2' };

export const CONTRACT_CASES: ContractCase[] = [
  // Query params on /configuration are not forwarded (and a caller's api_key never is).
  tmdb('/configuration?api_key=callers-own-key&foo=bar', '/configuration'),
  tmdb('/tmdb/movies/search?query=the+matrix&language=en-US&include_adult=false&page=1&year=1999', '/search/movie', {
    query: 'the matrix',
    language: 'en-US',
    include_adult: 'false',
    page: '1',
    year: '1999',
  }),
  tmdb('/tmdb/tv/search?query=breaking+bad&language=en-US&include_adult=false&page=1&first_air_date_year=2008', '/search/tv', {
    query: 'breaking bad',
    language: 'en-US',
    include_adult: 'false',
    page: '1',
    first_air_date_year: '2008',
  }),
  tmdb('/tmdb/movies/trending?language=en-US&page=2', '/trending/movie/week', listQuery),
  tmdb('/tmdb/tv/trending?language=en-US&page=2', '/trending/tv/week', listQuery),
  tmdb('/tmdb/movies/popular?language=en-US&page=2', '/movie/popular', listQuery),
  tmdb('/tmdb/movies/upcoming?language=en-US&page=2', '/movie/upcoming', listQuery),
  tmdb('/tmdb/movies/now_playing?language=en-US&page=2', '/movie/now_playing', listQuery),
  tmdb('/tmdb/tv/popular?language=en-US&page=2', '/tv/popular', listQuery),
  tmdb('/tmdb/tv/on_the_air?language=en-US&page=2', '/tv/on_the_air', listQuery),
  tmdb('/tmdb/tv/airing_today?language=en-US&page=2', '/tv/airing_today', listQuery),
  tmdb(
    '/tmdb/movies/discover?language=en-US&page=1&sort_by=popularity.desc&with_genres=28%2C12&with_original_language=en&primary_release_year=2020&vote_average.gte=7',
    '/discover/movie',
    {
      language: 'en-US',
      page: '1',
      sort_by: 'popularity.desc',
      with_genres: '28,12',
      with_original_language: 'en',
      primary_release_year: '2020',
      'vote_average.gte': '7',
    },
  ),
  tmdb('/tmdb/tv/discover?language=en-US&page=1&sort_by=popularity.desc&with_genres=18&first_air_date_year=2019', '/discover/tv', {
    language: 'en-US',
    page: '1',
    sort_by: 'popularity.desc',
    with_genres: '18',
    first_air_date_year: '2019',
  }),
  tmdb('/tmdb/genre/movie?language=en-US', '/genre/movie/list', { language: 'en-US' }),
  tmdb('/tmdb/genre/tv?language=en-US', '/genre/tv/list', { language: 'en-US' }),
  tmdb('/tmdb/watch/providers/movie?language=en-US', '/watch/providers/movie', { language: 'en-US' }),
  tmdb('/tmdb/watch/providers/tv', '/watch/providers/tv'),
  tmdb('/tmdb/list/8136', '/list/8136'),
  tmdb('/tmdb/collections/10?language=en-US', '/collection/10', { language: 'en-US' }),
  // Mydia's four append_to_response variants; the relay sends them trimmed, deduplicated and sorted.
  tmdb('/tmdb/movies/550?language=en-US&append_to_response=credits%2Calternative_titles', '/movie/550', {
    language: 'en-US',
    append_to_response: 'alternative_titles,credits',
  }),
  tmdb('/tmdb/movies/603?language=en-US&append_to_response=credits%2Cimages%2Cvideos%2Ckeywords', '/movie/603', {
    language: 'en-US',
    append_to_response: 'credits,images,keywords,videos',
  }),
  tmdb('/tmdb/tv/shows/1396?language=en-US&append_to_response=credits%2Calternative_titles%2Cvideos%2Cexternal_ids', '/tv/1396', {
    language: 'en-US',
    append_to_response: 'alternative_titles,credits,external_ids,videos',
  }),
  tmdb('/tmdb/tv/shows/1399?append_to_response=recommendations', '/tv/1399', { append_to_response: 'recommendations' }),
  tmdb('/tmdb/movies/550/images', '/movie/550/images'),
  tmdb('/tmdb/movies/550/images?language=en&include_image_language=en%2Cnull', '/movie/550/images', {
    language: 'en',
    include_image_language: 'en,null',
  }),
  tmdb('/tmdb/tv/shows/1396/images', '/tv/1396/images'),
  tmdb('/tmdb/tv/shows/1396/1?language=en-US', '/tv/1396/season/1', { language: 'en-US' }),
  // Beyond Mydia's table: an episode, and find-by-external-id.
  tmdb('/tmdb/tv/shows/1396/1/1', '/tv/1396/season/1/episode/1'),
  tmdb('/tmdb/find/tt0903747?external_source=imdb_id', '/find/tt0903747', { external_source: 'imdb_id' }),

  tvdb('/tvdb/search?query=breaking+bad&type=series', '/search', { query: 'breaking bad', type: 'series' }),
  tvdb('/tvdb/series/81189', '/series/81189'),
  tvdb('/tvdb/series/81189/extended?meta=translations&short=true', '/series/81189/extended', { meta: 'translations', short: 'true' }),
  tvdb('/tvdb/series/81189/extended?meta=episodes', '/series/81189/extended', { meta: 'episodes' }),
  // The incumbent built /episodes/default/page/N (always a 400 upstream); the page belongs in the query.
  tvdb('/tvdb/series/81189/episodes?page=0', '/series/81189/episodes/default', { page: '0' }),
  tvdb('/tvdb/series/81189/episodes?season=1&episodeNumber=2', '/series/81189/episodes/default', { season: '1', episodeNumber: '2' }),
  tvdb('/tvdb/series/81189/episodes/official?page=1&airDate=2008-01-20', '/series/81189/episodes/official', { page: '1', airDate: '2008-01-20' }),
  tvdb('/tvdb/seasons/30272', '/seasons/30272'),
  tvdb('/tvdb/seasons/30272/extended?meta=translations', '/seasons/30272/extended', { meta: 'translations' }),
  tvdb('/tvdb/episodes/349232', '/episodes/349232'),
  tvdb('/tvdb/episodes/349232/extended?meta=translations', '/episodes/349232/extended', { meta: 'translations' }),
  tvdb('/tvdb/artwork/63237874', '/artwork/63237874'),
  // Beyond Mydia's table.
  tvdb('/tvdb/artwork/types', '/artwork/types'),
  tvdb('/tvdb/movies/12586/extended', '/movies/12586/extended'),
  tvdb('/tvdb/people/312388', '/people/312388'),
  tvdb('/tvdb/search/remoteid/tt0903747', '/search/remoteid/tt0903747'),
];
