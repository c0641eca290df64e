import type { TObject, TSchema } from '@sinclair/typebox';
import { t } from 'elysia';
import type { RouteFamily } from '../cache/policy.ts';
import type { UpstreamName } from '../upstreams/types.ts';
import { EpisodeNumber, ExternalId, Id, Query, SeasonNumber, TvdbSeasonType, WatchProviderType } from './schemas.ts';

/** One relay route: where it lives, what it validates, where it goes upstream, how long it keeps. */
export interface ProxyRoute {
  /** Stable name for logs, metrics and cache keys' readers, e.g. "tmdb.movie". */
  id: string;
  upstream: UpstreamName;
  path: string;
  params?: TObject;
  query: TObject;
  family: RouteFamily;
  /** Season/episode bodies: cache for hours while episodes are still airing. */
  settles?: boolean;
  /** Caller query forwarded upstream (default true). */
  forwardQuery?: boolean;
  /** Upstream path for validated params; every param is URL-encoded. */
  upstreamPath: (params: Record<string, string>) => string;
  summary: string;
  description?: string;
}

type RouteDef = Omit<ProxyRoute, 'upstream' | 'upstreamPath' | 'params'> & {
  /** Upstream path template, `{name}` filled from the path params. */
  to: string;
  params?: Record<string, TSchema>;
};

function route(upstream: UpstreamName, def: RouteDef): ProxyRoute {
  const { to, params, ...rest } = def;
  const parts = to.split(/(\{[A-Za-z]+\})/);
  return {
    ...rest,
    upstream,
    params: params ? t.Object(params) : undefined,
    upstreamPath: (values) =>
      parts.map((part) => (part.startsWith('{') ? encodeURIComponent(values[part.slice(1, -1)] ?? '') : part)).join(''),
  };
}

const tmdb = (def: RouteDef) => route('tmdb', def);
const tvdb = (def: RouteDef) => route('tvdb', def);

const list = (id: string, path: string, to: string, summary: string) =>
  tmdb({ id, path, to, query: Query.paged, family: 'lists', summary });

/**
 * Every relay route. Mydia's contract (../shared/reference/mydia-contract.md) first, then routes a
 * client of a TMDB/TVDB relay would expect. Fixed paths are matched before `:id` by the router.
 */
export const PROXY_ROUTES: readonly ProxyRoute[] = [
  tmdb({
    id: 'tmdb.configuration',
    path: '/configuration',
    to: '/configuration',
    query: Query.none,
    forwardQuery: false,
    family: 'reference',
    summary: 'TMDB API configuration (image base URLs); Mydia uses it as a connection test',
  }),
  tmdb({ id: 'tmdb.search.movie', path: '/tmdb/movies/search', to: '/search/movie', query: Query.movieSearch, family: 'search', summary: 'Search movies' }),
  tmdb({ id: 'tmdb.search.tv', path: '/tmdb/tv/search', to: '/search/tv', query: Query.tvSearch, family: 'search', summary: 'Search TV shows' }),
  list('tmdb.trending.movie', '/tmdb/movies/trending', '/trending/movie/week', 'Trending movies this week'),
  list('tmdb.trending.tv', '/tmdb/tv/trending', '/trending/tv/week', 'Trending TV shows this week'),
  list('tmdb.movie.popular', '/tmdb/movies/popular', '/movie/popular', 'Popular movies'),
  list('tmdb.movie.upcoming', '/tmdb/movies/upcoming', '/movie/upcoming', 'Upcoming movies'),
  list('tmdb.movie.now_playing', '/tmdb/movies/now_playing', '/movie/now_playing', 'Movies now in theatres'),
  list('tmdb.tv.popular', '/tmdb/tv/popular', '/tv/popular', 'Popular TV shows'),
  list('tmdb.tv.on_the_air', '/tmdb/tv/on_the_air', '/tv/on_the_air', 'TV shows airing in the next 7 days'),
  list('tmdb.tv.airing_today', '/tmdb/tv/airing_today', '/tv/airing_today', 'TV shows airing today'),
  tmdb({ id: 'tmdb.discover.movie', path: '/tmdb/movies/discover', to: '/discover/movie', query: Query.discover, family: 'lists', summary: 'Discover movies by filters' }),
  tmdb({ id: 'tmdb.discover.tv', path: '/tmdb/tv/discover', to: '/discover/tv', query: Query.discover, family: 'lists', summary: 'Discover TV shows by filters' }),
  tmdb({ id: 'tmdb.genre.movie', path: '/tmdb/genre/movie', to: '/genre/movie/list', query: Query.language, family: 'reference', summary: 'Movie genres' }),
  tmdb({ id: 'tmdb.genre.tv', path: '/tmdb/genre/tv', to: '/genre/tv/list', query: Query.language, family: 'reference', summary: 'TV genres' }),
  tmdb({
    id: 'tmdb.watch_providers',
    path: '/tmdb/watch/providers/:type',
    to: '/watch/providers/{type}',
    params: { type: WatchProviderType },
    query: Query.watchProviders,
    family: 'reference',
    summary: 'Streaming providers for movies or TV',
  }),
  tmdb({ id: 'tmdb.list', path: '/tmdb/list/:id', to: '/list/{id}', params: { id: Id }, query: Query.listDetails, family: 'details', summary: 'A TMDB list' }),
  tmdb({ id: 'tmdb.collection', path: '/tmdb/collections/:id', to: '/collection/{id}', params: { id: Id }, query: Query.language, family: 'details', summary: 'A movie collection' }),
  tmdb({
    id: 'tmdb.movie',
    path: '/tmdb/movies/:id',
    to: '/movie/{id}',
    params: { id: Id },
    query: Query.details,
    family: 'details',
    summary: 'Movie details',
    description: 'Mydia sends append_to_response such as credits,alternative_titles or credits,images,videos,keywords.',
  }),
  tmdb({ id: 'tmdb.tv', path: '/tmdb/tv/shows/:id', to: '/tv/{id}', params: { id: Id }, query: Query.details, family: 'details', summary: 'TV show details' }),
  tmdb({ id: 'tmdb.movie.images', path: '/tmdb/movies/:id/images', to: '/movie/{id}/images', params: { id: Id }, query: Query.images, family: 'images', summary: 'Movie posters, backdrops and logos' }),
  tmdb({ id: 'tmdb.tv.images', path: '/tmdb/tv/shows/:id/images', to: '/tv/{id}/images', params: { id: Id }, query: Query.images, family: 'images', summary: 'TV show posters, backdrops and logos' }),
  tmdb({
    id: 'tmdb.tv.season',
    path: '/tmdb/tv/shows/:id/:season',
    to: '/tv/{id}/season/{season}',
    params: { id: Id, season: SeasonNumber },
    query: Query.season,
    family: 'seasons',
    settles: true,
    summary: 'A season with its episodes',
  }),
  tmdb({
    id: 'tmdb.tv.episode',
    path: '/tmdb/tv/shows/:id/:season/:episode',
    to: '/tv/{id}/season/{season}/episode/{episode}',
    params: { id: Id, season: SeasonNumber, episode: EpisodeNumber },
    query: Query.season,
    family: 'seasons',
    settles: true,
    summary: 'One episode',
  }),
  tmdb({
    id: 'tmdb.find',
    path: '/tmdb/find/:externalId',
    to: '/find/{externalId}',
    params: { externalId: ExternalId },
    query: Query.find,
    family: 'details',
    summary: 'Find TMDB records by an IMDb, TVDB or other external id',
  }),

  tvdb({ id: 'tvdb.search', path: '/tvdb/search', to: '/search', query: Query.tvdbSearch, family: 'search', summary: 'Search TVDB (Mydia sends type=series)' }),
  tvdb({
    id: 'tvdb.search.remoteid',
    path: '/tvdb/search/remoteid/:remoteId',
    to: '/search/remoteid/{remoteId}',
    params: { remoteId: ExternalId },
    query: Query.none,
    family: 'details',
    summary: 'Find TVDB records by an IMDb, TMDB or other remote id',
  }),
  tvdb({ id: 'tvdb.series', path: '/tvdb/series/:id', to: '/series/{id}', params: { id: Id }, query: Query.none, family: 'details', summary: 'Series base record' }),
  tvdb({
    id: 'tvdb.series.extended',
    path: '/tvdb/series/:id/extended',
    to: '/series/{id}/extended',
    params: { id: Id },
    query: Query.tvdbExtended,
    family: 'details',
    summary: 'Series extended record (meta=translations|episodes, short=true)',
  }),
  tvdb({
    id: 'tvdb.series.episodes',
    path: '/tvdb/series/:id/episodes',
    to: '/series/{id}/episodes/default',
    params: { id: Id },
    query: Query.tvdbEpisodes,
    family: 'seasons',
    settles: true,
    summary: 'Episodes of a series in default order (page is 0-based)',
    description: 'Upstream /series/{id}/episodes/default with page, season, episodeNumber and airDate as query parameters.',
  }),
  tvdb({
    id: 'tvdb.series.episodes.ordered',
    path: '/tvdb/series/:id/episodes/:seasonType',
    to: '/series/{id}/episodes/{seasonType}',
    params: { id: Id, seasonType: TvdbSeasonType },
    query: Query.tvdbEpisodes,
    family: 'seasons',
    settles: true,
    summary: 'Episodes of a series in a given season order (official, dvd, absolute, ...)',
  }),
  tvdb({ id: 'tvdb.series.artworks', path: '/tvdb/series/:id/artworks', to: '/series/{id}/artworks', params: { id: Id }, query: Query.tvdbArtworks, family: 'images', summary: 'Series artworks' }),
  tvdb({ id: 'tvdb.series.next_aired', path: '/tvdb/series/:id/nextAired', to: '/series/{id}/nextAired', params: { id: Id }, query: Query.none, family: 'lists', summary: 'Series record with its next air date' }),
  tvdb({ id: 'tvdb.season.types', path: '/tvdb/seasons/types', to: '/seasons/types', query: Query.none, family: 'reference', summary: 'Season types' }),
  tvdb({ id: 'tvdb.season', path: '/tvdb/seasons/:id', to: '/seasons/{id}', params: { id: Id }, query: Query.none, family: 'seasons', settles: true, summary: 'Season base record' }),
  tvdb({
    id: 'tvdb.season.extended',
    path: '/tvdb/seasons/:id/extended',
    to: '/seasons/{id}/extended',
    params: { id: Id },
    query: Query.tvdbTranslations,
    family: 'seasons',
    settles: true,
    summary: 'Season with episodes and artwork (meta=translations)',
  }),
  tvdb({ id: 'tvdb.episode', path: '/tvdb/episodes/:id', to: '/episodes/{id}', params: { id: Id }, query: Query.none, family: 'seasons', settles: true, summary: 'Episode base record' }),
  tvdb({
    id: 'tvdb.episode.extended',
    path: '/tvdb/episodes/:id/extended',
    to: '/episodes/{id}/extended',
    params: { id: Id },
    query: Query.tvdbTranslations,
    family: 'seasons',
    settles: true,
    summary: 'Episode extended record (meta=translations)',
  }),
  tvdb({ id: 'tvdb.artwork.types', path: '/tvdb/artwork/types', to: '/artwork/types', query: Query.none, family: 'reference', summary: 'Artwork types' }),
  tvdb({ id: 'tvdb.artwork', path: '/tvdb/artwork/:id', to: '/artwork/{id}', params: { id: Id }, query: Query.none, family: 'images', summary: 'Artwork base record' }),
  tvdb({ id: 'tvdb.artwork.extended', path: '/tvdb/artwork/:id/extended', to: '/artwork/{id}/extended', params: { id: Id }, query: Query.none, family: 'images', summary: 'Artwork extended record' }),
  tvdb({ id: 'tvdb.movie', path: '/tvdb/movies/:id', to: '/movies/{id}', params: { id: Id }, query: Query.none, family: 'details', summary: 'Movie base record' }),
  tvdb({ id: 'tvdb.movie.extended', path: '/tvdb/movies/:id/extended', to: '/movies/{id}/extended', params: { id: Id }, query: Query.tvdbExtended, family: 'details', summary: 'Movie extended record' }),
  tvdb({ id: 'tvdb.person', path: '/tvdb/people/:id', to: '/people/{id}', params: { id: Id }, query: Query.none, family: 'details', summary: 'Person base record' }),
  tvdb({ id: 'tvdb.genres', path: '/tvdb/genres', to: '/genres', query: Query.none, family: 'reference', summary: 'Genres' }),
  tvdb({ id: 'tvdb.languages', path: '/tvdb/languages', to: '/languages', query: Query.none, family: 'reference', summary: 'Languages' }),
];
