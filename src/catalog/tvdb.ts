import type { BodyRecord } from '../cache/key.ts';
import { endpointTable, type Endpoint } from './endpoint.ts';
import { Override, Path } from './params.ts';

/**
 * TheTVDB v4: every read path of its swagger (paths below https://api4.thetvdb.com/v4) but the user's
 * own (`/user*`), checked against the swagger by test/catalog. `POST /login` is answered by the relay
 * itself (see http/tvdb-login.ts); the relay keeps its own upstream token.
 */
const tvdb = endpointTable('tvdb');

const id = { id: Path.id };
const translation = { ...id, language: Path.tvdbLanguage };
const record = (type: string) => ({ params: id, records: [`tvdb:${type}:{id}`] });
/** A season or episode body names its series: a change to the series reaches it too. */
const seriesOfBody: readonly BodyRecord[] = [{ path: ['data', 'seriesId'], record: 'tvdb:series:{}' }];
/** A record found by slug is about the id in its body. */
const idOfBody = (type: string): readonly BodyRecord[] => [{ path: ['data', 'id'], record: `tvdb:${type}:{}` }];
const PAGE = ['page'] as const;
const EPISODE_LIST = ['page', 'season', 'episodeNumber', 'airDate'] as const;
const FILTER = ['company', 'contentRating', 'country', 'genre', 'lang', 'sort', 'status', 'year'] as const;

export const TVDB_ENDPOINTS: readonly Endpoint[] = [
  // Search and changes.
  tvdb('/search', 'search', 'Search TVDB', {
    query: ['query', 'q', 'type', 'year', 'company', 'country', 'director', 'language', 'primaryType', 'network', 'remote_id', 'offset', 'limit', 'page'],
    required: ['query'],
  }),
  tvdb('/search/remoteid/{remoteId}', 'details', 'Find TVDB records by an IMDb, TMDB or other remote id', { params: { remoteId: Path.externalId } }),
  tvdb('/updates', 'lists', 'Records changed since a time (at most about 3 months back)', {
    query: ['since', 'type', 'action', 'page'],
    required: ['since'],
    overrides: { type: Override.tvdbEntityType, action: Override.tvdbAction },
  }),

  // Series.
  tvdb('/series', 'lists', 'All series, 500 a page', { id: 'tvdb.series.all', query: PAGE }),
  tvdb('/series/filter', 'lists', 'Series by company, genre, country, ...', { query: [...FILTER, 'sortType'] }),
  tvdb('/series/statuses', 'reference', 'Series statuses'),
  tvdb('/series/slug/{slug}', 'details', 'A series by its slug', { params: { slug: Path.slug }, bodyRecords: idOfBody('series') }),
  tvdb('/series/{id}', 'details', 'Series base record', record('series')),
  tvdb('/series/{id}/extended', 'details', 'Series extended record (meta=translations|episodes, short=true)', { ...record('series'), query: ['meta', 'short'] }),
  tvdb('/series/{id}/artworks', 'images', 'Series artworks', { ...record('series'), query: ['lang', 'type'], overrides: { type: Override.tvdbTypeId } }),
  tvdb('/series/{id}/nextAired', 'lists', 'Series record with its next air date', { ...record('series'), id: 'tvdb.series.next_aired' }),
  tvdb('/series/{id}/translations/{language}', 'details', 'A series translation', { params: translation, records: ['tvdb:series:{id}'] }),
  tvdb('/series/{id}/episodes/{season-type}', 'seasons', 'Episodes of a series in a season order (page is 0-based)', {
    params: { ...id, 'season-type': Path.tvdbSeasonType },
    query: EPISODE_LIST,
    records: ['tvdb:series:{id}'],
    settles: true,
  }),
  tvdb('/series/{id}/episodes/{season-type}/{lang}', 'seasons', 'Episodes of a series in a season order, translated', {
    id: 'tvdb.series.episodes.translated',
    params: { ...id, 'season-type': Path.tvdbSeasonType, lang: Path.tvdbLanguage },
    query: PAGE,
    records: ['tvdb:series:{id}'],
    settles: true,
  }),

  // Seasons and episodes.
  tvdb('/seasons', 'lists', 'All seasons, 500 a page', { id: 'tvdb.seasons.all', query: PAGE }),
  tvdb('/seasons/types', 'reference', 'Season types', { id: 'tvdb.season.types' }),
  tvdb('/seasons/{id}', 'seasons', 'Season base record', { ...record('season'), id: 'tvdb.season', bodyRecords: seriesOfBody, settles: true }),
  tvdb('/seasons/{id}/extended', 'seasons', 'Season with episodes and artwork (meta=translations)', {
    ...record('season'),
    id: 'tvdb.season.extended',
    query: ['meta'],
    overrides: { meta: Override.tvdbTranslationsOnly },
    bodyRecords: seriesOfBody,
    settles: true,
  }),
  tvdb('/seasons/{id}/translations/{language}', 'seasons', 'A season translation', { id: 'tvdb.season.translations', params: translation, records: ['tvdb:season:{id}'] }),
  tvdb('/episodes', 'lists', 'All episodes, 500 a page', { id: 'tvdb.episodes.all', query: PAGE }),
  tvdb('/episodes/{id}', 'seasons', 'Episode base record', { ...record('episode'), id: 'tvdb.episode', bodyRecords: seriesOfBody, settles: true }),
  tvdb('/episodes/{id}/extended', 'seasons', 'Episode extended record (meta=translations)', {
    ...record('episode'),
    id: 'tvdb.episode.extended',
    query: ['meta'],
    overrides: { meta: Override.tvdbTranslationsOnly },
    bodyRecords: seriesOfBody,
    settles: true,
  }),
  tvdb('/episodes/{id}/translations/{language}', 'seasons', 'An episode translation', { id: 'tvdb.episode.translations', params: translation, records: ['tvdb:episode:{id}'] }),

  // Movies.
  tvdb('/movies', 'lists', 'All movies, 500 a page', { id: 'tvdb.movies.all', query: PAGE }),
  tvdb('/movies/filter', 'lists', 'Movies by company, genre, country, ...', { query: FILTER }),
  tvdb('/movies/statuses', 'reference', 'Movie statuses'),
  tvdb('/movies/slug/{slug}', 'details', 'A movie by its slug', { params: { slug: Path.slug }, bodyRecords: idOfBody('movie') }),
  tvdb('/movies/{id}', 'details', 'Movie base record', { ...record('movie'), id: 'tvdb.movie' }),
  tvdb('/movies/{id}/extended', 'details', 'Movie extended record', { ...record('movie'), id: 'tvdb.movie.extended', query: ['meta', 'short'] }),
  tvdb('/movies/{id}/translations/{language}', 'details', 'A movie translation', { id: 'tvdb.movie.translations', params: translation, records: ['tvdb:movie:{id}'] }),

  // People and characters.
  tvdb('/people', 'lists', 'All people, 500 a page', { id: 'tvdb.people.all', query: PAGE }),
  tvdb('/people/types', 'reference', 'People types'),
  tvdb('/people/{id}', 'details', 'Person base record', { ...record('person'), id: 'tvdb.person' }),
  tvdb('/people/{id}/extended', 'details', 'Person extended record (meta=translations)', {
    ...record('person'),
    id: 'tvdb.person.extended',
    query: ['meta'],
    overrides: { meta: Override.tvdbTranslationsOnly },
  }),
  tvdb('/people/{id}/translations/{language}', 'details', 'A person translation', { id: 'tvdb.person.translations', params: translation, records: ['tvdb:person:{id}'] }),
  tvdb('/characters/{id}', 'details', 'A character', record('character')),

  // Artwork.
  tvdb('/artwork/statuses', 'reference', 'Artwork statuses'),
  tvdb('/artwork/types', 'reference', 'Artwork types'),
  tvdb('/artwork/{id}', 'images', 'Artwork base record', record('artwork')),
  tvdb('/artwork/{id}/extended', 'images', 'Artwork extended record', record('artwork')),

  // Awards, companies, lists.
  tvdb('/awards', 'reference', 'Awards', { id: 'tvdb.awards.all' }),
  tvdb('/awards/{id}', 'details', 'An award', record('award')),
  tvdb('/awards/{id}/extended', 'details', 'An award with its categories', record('award')),
  tvdb('/awards/categories/{id}', 'details', 'An award category', record('award_category')),
  tvdb('/awards/categories/{id}/extended', 'details', 'An award category with its nominees', record('award_category')),
  tvdb('/companies', 'lists', 'All companies, 500 a page', { id: 'tvdb.companies.all', query: PAGE }),
  tvdb('/companies/types', 'reference', 'Company types'),
  tvdb('/companies/{id}', 'details', 'A company', record('company')),
  tvdb('/lists', 'lists', 'All public lists, 500 a page', { id: 'tvdb.lists.all', query: PAGE }),
  tvdb('/lists/slug/{slug}', 'details', 'A list by its slug', { params: { slug: Path.slug }, bodyRecords: idOfBody('list') }),
  tvdb('/lists/{id}', 'details', 'A list', record('list')),
  tvdb('/lists/{id}/extended', 'details', 'A list with its entities', record('list')),
  tvdb('/lists/{id}/translations/{language}', 'details', 'A list translation', { params: translation, records: ['tvdb:list:{id}'] }),

  // Reference lists (TVDB: cache these for a week or longer).
  tvdb('/content/ratings', 'reference', 'Content ratings'),
  tvdb('/countries', 'reference', 'Countries'),
  tvdb('/entities', 'reference', 'Entity types'),
  tvdb('/genders', 'reference', 'Genders'),
  tvdb('/genres', 'reference', 'Genres'),
  tvdb('/genres/{id}', 'reference', 'A genre', { id: 'tvdb.genre', params: id }),
  tvdb('/inspiration/types', 'reference', 'Inspiration types'),
  tvdb('/languages', 'reference', 'Languages'),
  tvdb('/sources/types', 'reference', 'Source types'),
];

/** Paths of TVDB's swagger the relay never serves (the account of whoever holds the key). */
export const TVDB_REFUSED = { prefixes: ['/user'], suffixes: [] } as const;
