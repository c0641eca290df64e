import type { BodyRecord } from '../cache/key.ts';
import { defineEndpoint, type Endpoint, type EndpointDef } from './endpoint.ts';
import { Override, Path } from './params.ts';

/** TheTVDB v4 endpoints (paths below https://api4.thetvdb.com/v4), query names from its swagger. */
const tvdb = (def: EndpointDef): Endpoint => defineEndpoint('tvdb', def);

const id = { id: Path.id };
const SERIES_RECORD = ['tvdb:series:{id}'];

/** A season or episode body names its series: a change to the series reaches it too. */
const seriesOfBody: readonly BodyRecord[] = [{ path: ['data', 'seriesId'], record: 'tvdb:series:{}' }];

const EPISODE_LIST = ['page', 'season', 'episodeNumber', 'airDate'] as const;

export const TVDB_ENDPOINTS: readonly Endpoint[] = [
  tvdb({
    id: 'tvdb.search',
    template: '/search',
    query: ['query', 'q', 'type', 'year', 'company', 'country', 'director', 'language', 'primaryType', 'network', 'remote_id', 'offset', 'limit', 'page'],
    required: ['query'],
    family: 'search',
    summary: 'Search TVDB',
  }),
  tvdb({
    id: 'tvdb.search.remoteid',
    template: '/search/remoteid/{remoteId}',
    params: { remoteId: Path.externalId },
    family: 'details',
    summary: 'Find TVDB records by an IMDb, TMDB or other remote id',
  }),
  tvdb({ id: 'tvdb.series', template: '/series/{id}', params: id, records: SERIES_RECORD, family: 'details', summary: 'Series base record' }),
  tvdb({
    id: 'tvdb.series.extended',
    template: '/series/{id}/extended',
    params: id,
    query: ['meta', 'short'],
    records: SERIES_RECORD,
    family: 'details',
    summary: 'Series extended record (meta=translations|episodes, short=true)',
  }),
  tvdb({
    id: 'tvdb.series.episodes',
    template: '/series/{id}/episodes/{season-type}',
    params: { ...id, 'season-type': Path.tvdbSeasonType },
    query: EPISODE_LIST,
    records: SERIES_RECORD,
    family: 'seasons',
    settles: true,
    summary: 'Episodes of a series in a season order (page is 0-based)',
  }),
  tvdb({
    id: 'tvdb.series.artworks',
    template: '/series/{id}/artworks',
    params: id,
    query: ['lang', 'type'],
    overrides: { type: Override.tvdbTypeId },
    records: SERIES_RECORD,
    family: 'images',
    summary: 'Series artworks',
  }),
  tvdb({ id: 'tvdb.series.next_aired', template: '/series/{id}/nextAired', params: id, records: SERIES_RECORD, family: 'lists', summary: 'Series record with its next air date' }),
  tvdb({ id: 'tvdb.season.types', template: '/seasons/types', family: 'reference', summary: 'Season types' }),
  tvdb({ id: 'tvdb.season', template: '/seasons/{id}', params: id, records: ['tvdb:season:{id}'], bodyRecords: seriesOfBody, family: 'seasons', settles: true, summary: 'Season base record' }),
  tvdb({
    id: 'tvdb.season.extended',
    template: '/seasons/{id}/extended',
    params: id,
    query: ['meta'],
    overrides: { meta: Override.tvdbTranslationsOnly },
    records: ['tvdb:season:{id}'],
    bodyRecords: seriesOfBody,
    family: 'seasons',
    settles: true,
    summary: 'Season with episodes and artwork (meta=translations)',
  }),
  tvdb({ id: 'tvdb.episode', template: '/episodes/{id}', params: id, records: ['tvdb:episode:{id}'], bodyRecords: seriesOfBody, family: 'seasons', settles: true, summary: 'Episode base record' }),
  tvdb({
    id: 'tvdb.episode.extended',
    template: '/episodes/{id}/extended',
    params: id,
    query: ['meta'],
    overrides: { meta: Override.tvdbTranslationsOnly },
    records: ['tvdb:episode:{id}'],
    bodyRecords: seriesOfBody,
    family: 'seasons',
    settles: true,
    summary: 'Episode extended record (meta=translations)',
  }),
  tvdb({ id: 'tvdb.artwork.types', template: '/artwork/types', family: 'reference', summary: 'Artwork types' }),
  tvdb({ id: 'tvdb.artwork', template: '/artwork/{id}', params: id, records: ['tvdb:artwork:{id}'], family: 'images', summary: 'Artwork base record' }),
  tvdb({ id: 'tvdb.artwork.extended', template: '/artwork/{id}/extended', params: id, records: ['tvdb:artwork:{id}'], family: 'images', summary: 'Artwork extended record' }),
  tvdb({ id: 'tvdb.movie', template: '/movies/{id}', params: id, records: ['tvdb:movie:{id}'], family: 'details', summary: 'Movie base record' }),
  tvdb({
    id: 'tvdb.movie.extended',
    template: '/movies/{id}/extended',
    params: id,
    query: ['meta', 'short'],
    records: ['tvdb:movie:{id}'],
    family: 'details',
    summary: 'Movie extended record',
  }),
  tvdb({ id: 'tvdb.person', template: '/people/{id}', params: id, records: ['tvdb:person:{id}'], family: 'details', summary: 'Person base record' }),
  tvdb({ id: 'tvdb.genres', template: '/genres', family: 'reference', summary: 'Genres' }),
  tvdb({ id: 'tvdb.languages', template: '/languages', family: 'reference', summary: 'Languages' }),
];
