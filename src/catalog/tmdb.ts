import { defineEndpoint, type Endpoint, type EndpointDef } from './endpoint.ts';
import { Path } from './params.ts';

/**
 * TMDB v3 endpoints (paths below https://api.themoviedb.org/3). Query names follow TMDB's OpenAPI
 * for each path, plus the ones TMDB honours that the spec leaves out (`page`/`region` on trending,
 * the appended sub-resources' filters on details).
 */
const tmdb = (def: EndpointDef): Endpoint => defineEndpoint('tmdb', def);

const PAGED = ['language', 'page', 'region'] as const;
/** Details with append_to_response: the filters of the sub-resources that can be appended. */
const DETAILS = ['language', 'append_to_response', 'include_image_language', 'include_video_language'] as const;
const IMAGES = ['language', 'include_image_language'] as const;
const DISCOVER_COMMON = [
  'language', 'page', 'sort_by', 'include_adult', 'watch_region', 'with_genres', 'without_genres', 'with_keywords', 'without_keywords',
  'with_companies', 'without_companies', 'with_origin_country', 'with_original_language', 'with_runtime.gte', 'with_runtime.lte',
  'with_watch_monetization_types', 'with_watch_providers', 'without_watch_providers', 'vote_average.gte', 'vote_average.lte',
  'vote_count.gte', 'vote_count.lte',
] as const;

const movie = { movie_id: Path.id };
const series = { series_id: Path.id };
const season = { ...series, season_number: Path.seasonNumber };
const episode = { ...season, episode_number: Path.episodeNumber };
const MOVIE_RECORD = ['tmdb:movie:{movie_id}'];
const TV_RECORD = ['tmdb:tv:{series_id}'];

export const TMDB_ENDPOINTS: readonly Endpoint[] = [
  tmdb({ id: 'tmdb.configuration', template: '/configuration', family: 'reference', summary: 'API configuration (image base URLs)' }),
  tmdb({ id: 'tmdb.search.movie', template: '/search/movie', query: ['query', 'include_adult', 'language', 'primary_release_year', 'page', 'region', 'year'], required: ['query'], family: 'search', summary: 'Search movies' }),
  tmdb({ id: 'tmdb.search.tv', template: '/search/tv', query: ['query', 'first_air_date_year', 'include_adult', 'language', 'page', 'year'], required: ['query'], family: 'search', summary: 'Search TV shows' }),
  tmdb({
    id: 'tmdb.trending',
    template: '/trending/{media_type}/{time_window}',
    params: { media_type: Path.trendingMedia, time_window: Path.timeWindow },
    query: PAGED,
    family: 'lists',
    summary: 'Trending movies, shows or people over a day or a week',
  }),
  tmdb({ id: 'tmdb.movie.popular', template: '/movie/popular', query: PAGED, family: 'lists', summary: 'Popular movies' }),
  tmdb({ id: 'tmdb.movie.upcoming', template: '/movie/upcoming', query: PAGED, family: 'lists', summary: 'Upcoming movies' }),
  tmdb({ id: 'tmdb.movie.now_playing', template: '/movie/now_playing', query: PAGED, family: 'lists', summary: 'Movies now in theatres' }),
  tmdb({ id: 'tmdb.tv.popular', template: '/tv/popular', query: PAGED, family: 'lists', summary: 'Popular TV shows' }),
  tmdb({ id: 'tmdb.tv.on_the_air', template: '/tv/on_the_air', query: [...PAGED, 'timezone'], family: 'lists', summary: 'TV shows airing in the next 7 days' }),
  tmdb({ id: 'tmdb.tv.airing_today', template: '/tv/airing_today', query: [...PAGED, 'timezone'], family: 'lists', summary: 'TV shows airing today' }),
  tmdb({
    id: 'tmdb.discover.movie',
    template: '/discover/movie',
    query: [
      ...DISCOVER_COMMON, 'certification', 'certification.gte', 'certification.lte', 'certification_country', 'include_video', 'primary_release_year',
      'primary_release_date.gte', 'primary_release_date.lte', 'region', 'release_date.gte', 'release_date.lte', 'with_cast', 'with_crew', 'with_people',
      'with_release_type', 'year', 'first_air_date_year',
    ],
    family: 'lists',
    summary: 'Discover movies by filters',
  }),
  tmdb({
    id: 'tmdb.discover.tv',
    template: '/discover/tv',
    query: [
      ...DISCOVER_COMMON, 'air_date.gte', 'air_date.lte', 'first_air_date_year', 'first_air_date.gte', 'first_air_date.lte', 'include_null_first_air_dates',
      'screened_theatrically', 'timezone', 'with_networks', 'with_status', 'with_type', 'primary_release_year',
    ],
    family: 'lists',
    summary: 'Discover TV shows by filters',
  }),
  tmdb({ id: 'tmdb.genre.movie', template: '/genre/movie/list', query: ['language'], family: 'reference', summary: 'Movie genres' }),
  tmdb({ id: 'tmdb.genre.tv', template: '/genre/tv/list', query: ['language'], family: 'reference', summary: 'TV genres' }),
  tmdb({
    id: 'tmdb.watch_providers',
    template: '/watch/providers/{type}',
    params: { type: Path.watchProviderType },
    query: ['language', 'watch_region'],
    family: 'reference',
    summary: 'Streaming providers for movies or TV',
  }),
  tmdb({ id: 'tmdb.list', template: '/list/{list_id}', params: { list_id: Path.id }, query: ['language', 'page'], records: ['tmdb:list:{list_id}'], family: 'details', summary: 'A TMDB list' }),
  tmdb({
    id: 'tmdb.collection',
    template: '/collection/{collection_id}',
    params: { collection_id: Path.id },
    query: ['language'],
    records: ['tmdb:collection:{collection_id}'],
    family: 'details',
    summary: 'A movie collection',
  }),
  tmdb({ id: 'tmdb.movie', template: '/movie/{movie_id}', params: movie, query: DETAILS, records: MOVIE_RECORD, family: 'details', summary: 'Movie details' }),
  tmdb({ id: 'tmdb.tv', template: '/tv/{series_id}', params: series, query: DETAILS, records: TV_RECORD, family: 'details', summary: 'TV show details' }),
  tmdb({ id: 'tmdb.movie.images', template: '/movie/{movie_id}/images', params: movie, query: IMAGES, records: MOVIE_RECORD, family: 'images', summary: 'Movie posters, backdrops and logos' }),
  tmdb({ id: 'tmdb.tv.images', template: '/tv/{series_id}/images', params: series, query: IMAGES, records: TV_RECORD, family: 'images', summary: 'TV show posters, backdrops and logos' }),
  tmdb({
    id: 'tmdb.tv.season',
    template: '/tv/{series_id}/season/{season_number}',
    params: season,
    query: DETAILS,
    records: TV_RECORD,
    family: 'seasons',
    settles: true,
    summary: 'A season with its episodes',
  }),
  tmdb({
    id: 'tmdb.tv.episode',
    template: '/tv/{series_id}/season/{season_number}/episode/{episode_number}',
    params: episode,
    query: DETAILS,
    records: TV_RECORD,
    family: 'seasons',
    settles: true,
    summary: 'One episode',
  }),
  tmdb({
    id: 'tmdb.find',
    template: '/find/{external_id}',
    params: { external_id: Path.externalId },
    query: ['external_source', 'language'],
    required: ['external_source'],
    family: 'details',
    summary: 'Find TMDB records by an IMDb, TVDB or other external id',
  }),
];
