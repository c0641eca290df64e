import { endpoint } from '../catalog.ts';
import { mountRoute, type MountDef, type MountRoute } from '../mount.ts';

/**
 * The routes Mydia speaks (../shared/reference/mydia-contract.md), then the ones a client of a
 * TMDB/TVDB relay would expect next, each onto a catalog endpoint. Fixed paths are matched before
 * `:id` by the router.
 */
const route = (path: string, endpointId: string, extra: Omit<MountDef, 'path' | 'endpoint'> = {}): MountRoute =>
  mountRoute({ path, endpoint: endpoint(endpointId), ...extra });

export const MYDIA_ROUTES: readonly MountRoute[] = [
  route('/configuration', 'tmdb.configuration', {
    forwardQuery: false,
    summary: 'TMDB API configuration (image base URLs); Mydia uses it as a connection test',
  }),
  route('/tmdb/movies/search', 'tmdb.search.movie'),
  route('/tmdb/tv/search', 'tmdb.search.tv'),
  route('/tmdb/movies/trending', 'tmdb.trending', { id: 'tmdb.trending.movie', fixed: { media_type: 'movie', time_window: 'week' }, summary: 'Trending movies this week' }),
  route('/tmdb/tv/trending', 'tmdb.trending', { id: 'tmdb.trending.tv', fixed: { media_type: 'tv', time_window: 'week' }, summary: 'Trending TV shows this week' }),
  route('/tmdb/movies/popular', 'tmdb.movie.popular'),
  route('/tmdb/movies/upcoming', 'tmdb.movie.upcoming'),
  route('/tmdb/movies/now_playing', 'tmdb.movie.now_playing'),
  route('/tmdb/tv/popular', 'tmdb.tv.popular'),
  route('/tmdb/tv/on_the_air', 'tmdb.tv.on_the_air'),
  route('/tmdb/tv/airing_today', 'tmdb.tv.airing_today'),
  route('/tmdb/movies/discover', 'tmdb.discover.movie'),
  route('/tmdb/tv/discover', 'tmdb.discover.tv'),
  route('/tmdb/genre/movie', 'tmdb.genre.movie'),
  route('/tmdb/genre/tv', 'tmdb.genre.tv'),
  route('/tmdb/watch/providers/:type', 'tmdb.watch_providers'),
  route('/tmdb/list/:id', 'tmdb.list', { rename: { id: 'list_id' } }),
  route('/tmdb/collections/:id', 'tmdb.collection', { rename: { id: 'collection_id' } }),
  route('/tmdb/movies/:id', 'tmdb.movie', {
    rename: { id: 'movie_id' },
    description: 'Mydia sends append_to_response such as credits,alternative_titles or credits,images,videos,keywords.',
  }),
  route('/tmdb/tv/shows/:id', 'tmdb.tv', { rename: { id: 'series_id' } }),
  route('/tmdb/movies/:id/images', 'tmdb.movie.images', { rename: { id: 'movie_id' } }),
  route('/tmdb/tv/shows/:id/images', 'tmdb.tv.images', { rename: { id: 'series_id' } }),
  route('/tmdb/tv/shows/:id/:season', 'tmdb.tv.season', { rename: { id: 'series_id', season: 'season_number' } }),
  route('/tmdb/tv/shows/:id/:season/:episode', 'tmdb.tv.episode', { rename: { id: 'series_id', season: 'season_number', episode: 'episode_number' } }),
  route('/tmdb/find/:externalId', 'tmdb.find', { rename: { externalId: 'external_id' } }),

  route('/tvdb/search', 'tvdb.search', { summary: 'Search TVDB (Mydia sends type=series)' }),
  route('/tvdb/search/remoteid/:remoteId', 'tvdb.search.remoteid'),
  route('/tvdb/series/:id', 'tvdb.series'),
  route('/tvdb/series/:id/extended', 'tvdb.series.extended'),
  route('/tvdb/series/:id/episodes', 'tvdb.series.episodes', {
    fixed: { 'season-type': 'default' },
    summary: 'Episodes of a series in default order (page is 0-based)',
    description: 'Upstream /series/{id}/episodes/default with page, season, episodeNumber and airDate as query parameters.',
  }),
  route('/tvdb/series/:id/episodes/:seasonType', 'tvdb.series.episodes', {
    id: 'tvdb.series.episodes.ordered',
    rename: { seasonType: 'season-type' },
    summary: 'Episodes of a series in a given season order (official, dvd, absolute, ...)',
  }),
  route('/tvdb/series/:id/artworks', 'tvdb.series.artworks'),
  route('/tvdb/series/:id/nextAired', 'tvdb.series.next_aired'),
  route('/tvdb/seasons/types', 'tvdb.season.types'),
  route('/tvdb/seasons/:id', 'tvdb.season'),
  route('/tvdb/seasons/:id/extended', 'tvdb.season.extended'),
  route('/tvdb/episodes/:id', 'tvdb.episode'),
  route('/tvdb/episodes/:id/extended', 'tvdb.episode.extended'),
  route('/tvdb/artwork/types', 'tvdb.artwork.types'),
  route('/tvdb/artwork/:id', 'tvdb.artwork'),
  route('/tvdb/artwork/:id/extended', 'tvdb.artwork.extended'),
  route('/tvdb/movies/:id', 'tvdb.movie'),
  route('/tvdb/movies/:id/extended', 'tvdb.movie.extended'),
  route('/tvdb/people/:id', 'tvdb.person'),
  route('/tvdb/genres', 'tvdb.genres'),
  route('/tvdb/languages', 'tvdb.languages'),
];
