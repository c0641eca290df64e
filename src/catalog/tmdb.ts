import { endpointTable, type Endpoint } from './endpoint.ts';
import { Path } from './params.ts';

/**
 * TMDB v3: every read path a metadata client needs (paths below https://api.themoviedb.org/3), checked
 * against TMDB's OpenAPI by test/catalog. Query names follow the spec for each path, plus the ones TMDB
 * honours that the spec leaves out (`page`/`region` on trending, the appended sub-resources' filters on
 * details). Refused on purpose, whatever the spec lists: see TMDB_REFUSED.
 */
const tmdb = endpointTable('tmdb');

const PAGED = ['language', 'page', 'region'] as const;
/** Details with append_to_response: the filters of the sub-resources that can be appended. */
const DETAILS = ['language', 'append_to_response', 'include_image_language', 'include_video_language'] as const;
const IMAGES = ['language', 'include_image_language'] as const;
const VIDEOS = ['language', 'include_video_language'] as const;
const CHANGES = ['start_date', 'end_date', 'page'] as const;
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
const person = { person_id: Path.id };
const MOVIE = { params: movie, records: ['tmdb:movie:{movie_id}'] };
const TV = { params: series, records: ['tmdb:tv:{series_id}'] };
const SEASON = { params: season, records: ['tmdb:tv:{series_id}'] };
const EPISODE = { params: episode, records: ['tmdb:tv:{series_id}'] };
const PERSON = { params: person, records: ['tmdb:person:{person_id}'] };
const COLLECTION = { params: { collection_id: Path.id }, records: ['tmdb:collection:{collection_id}'] };
const COMPANY = { params: { company_id: Path.id }, records: ['tmdb:company:{company_id}'] };
const NETWORK = { params: { network_id: Path.id }, records: ['tmdb:network:{network_id}'] };

export const TMDB_ENDPOINTS: readonly Endpoint[] = [
  // Reference lists.
  tmdb('/configuration', 'reference', 'API configuration (image base URLs)'),
  tmdb('/configuration/countries', 'reference', 'Countries', { query: ['language'] }),
  tmdb('/configuration/jobs', 'reference', 'Departments and jobs'),
  tmdb('/configuration/languages', 'reference', 'Languages'),
  tmdb('/configuration/primary_translations', 'reference', 'Primary translations'),
  tmdb('/configuration/timezones', 'reference', 'Timezones'),
  tmdb('/certification/movie/list', 'reference', 'Movie certifications'),
  tmdb('/certification/tv/list', 'reference', 'TV certifications'),
  tmdb('/genre/movie/list', 'reference', 'Movie genres', { id: 'tmdb.genre.movie', query: ['language'] }),
  tmdb('/genre/tv/list', 'reference', 'TV genres', { id: 'tmdb.genre.tv', query: ['language'] }),
  tmdb('/watch/providers/regions', 'reference', 'Regions with watch provider data', { query: ['language'] }),
  tmdb('/watch/providers/{type}', 'reference', 'Streaming providers for movies or TV', {
    id: 'tmdb.watch_providers',
    params: { type: Path.watchProviderType },
    query: ['language', 'watch_region'],
  }),

  // Search and discovery.
  tmdb('/search/movie', 'search', 'Search movies', { query: ['query', 'include_adult', 'language', 'primary_release_year', 'page', 'region', 'year'], required: ['query'] }),
  tmdb('/search/tv', 'search', 'Search TV shows', { query: ['query', 'first_air_date_year', 'include_adult', 'language', 'page', 'year'], required: ['query'] }),
  tmdb('/search/person', 'search', 'Search people', { query: ['query', 'include_adult', 'language', 'page'], required: ['query'] }),
  tmdb('/search/multi', 'search', 'Search movies, shows and people at once', { query: ['query', 'include_adult', 'language', 'page'], required: ['query'] }),
  tmdb('/search/collection', 'search', 'Search collections', { query: ['query', 'include_adult', 'language', 'page', 'region'], required: ['query'] }),
  tmdb('/search/company', 'search', 'Search companies', { query: ['query', 'page'], required: ['query'] }),
  tmdb('/search/keyword', 'search', 'Search keywords', { query: ['query', 'page'], required: ['query'] }),
  tmdb('/discover/movie', 'lists', 'Discover movies by filters', {
    query: [
      ...DISCOVER_COMMON, 'certification', 'certification.gte', 'certification.lte', 'certification_country', 'include_video', 'primary_release_year',
      'primary_release_date.gte', 'primary_release_date.lte', 'region', 'release_date.gte', 'release_date.lte', 'with_cast', 'with_crew', 'with_people',
      'with_release_type', 'year', 'first_air_date_year',
    ],
  }),
  tmdb('/discover/tv', 'lists', 'Discover TV shows by filters', {
    query: [
      ...DISCOVER_COMMON, 'air_date.gte', 'air_date.lte', 'first_air_date_year', 'first_air_date.gte', 'first_air_date.lte', 'include_null_first_air_dates',
      'screened_theatrically', 'timezone', 'with_networks', 'with_status', 'with_type', 'primary_release_year',
    ],
  }),
  tmdb('/trending/{media_type}/{time_window}', 'lists', 'Trending movies, shows or people over a day or a week', {
    params: { media_type: Path.trendingMedia, time_window: Path.timeWindow },
    query: PAGED,
  }),
  tmdb('/find/{external_id}', 'details', 'Find TMDB records by an IMDb, TVDB or other external id', {
    params: { external_id: Path.externalId },
    query: ['external_source', 'language'],
    required: ['external_source'],
  }),

  // Charts and change lists (what changed, for caches: lists-fresh at most).
  tmdb('/movie/popular', 'lists', 'Popular movies', { query: PAGED }),
  tmdb('/movie/top_rated', 'lists', 'Top rated movies', { query: PAGED }),
  tmdb('/movie/upcoming', 'lists', 'Upcoming movies', { query: PAGED }),
  tmdb('/movie/now_playing', 'lists', 'Movies now in theatres', { query: PAGED }),
  tmdb('/movie/latest', 'lists', 'The newest movie'),
  tmdb('/movie/changes', 'lists', 'Movies changed in a date window (at most 14 days)', { id: 'tmdb.changes.movie', query: CHANGES }),
  tmdb('/tv/popular', 'lists', 'Popular TV shows', { query: PAGED }),
  tmdb('/tv/top_rated', 'lists', 'Top rated TV shows', { query: PAGED }),
  tmdb('/tv/on_the_air', 'lists', 'TV shows airing in the next 7 days', { query: [...PAGED, 'timezone'] }),
  tmdb('/tv/airing_today', 'lists', 'TV shows airing today', { query: [...PAGED, 'timezone'] }),
  tmdb('/tv/latest', 'lists', 'The newest TV show'),
  tmdb('/tv/changes', 'lists', 'TV shows changed in a date window (at most 14 days)', { id: 'tmdb.changes.tv', query: CHANGES }),
  tmdb('/person/popular', 'lists', 'Popular people', { query: ['language', 'page'] }),
  tmdb('/person/latest', 'lists', 'The newest person'),
  tmdb('/person/changes', 'lists', 'People changed in a date window (at most 14 days)', { id: 'tmdb.changes.person', query: CHANGES }),

  // Movies.
  tmdb('/movie/{movie_id}', 'details', 'Movie details', { ...MOVIE, query: DETAILS }),
  tmdb('/movie/{movie_id}/alternative_titles', 'details', 'Alternative titles of a movie', { ...MOVIE, query: ['country'] }),
  tmdb('/movie/{movie_id}/changes', 'lists', 'Changes to a movie', { ...MOVIE, query: CHANGES }),
  tmdb('/movie/{movie_id}/credits', 'details', 'Cast and crew of a movie', { ...MOVIE, query: ['language'] }),
  tmdb('/movie/{movie_id}/external_ids', 'details', 'External ids of a movie', MOVIE),
  tmdb('/movie/{movie_id}/images', 'images', 'Movie posters, backdrops and logos', { ...MOVIE, query: IMAGES }),
  tmdb('/movie/{movie_id}/keywords', 'details', 'Keywords of a movie', MOVIE),
  tmdb('/movie/{movie_id}/lists', 'lists', 'Lists a movie is in', { ...MOVIE, query: ['language', 'page'] }),
  tmdb('/movie/{movie_id}/recommendations', 'lists', 'Movies recommended with a movie', { ...MOVIE, query: ['language', 'page'] }),
  tmdb('/movie/{movie_id}/release_dates', 'details', 'Release dates and certifications of a movie', MOVIE),
  tmdb('/movie/{movie_id}/reviews', 'lists', 'Reviews of a movie', { ...MOVIE, query: ['language', 'page'] }),
  tmdb('/movie/{movie_id}/similar', 'lists', 'Movies similar to a movie', { ...MOVIE, query: ['language', 'page'] }),
  tmdb('/movie/{movie_id}/translations', 'details', 'Translations of a movie', MOVIE),
  tmdb('/movie/{movie_id}/videos', 'details', 'Videos of a movie', { ...MOVIE, query: VIDEOS }),
  tmdb('/movie/{movie_id}/watch/providers', 'lists', 'Where a movie streams, by country', MOVIE),

  // TV shows, seasons and episodes.
  tmdb('/tv/{series_id}', 'details', 'TV show details', { ...TV, query: DETAILS }),
  tmdb('/tv/{series_id}/aggregate_credits', 'details', 'Cast and crew of every season of a show', { ...TV, query: ['language'] }),
  tmdb('/tv/{series_id}/alternative_titles', 'details', 'Alternative titles of a show', TV),
  tmdb('/tv/{series_id}/changes', 'lists', 'Changes to a show', { ...TV, query: CHANGES }),
  tmdb('/tv/{series_id}/content_ratings', 'details', 'Content ratings of a show', TV),
  tmdb('/tv/{series_id}/credits', 'details', 'Cast and crew of the latest season', { ...TV, query: ['language'] }),
  tmdb('/tv/{series_id}/episode_groups', 'details', 'Episode groups of a show', TV),
  tmdb('/tv/{series_id}/external_ids', 'details', 'External ids of a show', TV),
  tmdb('/tv/{series_id}/images', 'images', 'TV show posters, backdrops and logos', { ...TV, query: IMAGES }),
  tmdb('/tv/{series_id}/keywords', 'details', 'Keywords of a show', TV),
  tmdb('/tv/{series_id}/lists', 'lists', 'Lists a show is in', { ...TV, query: ['language', 'page'] }),
  tmdb('/tv/{series_id}/recommendations', 'lists', 'Shows recommended with a show', { ...TV, query: ['language', 'page'] }),
  tmdb('/tv/{series_id}/reviews', 'lists', 'Reviews of a show', { ...TV, query: ['language', 'page'] }),
  tmdb('/tv/{series_id}/screened_theatrically', 'details', 'Episodes screened in theatres', TV),
  tmdb('/tv/{series_id}/similar', 'lists', 'Shows similar to a show', { ...TV, query: ['language', 'page'] }),
  tmdb('/tv/{series_id}/translations', 'details', 'Translations of a show', TV),
  tmdb('/tv/{series_id}/videos', 'details', 'Videos of a show', { ...TV, query: VIDEOS }),
  tmdb('/tv/{series_id}/watch/providers', 'lists', 'Where a show streams, by country', TV),
  tmdb('/tv/{series_id}/season/{season_number}', 'seasons', 'A season with its episodes', { ...SEASON, query: DETAILS, settles: true }),
  tmdb('/tv/{series_id}/season/{season_number}/aggregate_credits', 'seasons', 'Cast and crew of every episode of a season', { ...SEASON, query: ['language'] }),
  tmdb('/tv/{series_id}/season/{season_number}/credits', 'seasons', 'Cast and crew of a season', { ...SEASON, query: ['language'] }),
  tmdb('/tv/{series_id}/season/{season_number}/external_ids', 'seasons', 'External ids of a season', SEASON),
  tmdb('/tv/{series_id}/season/{season_number}/images', 'images', 'Posters of a season', { ...SEASON, query: IMAGES }),
  tmdb('/tv/{series_id}/season/{season_number}/translations', 'seasons', 'Translations of a season', SEASON),
  tmdb('/tv/{series_id}/season/{season_number}/videos', 'seasons', 'Videos of a season', { ...SEASON, query: VIDEOS }),
  tmdb('/tv/{series_id}/season/{season_number}/watch/providers', 'lists', 'Where a season streams, by country', { ...SEASON, query: ['language'] }),
  tmdb('/tv/{series_id}/season/{season_number}/episode/{episode_number}', 'seasons', 'One episode', {
    ...EPISODE,
    id: 'tmdb.tv.episode',
    query: DETAILS,
    settles: true,
  }),
  tmdb('/tv/{series_id}/season/{season_number}/episode/{episode_number}/credits', 'seasons', 'Cast, crew and guests of an episode', {
    ...EPISODE,
    id: 'tmdb.tv.episode.credits',
    query: ['language'],
  }),
  tmdb('/tv/{series_id}/season/{season_number}/episode/{episode_number}/external_ids', 'seasons', 'External ids of an episode', {
    ...EPISODE,
    id: 'tmdb.tv.episode.external_ids',
  }),
  tmdb('/tv/{series_id}/season/{season_number}/episode/{episode_number}/images', 'images', 'Stills of an episode', {
    ...EPISODE,
    id: 'tmdb.tv.episode.images',
    query: IMAGES,
  }),
  tmdb('/tv/{series_id}/season/{season_number}/episode/{episode_number}/translations', 'seasons', 'Translations of an episode', {
    ...EPISODE,
    id: 'tmdb.tv.episode.translations',
  }),
  tmdb('/tv/{series_id}/season/{season_number}/episode/{episode_number}/videos', 'seasons', 'Videos of an episode', {
    ...EPISODE,
    id: 'tmdb.tv.episode.videos',
    query: VIDEOS,
  }),
  tmdb('/tv/episode_group/{tv_episode_group_id}', 'details', 'An episode group', {
    params: { tv_episode_group_id: Path.hexId },
    records: ['tmdb:episode_group:{tv_episode_group_id}'],
  }),
  tmdb('/tv/season/{season_id}/changes', 'lists', 'Changes to a season', { params: { season_id: Path.id }, query: CHANGES }),
  tmdb('/tv/episode/{episode_id}/changes', 'lists', 'Changes to an episode', { params: { episode_id: Path.id } }),

  // People.
  tmdb('/person/{person_id}', 'details', 'Person details', { ...PERSON, query: ['language', 'append_to_response'] }),
  tmdb('/person/{person_id}/changes', 'lists', 'Changes to a person', { ...PERSON, query: CHANGES }),
  tmdb('/person/{person_id}/combined_credits', 'details', 'Movie and TV credits of a person', { ...PERSON, query: ['language'] }),
  tmdb('/person/{person_id}/external_ids', 'details', 'External ids of a person', PERSON),
  tmdb('/person/{person_id}/images', 'images', 'Profile images of a person', PERSON),
  tmdb('/person/{person_id}/movie_credits', 'details', 'Movie credits of a person', { ...PERSON, query: ['language'] }),
  tmdb('/person/{person_id}/tv_credits', 'details', 'TV credits of a person', { ...PERSON, query: ['language'] }),
  tmdb('/person/{person_id}/tagged_images', 'images', 'Images a person is tagged in', { ...PERSON, query: ['page'] }),
  tmdb('/person/{person_id}/translations', 'details', 'Translations of a person', PERSON),

  // Collections, companies, networks, keywords, credits, reviews, lists.
  tmdb('/collection/{collection_id}', 'details', 'A movie collection', { ...COLLECTION, query: ['language'] }),
  tmdb('/collection/{collection_id}/images', 'images', 'Images of a collection', { ...COLLECTION, query: IMAGES }),
  tmdb('/collection/{collection_id}/translations', 'details', 'Translations of a collection', COLLECTION),
  tmdb('/company/{company_id}', 'details', 'A company', COMPANY),
  tmdb('/company/{company_id}/alternative_names', 'details', 'Alternative names of a company', COMPANY),
  tmdb('/company/{company_id}/images', 'images', 'Logos of a company', COMPANY),
  tmdb('/network/{network_id}', 'details', 'A TV network', NETWORK),
  tmdb('/network/{network_id}/alternative_names', 'details', 'Alternative names of a network', NETWORK),
  tmdb('/network/{network_id}/images', 'images', 'Logos of a network', NETWORK),
  tmdb('/keyword/{keyword_id}', 'details', 'A keyword', { params: { keyword_id: Path.id }, records: ['tmdb:keyword:{keyword_id}'] }),
  tmdb('/keyword/{keyword_id}/movies', 'lists', 'Movies with a keyword', { params: { keyword_id: Path.id }, query: ['include_adult', 'language', 'page'], records: ['tmdb:keyword:{keyword_id}'] }),
  tmdb('/credit/{credit_id}', 'details', 'One credit (a person in a movie or show)', { params: { credit_id: Path.hexId }, query: ['language'], records: ['tmdb:credit:{credit_id}'] }),
  tmdb('/review/{review_id}', 'details', 'One review', { params: { review_id: Path.hexId }, records: ['tmdb:review:{review_id}'] }),
  tmdb('/list/{list_id}', 'details', 'A TMDB list', { params: { list_id: Path.id }, query: ['language', 'page'], records: ['tmdb:list:{list_id}'] }),
  tmdb('/list/{list_id}/item_status', 'lists', 'Whether a movie is in a list', { params: { list_id: Path.id }, query: ['language', 'movie_id'], records: ['tmdb:list:{list_id}'] }),
];

/**
 * Read paths of TMDB's spec the relay never serves: they act for a user (account, session, guest
 * session, ratings), hand out or check credentials (authentication), or name the relay's own account.
 * Everything that is not a GET is refused too. Path prefixes and suffixes, as in the spec.
 */
export const TMDB_REFUSED = {
  prefixes: ['/account', '/authentication', '/guest_session'],
  suffixes: ['/account_states', '/rating'],
} as const;
