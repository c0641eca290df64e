/**
 * TMDB v3 routes for the fake upstream (base path `/3`): every read path of the v3 API as a route
 * table. Bodies come from our fixtures when one exists for the path, else from the deterministic
 * generators; a movie, show or person edited by the test (fake-upstream-edits.ts) serves its
 * revised body on every one of its paths, or 404 once deleted.
 */
import { type EditStore, type RecordState, UNEDITED, reviseBody } from './fake-upstream-edits.ts';
import { type ChangedText, type TmdbFeed, tmdbChangesList, tmdbRecordChanges } from './fake-upstream-feeds.ts';
import { type Answer, type IncomingRequest, type RouteHandler, TMDB_CONTENT_TYPE, answer, bearerToken, parseId, splitPath, weakEtag } from './fake-upstream-http.ts';
import { fixtureObject } from './fake-upstream-fixtures.ts';
import { RouteTable } from './fake-upstream-router.ts';
import { type Json, type JsonObject, isMissingId } from './generate-common.ts';
import {
  type DetailsResolver,
  type SeasonHint,
  type TmdbKind,
  TMDB_EXTERNAL_SOURCES,
  tmdbAlternativeTitles,
  tmdbChart,
  tmdbCollection,
  tmdbConfiguration,
  tmdbContentRatings,
  tmdbCredits,
  tmdbDiscover,
  tmdbExternalIds,
  tmdbFind,
  tmdbGenres,
  tmdbImages,
  tmdbKeywords,
  tmdbList,
  tmdbMovieDetails,
  tmdbRecommendations,
  tmdbReleaseDates,
  tmdbSearch,
  tmdbTvDetails,
  tmdbTvSeason,
  tmdbVideoList,
  tmdbVideos,
  tmdbWatchProviders,
} from './generate-tmdb.ts';
import {
  tmdbAlternativeNames,
  tmdbCertifications,
  tmdbCollectionImages,
  tmdbCollectionTranslations,
  tmdbCompany,
  tmdbConfigurationCountries,
  tmdbConfigurationJobs,
  tmdbConfigurationLanguages,
  tmdbCredit,
  tmdbKeyword,
  tmdbKeywordMovies,
  tmdbLogos,
  tmdbNetwork,
  tmdbPrimaryTranslations,
  tmdbSearchCollections,
  tmdbSearchCompanies,
  tmdbSearchKeywords,
  tmdbSearchMulti,
  tmdbTimezones,
  tmdbWatchProviderRegions,
} from './generate-tmdb-entities.ts';
import {
  type SeasonEpisodes,
  tmdbAggregateCredits,
  tmdbEpisodeCredits,
  tmdbEpisodeExternalIds,
  tmdbEpisodeGroup,
  tmdbEpisodeGroups,
  tmdbEpisodeImages,
  tmdbListsOf,
  tmdbMovieTranslations,
  tmdbPartTranslations,
  tmdbReview,
  tmdbReviews,
  tmdbScreenedTheatrically,
  tmdbSeasonCredits,
  tmdbSeasonExternalIds,
  tmdbSeasonImages,
  tmdbTitleWatchProviders,
  tmdbTvTranslations,
} from './generate-tmdb-media.ts';
import {
  tmdbLatestPerson,
  tmdbPeopleList,
  tmdbPersonCombinedCredits,
  tmdbPersonDetails,
  tmdbPersonExternalIds,
  tmdbPersonImages,
  tmdbPersonMovieCredits,
  tmdbPersonTaggedImages,
  tmdbPersonTranslations,
  tmdbPersonTvCredits,
  tmdbSearchPeople,
} from './generate-tmdb-people.ts';

export interface TmdbConfig {
  apiKey: string;
  accessToken: string;
  now: () => number;
  edits: EditStore;
}

export const TMDB_ERRORS = {
  invalidKey: { status_code: 7, status_message: 'Invalid API key: You must be granted a valid key.', success: false },
  notFound: { success: false, status_code: 34, status_message: 'The resource you requested could not be found.' },
  invalidPage: { success: false, status_code: 22, status_message: 'Invalid page: Pages start at 1 and max at 500. They are expected to be an integer.' },
  tooManyAppends: { success: false, status_code: 27, status_message: 'Too many append to response objects: The maximum number of remote calls is 20.' },
  rateLimited: { success: false, status_code: 25, status_message: 'Your request count (#) is over the allowed limit of (40).' },
  invalidInput: { success: false, status_code: 47, status_message: 'The input is not valid.' },
  queryRequired: { errors: ['query must be provided'] },
} as const satisfies Record<string, JsonObject>;

/** Default bodies for `{kind:'status'}` faults without an explicit body. */
export function tmdbStatusBody(status: number): JsonObject {
  const byStatus: Record<number, [number, string]> = {
    401: [7, TMDB_ERRORS.invalidKey.status_message],
    404: [34, TMDB_ERRORS.notFound.status_message],
    429: [25, TMDB_ERRORS.rateLimited.status_message],
    500: [11, 'Internal error: Something went wrong, contact TMDB.'],
    502: [43, "Couldn't connect to the backend server."],
    503: [9, 'Service offline: This service is temporarily offline, try again later.'],
    504: [24, 'Your request to the backend server timed out. Try again.'],
  };
  const [code, message] = byStatus[status] ?? (status >= 500 ? [11, 'Internal error: Something went wrong, contact TMDB.'] : [47, 'The input is not valid.']);
  return { success: false, status_code: code, status_message: message };
}

const MAX_AGE = { static: 86_400, details: 21_600, search: 3_600, chart: 600 } as const;
type CacheClass = keyof typeof MAX_AGE;

/** What a route answers: a body (revised and serialised by the dispatcher) or a finished error. */
type Reply = Answer | { ok: Json; cacheClass: CacheClass };

interface Ctx {
  req: IncomingRequest;
  params: Record<string, string>;
  /** The revision of the record the path is about (0 when none, or unedited). */
  revision: number;
}

type Handler = (ctx: Ctx) => Reply;
/** A sub-resource of a record: its body, or null when the record has no such thing (404). */
type Sub = (ctx: Ctx) => JsonObject | null;

const MOVIE_CHARTS = ['popular', 'upcoming', 'now_playing', 'top_rated'];
const TV_CHARTS = ['popular', 'on_the_air', 'airing_today', 'top_rated'];
/** Sub-resources whose `include_image_language` filter applies. */
const IMAGE_SUBS = new Set(['images']);
/** Path params holding 24-hex ids, and ones that are free text; every other param is digits. */
const HEX_PARAMS = new Set(['credit_id', 'review_id', 'tv_episode_group_id']);
const FREE_PARAMS = new Set(['external_id', 'list_id']);
const ENUM_PARAMS: Record<string, readonly string[]> = {
  media_type: ['all', 'movie', 'tv', 'person'],
  time_window: ['day', 'week'],
  type: ['movie', 'tv'],
};
/** The types a test can edit, by the path's first segment. */
const RECORD_TYPES = new Set(['movie', 'tv', 'person']);

function acceptsParam(name: string, value: string): boolean {
  if (HEX_PARAMS.has(name)) return /^[0-9a-f]{24}$/.test(value);
  if (FREE_PARAMS.has(name)) return value !== '';
  const allowed = ENUM_PARAMS[name];
  if (allowed !== undefined) return allowed.includes(value);
  return parseId(value) !== null;
}

function ok(body: Json, cacheClass: CacheClass): Answer {
  const text = JSON.stringify(body);
  return answer(200, text, {
    'content-type': TMDB_CONTENT_TYPE,
    'cache-control': `public, max-age=${MAX_AGE[cacheClass]}`,
    etag: weakEtag(text),
    vary: 'Origin',
  });
}

export function tmdbError(status: number, body: Json, extra: Record<string, string> = {}): Answer {
  return answer(status, body, { 'content-type': TMDB_CONTENT_TYPE, ...extra });
}

const notFound = (): Answer => tmdbError(404, TMDB_ERRORS.notFound);
const reply = (body: Json, cacheClass: CacheClass): Reply => ({ ok: body, cacheClass });
const orNotFound = (body: JsonObject | null, cacheClass: CacheClass): Reply => (body === null ? notFound() : reply(body, cacheClass));

/** Parses `page` (1..500, default 1); null means "answer 400 code 22". */
function pageOf(req: IncomingRequest): number | null {
  const raw = req.query.page;
  if (raw === undefined) return 1;
  if (!/^\d+$/.test(raw)) return null;
  const page = Number(raw);
  return page >= 1 && page <= 500 ? page : null;
}

function withoutId(body: JsonObject): JsonObject {
  const { id: _id, ...rest } = body;
  return rest;
}

const num = (ctx: Ctx, name: string): number => Number(ctx.params[name]);

/** Keeps the images whose language is in include_image_language ("null" = no language). */
function filterImages(body: JsonObject, req: IncomingRequest): JsonObject {
  const filter = req.query.include_image_language;
  if (filter === undefined || filter === '') return body;
  const langs = new Set(filter.split(',').map((s) => s.trim()));
  const keep = (img: Json): boolean =>
    img !== null && typeof img === 'object' && !Array.isArray(img) && langs.has(img.iso_639_1 === null ? 'null' : String(img.iso_639_1));
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(body)) out[key] = Array.isArray(value) ? value.filter(keep) : value;
  return out;
}

export function createTmdbHandler(config: TmdbConfig): RouteHandler {
  const now = () => config.now();
  const details: DetailsResolver = (kind, id) => fixtureObject('tmdb', `${kind}_${id}`) ?? (kind === 'movie' ? tmdbMovieDetails(id) : tmdbTvDetails(id, now()));

  function authorized(req: IncomingRequest): boolean {
    const keys = req.params.getAll('api_key');
    if (keys.length > 0) return keys.every((k) => k === config.apiKey);
    return bearerToken(req.headers) === config.accessToken;
  }

  function paged(req: IncomingRequest, build: (page: number) => JsonObject, cacheClass: CacheClass): Reply {
    const page = pageOf(req);
    return page === null ? tmdbError(400, TMDB_ERRORS.invalidPage) : reply(build(page), cacheClass);
  }

  /** `page` for sub-resources that are lists (recommendations, reviews, ...); bad pages read as 1 when appended. */
  const pageIn = (ctx: Ctx): number => pageOf(ctx.req) ?? 1;

  const feed = (result: TmdbFeed, cacheClass: CacheClass): Reply => ('ok' in result ? reply(result.ok, cacheClass) : tmdbError(result.status, result.error));

  // -------------------------------------------------------------------------------------------
  // Seasons and episodes: the show's season list (fixture or generated) decides which exist

  /** For fixture shows the listed episode_count/air_date drive the generated season so the two agree. */
  function seasonLookup(id: number, n: number): { exists: boolean; hint: SeasonHint | undefined } {
    const fromFixture = fixtureObject('tmdb', `tv_${id}`);
    const show = fromFixture ?? tmdbTvDetails(id, now());
    const list = Array.isArray(show.seasons) ? show.seasons : [];
    const entry = list.find((s): s is JsonObject => s !== null && typeof s === 'object' && !Array.isArray(s) && s.season_number === n);
    if (entry === undefined) return { exists: false, hint: undefined };
    if (fromFixture === undefined) return { exists: true, hint: undefined };
    const airDate = typeof entry.air_date === 'string' ? entry.air_date : null;
    return { exists: true, hint: { episodeCount: Number(entry.episode_count ?? 0), airDate } };
  }

  function season(id: number, n: number): JsonObject | null {
    const fromFixture = fixtureObject('tmdb', `tv_${id}_season_${n}`);
    if (fromFixture !== undefined) return fromFixture;
    const { exists, hint } = seasonLookup(id, n);
    return exists ? tmdbTvSeason(id, n, now(), hint) : null;
  }

  function episode(id: number, n: number, m: number): JsonObject | null {
    const fromFixture = fixtureObject('tmdb', `tv_${id}_season_${n}_episode_${m}`);
    if (fromFixture !== undefined) return fromFixture;
    const list = season(id, n)?.episodes;
    const found = (Array.isArray(list) ? list : []).find((e): e is JsonObject => e !== null && typeof e === 'object' && !Array.isArray(e) && e.episode_number === m);
    if (found === undefined) return null;
    const { show_id: _showId, ...rest } = found;
    return rest;
  }

  function seasonsOf(id: number): SeasonEpisodes {
    const list = details('tv', id).seasons;
    return (Array.isArray(list) ? list : []).flatMap((s) => {
      if (s === null || typeof s !== 'object' || Array.isArray(s) || typeof s.season_number !== 'number') return [];
      const episodes = season(id, s.season_number)?.episodes;
      return [{ season_number: s.season_number, episodes: (Array.isArray(episodes) ? episodes : []).filter((e): e is JsonObject => e !== null && typeof e === 'object' && !Array.isArray(e)) }];
    });
  }

  const seasonOf = (ctx: Ctx) => season(num(ctx, 'series_id'), num(ctx, 'season_number'));
  const episodeOf = (ctx: Ctx) => episode(num(ctx, 'series_id'), num(ctx, 'season_number'), num(ctx, 'episode_number'));
  const seasonSeed = (ctx: Ctx) => `${ctx.params.series_id}:${ctx.params.season_number}`;
  const episodeSeed = (ctx: Ctx) => `${seasonSeed(ctx)}:${ctx.params.episode_number}`;

  // -------------------------------------------------------------------------------------------
  // Sub-resources, shared by their own paths and append_to_response

  /** Change items describe the record's own text fields (title/name and overview/biography). */
  function changedText(kind: 'movie' | 'tv' | 'person', id: number): ChangedText[] {
    if (kind === 'person') {
      const person = tmdbPersonDetails(id);
      return [{ key: 'name', text: String(person.name ?? '') }, { key: 'biography', text: String(person.biography ?? '') }];
    }
    const body = details(kind, id);
    const titleKey = kind === 'movie' ? 'title' : 'name';
    return [{ key: titleKey, text: String(body[titleKey] ?? '') }, { key: 'overview', text: String(body.overview ?? '') }];
  }

  function recordChanges(kind: 'movie' | 'tv' | 'person', id: number, ctx: Ctx): TmdbFeed {
    return tmdbRecordChanges(config.edits.history('tmdb', kind, id), changedText(kind, id), ctx.req.query, now());
  }

  /** Appended changes with a bad window read as none; the path itself answers the error (see addSubs). */
  function appendedChanges(kind: 'movie' | 'tv' | 'person', idParam: string): Sub {
    return (ctx) => {
      const result = recordChanges(kind, num(ctx, idParam), ctx);
      return 'ok' in result ? result.ok : { changes: [] };
    };
  }

  function titleSubs(kind: TmdbKind, idParam: string): Record<string, Sub> {
    const id = (ctx: Ctx) => num(ctx, idParam);
    const subs: Record<string, Sub> = {
      alternative_titles: (ctx) => tmdbAlternativeTitles(kind, id(ctx)),
      changes: appendedChanges(kind, idParam),
      credits: (ctx) => tmdbCredits(kind, id(ctx)),
      external_ids: (ctx) => tmdbExternalIds(kind, id(ctx)),
      images: (ctx) => tmdbImages(kind, id(ctx)),
      keywords: (ctx) => tmdbKeywords(kind, id(ctx)),
      lists: (ctx) => tmdbListsOf(kind, id(ctx), pageIn(ctx)),
      recommendations: (ctx) => tmdbRecommendations(kind, id(ctx), details, pageIn(ctx)),
      reviews: (ctx) => tmdbReviews(kind, id(ctx), pageIn(ctx)),
      similar: (ctx) => tmdbRecommendations(kind, id(ctx) + 1, details, pageIn(ctx)),
      translations: (ctx) => (kind === 'movie' ? tmdbMovieTranslations(id(ctx), details(kind, id(ctx))) : tmdbTvTranslations(id(ctx), details(kind, id(ctx)))),
      videos: (ctx) => tmdbVideos(kind, id(ctx)),
      'watch/providers': (ctx) => tmdbTitleWatchProviders(kind, id(ctx)),
    };
    if (kind === 'movie') return { ...subs, release_dates: (ctx) => tmdbReleaseDates(id(ctx)) };
    return {
      ...subs,
      aggregate_credits: (ctx) => tmdbAggregateCredits(`tv:${id(ctx)}`, id(ctx), Number(details('tv', id(ctx)).number_of_episodes ?? 10)),
      content_ratings: (ctx) => tmdbContentRatings(id(ctx)),
      episode_groups: (ctx) => tmdbEpisodeGroups(id(ctx), seasonsOf(id(ctx))),
      screened_theatrically: (ctx) => tmdbScreenedTheatrically(id(ctx), seasonsOf(id(ctx)), ctx.revision),
    };
  }

  /** A sub-resource of a season or an episode: null (a 404) when the fake has no such part. */
  const onSeason = (make: (ctx: Ctx, s: JsonObject) => JsonObject | null): Sub => (ctx) => {
    const s = seasonOf(ctx);
    return s === null ? null : make(ctx, s);
  };
  const onEpisode = (make: (ctx: Ctx, e: JsonObject) => JsonObject | null): Sub => (ctx) => {
    const e = episodeOf(ctx);
    return e === null ? null : make(ctx, e);
  };

  const seasonSubs: Record<string, Sub> = {
    aggregate_credits: onSeason((ctx, s) => tmdbAggregateCredits(`season:${seasonSeed(ctx)}`, Number(s.id ?? 0), Array.isArray(s.episodes) ? s.episodes.length : 0)),
    credits: onSeason((ctx, s) => tmdbSeasonCredits(seasonSeed(ctx), Number(s.id ?? 0))),
    external_ids: onSeason((ctx, s) => tmdbSeasonExternalIds(num(ctx, 'series_id'), s)),
    images: onSeason((ctx, s) => tmdbSeasonImages(seasonSeed(ctx), Number(s.id ?? 0))),
    translations: onSeason((ctx, s) => tmdbPartTranslations(`season:${seasonSeed(ctx)}`, Number(s.id ?? 0), s)),
    videos: onSeason((ctx, s) => tmdbVideoList(`tmdb:videos:season:${seasonSeed(ctx)}`, Number(s.id ?? 0))),
    'watch/providers': onSeason((ctx, s) => tmdbTitleWatchProviders('tv', num(ctx, 'series_id'), `season:${seasonSeed(ctx)}`)),
  };

  const episodeSubs: Record<string, Sub> = {
    credits: onEpisode((ctx, e) => tmdbEpisodeCredits(seasonSeed(ctx), e)),
    external_ids: onEpisode((ctx, e) => tmdbEpisodeExternalIds(num(ctx, 'series_id'), e)),
    images: onEpisode((ctx, e) => tmdbEpisodeImages(episodeSeed(ctx), Number(e.id ?? 0))),
    translations: onEpisode((ctx, e) => tmdbPartTranslations(`episode:${episodeSeed(ctx)}`, Number(e.id ?? 0), e)),
    videos: onEpisode((ctx, e) => tmdbVideoList(`tmdb:videos:episode:${episodeSeed(ctx)}`, Number(e.id ?? 0))),
  };

  const personSubs: Record<string, Sub> = {
    changes: appendedChanges('person', 'person_id'),
    combined_credits: (ctx) => tmdbPersonCombinedCredits(num(ctx, 'person_id'), details),
    external_ids: (ctx) => tmdbPersonExternalIds(num(ctx, 'person_id')),
    images: (ctx) => tmdbPersonImages(num(ctx, 'person_id')),
    movie_credits: (ctx) => tmdbPersonMovieCredits(num(ctx, 'person_id'), details),
    tagged_images: (ctx) => tmdbPersonTaggedImages(num(ctx, 'person_id'), pageIn(ctx), details),
    translations: (ctx) => tmdbPersonTranslations(num(ctx, 'person_id')),
    tv_credits: (ctx) => tmdbPersonTvCredits(num(ctx, 'person_id'), details),
  };

  /** A sub-resource body: our fixture for the path when there is one, else generated; images filtered. */
  function subBody(fixturePrefix: string, name: string, subs: Record<string, Sub>, ctx: Ctx): JsonObject | null {
    const build = subs[name];
    if (build === undefined) return null;
    const body = fixtureObject('tmdb', `${fixturePrefix}_${name.replace('/', '_')}`) ?? build(ctx);
    return body !== null && IMAGE_SUBS.has(name) ? filterImages(body, ctx.req) : body;
  }

  /** Details plus append_to_response: known names embed their sub-resource (without its id), others are ignored. */
  function withAppends(body: JsonObject | null, fixturePrefix: string, subs: Record<string, Sub>, ctx: Ctx): Reply {
    const appends = (ctx.req.query.append_to_response ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (appends.length > 20) return tmdbError(400, TMDB_ERRORS.tooManyAppends);
    if (body === null) return notFound();
    for (const name of appends) {
      const sub = subBody(fixturePrefix, name, subs, ctx);
      if (sub !== null) body[name] = withoutId(sub);
    }
    return reply(body, 'details');
  }

  // -------------------------------------------------------------------------------------------
  // The table

  const routes = new RouteTable<Handler>(acceptsParam);
  const add = (template: string, handler: Handler) => routes.add(template, handler);
  const listSubs = new Set(['changes', 'lists', 'recommendations', 'reviews', 'similar', 'watch/providers', 'tagged_images']);
  const pagedSubs = new Set(['lists', 'recommendations', 'reviews', 'similar', 'tagged_images']);
  const subClass = (name: string): CacheClass => (listSubs.has(name) ? 'chart' : 'details');

  /** `{base}/{name}` for every sub-resource; paged ones check `page`, changes check their window. */
  function addSubs(base: string, fixturePrefix: (ctx: Ctx) => string, subs: Record<string, Sub>, record?: { kind: 'movie' | 'tv' | 'person'; idParam: string }): void {
    for (const name of Object.keys(subs)) {
      add(`${base}/${name}`, (ctx) => {
        if (name === 'changes' && record !== undefined) return feed(recordChanges(record.kind, num(ctx, record.idParam), ctx), 'chart');
        if (pagedSubs.has(name) && pageOf(ctx.req) === null) return tmdbError(400, TMDB_ERRORS.invalidPage);
        return orNotFound(subBody(fixturePrefix(ctx), name, subs, ctx), subClass(name));
      });
    }
  }

  function search(build: (query: string, page: number) => JsonObject): Handler {
    return ({ req }) => {
      const query = req.query.query ?? '';
      if (query === '') return tmdbError(422, TMDB_ERRORS.queryRequired);
      return paged(req, (page) => build(query, page), 'search');
    };
  }

  function changesFeed(type: 'movie' | 'tv' | 'person'): Handler {
    return ({ req }) => {
      const page = pageOf(req);
      if (page === null) return tmdbError(400, TMDB_ERRORS.invalidPage);
      return feed(tmdbChangesList(config.edits.entries('tmdb'), type, req.query, page, now()), 'chart');
    };
  }

  /** Seasons and episodes are not records of their own here: their change lists are empty (but checked). */
  const noChanges: Handler = ({ req }) => feed(tmdbRecordChanges([], [], req.query, now()), 'chart');

  // Reference lists.
  add('/configuration', () => reply(fixtureObject('tmdb', 'configuration') ?? tmdbConfiguration(), 'static'));
  add('/configuration/countries', () => reply(tmdbConfigurationCountries(), 'static'));
  add('/configuration/jobs', () => reply(tmdbConfigurationJobs(), 'static'));
  add('/configuration/languages', () => reply(tmdbConfigurationLanguages(), 'static'));
  add('/configuration/primary_translations', () => reply(tmdbPrimaryTranslations(), 'static'));
  add('/configuration/timezones', () => reply(tmdbTimezones(), 'static'));
  add('/certification/{type}/list', ({ params }) => reply(tmdbCertifications(params.type === 'tv' ? 'tv' : 'movie'), 'static'));
  add('/genre/{type}/list', ({ params }) => {
    const kind: TmdbKind = params.type === 'tv' ? 'tv' : 'movie';
    return reply(fixtureObject('tmdb', `genre_${kind}_list`) ?? tmdbGenres(kind), 'static');
  });
  add('/watch/providers/regions', () => reply(tmdbWatchProviderRegions(), 'static'));
  add('/watch/providers/{type}', ({ params }) => {
    const kind: TmdbKind = params.type === 'tv' ? 'tv' : 'movie';
    return reply(fixtureObject('tmdb', `watch_providers_${kind}`) ?? tmdbWatchProviders(kind), 'static');
  });
  add('/authentication', () => answer(200, { success: true }, { 'content-type': TMDB_CONTENT_TYPE, 'cache-control': 'max-age=0, private' }));

  // Search and discovery.
  for (const kind of ['movie', 'tv'] as const) {
    add(`/search/${kind}`, ({ req }) => {
      const query = req.query.query ?? '';
      if (query === '') return tmdbError(422, TMDB_ERRORS.queryRequired);
      const extra = [req.query.year, req.query.primary_release_year, req.query.first_air_date_year, req.query.include_adult].join('|');
      return paged(req, (page) => tmdbSearch(kind, query, page, extra, details), 'search');
    });
    add(`/discover/${kind}`, ({ req }) => {
      const filters = [...req.params.entries()].filter(([k]) => k !== 'page' && k !== 'api_key').map(([k, v]) => `${k}=${v}`).sort().join('&');
      return paged(req, (page) => tmdbDiscover(kind, filters, page, details), 'chart');
    });
  }
  add('/search/person', search((query, page) => tmdbSearchPeople(query, page, details)));
  add('/search/multi', search((query, page) => tmdbSearchMulti(query, page, details)));
  add('/search/collection', search(tmdbSearchCollections));
  add('/search/company', search(tmdbSearchCompanies));
  add('/search/keyword', search(tmdbSearchKeywords));
  add('/trending/{media_type}/{time_window}', ({ req, params }) => {
    const { media_type: media = 'all', time_window: window = 'week' } = params;
    if (media === 'person') return paged(req, (page) => tmdbPeopleList(`trending_${window}`, page, 10_000, details, true), 'chart');
    const kind = media === 'movie' || media === 'tv' ? media : 'all';
    return paged(req, (page) => tmdbChart(`trending_${window}`, kind, page, details, now()), 'chart');
  });
  add('/find/{external_id}', ({ req, params }) => {
    const source = req.query.external_source ?? '';
    if (!(TMDB_EXTERNAL_SOURCES as readonly string[]).includes(source)) return tmdbError(400, TMDB_ERRORS.invalidInput);
    return reply(tmdbFind(params.external_id ?? '', source, details), 'details');
  });

  // Charts, latest and change lists.
  for (const chart of MOVIE_CHARTS) add(`/movie/${chart}`, ({ req }) => paged(req, (page) => tmdbChart(chart, 'movie', page, details, now()), 'chart'));
  for (const chart of TV_CHARTS) add(`/tv/${chart}`, ({ req }) => paged(req, (page) => tmdbChart(chart, 'tv', page, details, now()), 'chart'));
  const latestId = (base: number) => base + (Math.floor(now() / 86_400_000) % 90_000);
  add('/movie/latest', () => reply(tmdbMovieDetails(latestId(1_100_000)), 'chart'));
  add('/tv/latest', () => reply(tmdbTvDetails(latestId(220_000), now()), 'chart'));
  add('/person/latest', () => reply(tmdbLatestPerson(now()), 'chart'));
  add('/person/popular', ({ req }) => paged(req, (page) => tmdbPeopleList('popular', page, 10_000, details), 'chart'));
  add('/movie/changes', changesFeed('movie'));
  add('/tv/changes', changesFeed('tv'));
  add('/person/changes', changesFeed('person'));

  // Movies, shows, seasons, episodes.
  const movieSubs = titleSubs('movie', 'movie_id');
  const tvSubs = titleSubs('tv', 'series_id');
  add('/movie/{movie_id}', (ctx) => withAppends(details('movie', num(ctx, 'movie_id')), `movie_${ctx.params.movie_id}`, movieSubs, ctx));
  addSubs('/movie/{movie_id}', (ctx) => `movie_${ctx.params.movie_id}`, movieSubs, { kind: 'movie', idParam: 'movie_id' });
  add('/tv/{series_id}', (ctx) => withAppends(details('tv', num(ctx, 'series_id')), `tv_${ctx.params.series_id}`, tvSubs, ctx));
  addSubs('/tv/{series_id}', (ctx) => `tv_${ctx.params.series_id}`, tvSubs, { kind: 'tv', idParam: 'series_id' });
  const seasonPrefix = (ctx: Ctx) => `tv_${ctx.params.series_id}_season_${ctx.params.season_number}`;
  const episodePrefix = (ctx: Ctx) => `${seasonPrefix(ctx)}_episode_${ctx.params.episode_number}`;
  add('/tv/{series_id}/season/{season_number}', (ctx) => withAppends(seasonOf(ctx), seasonPrefix(ctx), seasonSubs, ctx));
  addSubs('/tv/{series_id}/season/{season_number}', seasonPrefix, seasonSubs);
  add('/tv/{series_id}/season/{season_number}/episode/{episode_number}', (ctx) => withAppends(episodeOf(ctx), episodePrefix(ctx), episodeSubs, ctx));
  addSubs('/tv/{series_id}/season/{season_number}/episode/{episode_number}', episodePrefix, episodeSubs);
  add('/tv/episode_group/{tv_episode_group_id}', ({ params }) => reply(tmdbEpisodeGroup(params.tv_episode_group_id ?? '', seasonsOf), 'details'));
  add('/tv/season/{season_id}/changes', noChanges);
  add('/tv/episode/{episode_id}/changes', noChanges);

  // People.
  add('/person/{person_id}', (ctx) => withAppends(tmdbPersonDetails(num(ctx, 'person_id')), `person_${ctx.params.person_id}`, personSubs, ctx));
  addSubs('/person/{person_id}', (ctx) => `person_${ctx.params.person_id}`, personSubs, { kind: 'person', idParam: 'person_id' });

  // Collections, companies, networks, keywords, credits, reviews, lists.
  add('/collection/{collection_id}', (ctx) => reply(fixtureObject('tmdb', `collection_${ctx.params.collection_id}`) ?? tmdbCollection(num(ctx, 'collection_id'), details), 'details'));
  add('/collection/{collection_id}/images', (ctx) => reply(filterImages(tmdbCollectionImages(num(ctx, 'collection_id')), ctx.req), 'details'));
  add('/collection/{collection_id}/translations', (ctx) => {
    const id = num(ctx, 'collection_id');
    return reply(tmdbCollectionTranslations(id, fixtureObject('tmdb', `collection_${id}`) ?? tmdbCollection(id, details)), 'details');
  });
  add('/company/{company_id}', (ctx) => reply(tmdbCompany(num(ctx, 'company_id')), 'details'));
  add('/company/{company_id}/alternative_names', (ctx) => reply(tmdbAlternativeNames('company', num(ctx, 'company_id'), String(tmdbCompany(num(ctx, 'company_id')).name)), 'details'));
  add('/company/{company_id}/images', (ctx) => reply(tmdbLogos('company', num(ctx, 'company_id')), 'details'));
  add('/network/{network_id}', (ctx) => reply(tmdbNetwork(num(ctx, 'network_id')), 'details'));
  add('/network/{network_id}/alternative_names', (ctx) => reply(tmdbAlternativeNames('network', num(ctx, 'network_id'), String(tmdbNetwork(num(ctx, 'network_id')).name)), 'details'));
  add('/network/{network_id}/images', (ctx) => reply(tmdbLogos('network', num(ctx, 'network_id')), 'details'));
  add('/keyword/{keyword_id}', (ctx) => reply(tmdbKeyword(num(ctx, 'keyword_id')), 'details'));
  add('/keyword/{keyword_id}/movies', (ctx) => paged(ctx.req, (page) => tmdbKeywordMovies(num(ctx, 'keyword_id'), page, details), 'chart'));
  add('/credit/{credit_id}', ({ params }) => reply(tmdbCredit(params.credit_id ?? '', details), 'details'));
  add('/review/{review_id}', ({ params }) => {
    const title = (kind: TmdbKind, id: number) => String(details(kind, id)[kind === 'movie' ? 'title' : 'name'] ?? '');
    return reply(tmdbReview(params.review_id ?? '', title), 'details');
  });
  const list = (id: string) => fixtureObject('tmdb', `list_${id}`) ?? tmdbList(id, details);
  add('/list/{list_id}', ({ params }) => reply(list(params.list_id ?? ''), 'details'));
  add('/list/{list_id}/item_status', ({ req, params }) => {
    const items = list(params.list_id ?? '').items;
    const movieId = Number(req.query.movie_id ?? Number.NaN);
    const present = (Array.isArray(items) ? items : []).some((item) => item !== null && typeof item === 'object' && !Array.isArray(item) && item.id === movieId && item.media_type !== 'tv');
    return reply({ id: Number(params.list_id) || 0, item_present: present }, 'details');
  });

  // -------------------------------------------------------------------------------------------

  /** Numeric `*_id` params at or above MISSING_ID_MIN are "missing" (404) everywhere but /find. */
  function hasMissingId(params: Record<string, string>): boolean {
    return Object.entries(params).some(([name, value]) => name.endsWith('_id') && name !== 'external_id' && /^\d+$/.test(value) && isMissingId(Number(value)));
  }

  function recordState(seg: string[], params: Record<string, string>): RecordState {
    const [type] = seg;
    const id = parseId(seg[1]);
    if (type === undefined || !RECORD_TYPES.has(type) || id === null || Object.keys(params).length === 0) return UNEDITED;
    return config.edits.state('tmdb', type, id, now());
  }

  function route(req: IncomingRequest): Answer {
    const seg = splitPath(req.path, '/3');
    if (seg === null) return notFound();
    const match = routes.match(seg);
    if (match === null || hasMissingId(match.params)) return notFound();
    const state = recordState(seg, match.params);
    if (state.deleted) return notFound();
    const result = match.handler({ req, params: match.params, revision: state.revision });
    return 'ok' in result ? ok(reviseBody(result.ok, state), result.cacheClass) : result;
  }

  return (req) => {
    if (!authorized(req)) return tmdbError(401, TMDB_ERRORS.invalidKey, { 'cache-control': 'max-age=0, private' });
    if (req.method !== 'GET' && req.method !== 'HEAD') return notFound();
    return route(req);
  };
}
