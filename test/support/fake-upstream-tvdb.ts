/**
 * TheTVDB v4 routes for the fake upstream (base path `/v4`): `POST /login` issuing RS256-looking
 * JWTs, bearer checks against the tokens this fake issued, and every read path of the v4 API as a
 * route table, wrapped in the `{"status","data"[,"links"]}` envelope. A series, movie, person,
 * season, episode or artwork edited by the test (fake-upstream-edits.ts) serves its revised body
 * on every one of its paths once the edit's data delay is over, or 404 once deleted.
 */
import { type EditStore, type RecordState, UNEDITED, reviseBody } from './fake-upstream-edits.ts';
import { tvdbUpdates } from './fake-upstream-feeds.ts';
import { type Answer, type IncomingRequest, type RouteHandler, TVDB_CONTENT_TYPE, answer, base64url, bearerToken, parseId, splitPath } from './fake-upstream-http.ts';
import { fixture, fixtureNames, fixtureObject } from './fake-upstream-fixtures.ts';
import { RouteTable } from './fake-upstream-router.ts';
import { type Json, type JsonObject, hashString, isMissingId } from './generate-common.ts';
import {
  TVDB_EPISODE_SEASON_TYPES,
  TVDB_GENRES,
  TVDB_LIST_PAGE_SIZE,
  TVDB_SEARCH_DEFAULT_LIMIT,
  TVDB_SEASON_TYPES,
  tvdbArtwork,
  tvdbArtworkTypes,
  tvdbEnvelope,
  tvdbEpisode,
  tvdbEpisodeExtended,
  tvdbLanguages,
  tvdbLinks,
  tvdbMovie,
  tvdbMovieExtended,
  tvdbPerson,
  tvdbRemoteIdSearch,
  tvdbSearch,
  tvdbSeason,
  tvdbSeasonExtended,
  tvdbSeriesArtworks,
  tvdbSeriesBase,
  tvdbSeriesEpisodes,
  tvdbSeriesExtended,
} from './generate-tvdb.ts';
import {
  TVDB_CATALOG_TOTALS,
  TVDB_COMPANY_TYPES,
  type TranslatedKind,
  type TvdbCatalog,
  tvdbArtworkStatuses,
  tvdbAward,
  tvdbAwardCategory,
  tvdbAwardCategoryExtended,
  tvdbAwardExtended,
  tvdbAwards,
  tvdbCatalogIds,
  tvdbCharacter,
  tvdbCompany,
  tvdbContentRatings,
  tvdbCountries,
  tvdbEntityTypes,
  tvdbFilterIds,
  tvdbGenders,
  tvdbInspirationTypes,
  tvdbIsLanguage,
  tvdbList,
  tvdbListExtended,
  tvdbMovieStatuses,
  tvdbPeopleTypes,
  tvdbPersonExtended,
  tvdbRecordInfo,
  tvdbSeriesStatuses,
  tvdbSourceTypes,
  tvdbTranslation,
  tvdbTranslationsMeta,
} from './generate-tvdb-entities.ts';

export interface TvdbConfig {
  apiKey: string;
  pin: string | undefined;
  tokenTtlSeconds: number;
  now: () => number;
  tokens: TvdbTokenStore;
  edits: EditStore;
}

export function tvdbFailure(message: string): JsonObject {
  return { status: 'failure', message, data: null };
}

export function tvdbError(status: number, message: string, extra: Record<string, string> = {}): Answer {
  return answer(status, tvdbFailure(message), { 'content-type': TVDB_CONTENT_TYPE, vary: 'Origin', ...extra });
}

/** Default messages for `{kind:'status'}` faults without an explicit body. */
export function tvdbStatusMessage(status: number): string {
  const messages: Record<number, string> = {
    400: 'InvalidValueType: bad request',
    401: 'Unauthorized',
    404: 'NotFoundException: not found',
    429: 'TooManyRequests: rate limit exceeded',
    500: 'InternalServerError: internal server error',
    502: 'BadGateway: bad gateway',
    503: 'ServiceUnavailable: service unavailable',
    504: 'GatewayTimeout: gateway timeout',
  };
  return messages[status] ?? `HTTPError: status ${status}`;
}

const ok = (data: Json, links?: JsonObject): Answer => answer(200, tvdbEnvelope(data, links), { 'content-type': TVDB_CONTENT_TYPE, vary: 'Origin' });
const notFound = (): Answer => tvdbError(404, 'NotFoundException: not found');
const invalid = (what: string): Answer => tvdbError(400, `InvalidValueType: ${what}`);

/** Tokens issued by `/login`, with their expiry; `revokeAll` invalidates everything issued so far. */
export class TvdbTokenStore {
  private readonly issued = new Map<string, { expMs: number; revoked: boolean }>();

  issue(nowMs: number, ttlSeconds: number): string {
    const exp = Math.floor(nowMs / 1000) + ttlSeconds;
    const uuid = crypto.randomUUID();
    const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
    const payload = base64url(JSON.stringify({
      age: '',
      community_supported: false,
      exp,
      gender: '',
      hits_per_day: 100_000_000,
      hits_per_month: 100_000_000,
      id: String(1_000 + ((crypto.getRandomValues(new Uint32Array(1))[0] ?? 0) % 9_000_000)),
      is_mod: false,
      is_system_key: false,
      is_trusted: false,
      pin: null,
      roles: [],
      theme: '',
      uuid,
    }));
    const signature = base64url(crypto.getRandomValues(new Uint8Array(256)));
    const token = `${header}.${payload}.${signature}`;
    this.issued.set(token, { expMs: exp * 1000, revoked: false });
    return token;
  }

  isValid(token: string | null, nowMs: number): boolean {
    if (token === null) return false;
    const entry = this.issued.get(token);
    return entry !== undefined && !entry.revoked && nowMs < entry.expMs;
  }

  revokeAll(): void {
    for (const entry of this.issued.values()) entry.revoked = true;
  }
}

function findKey(body: JsonObject, name: string): Json | undefined {
  const key = Object.keys(body).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : body[key];
}

function login(req: IncomingRequest, config: TvdbConfig): Answer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(req.body);
  } catch {
    return invalid('invalid JSON body');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return invalid('invalid JSON body');
  const body = parsed as JsonObject;
  if (findKey(body, 'apikey') !== config.apiKey) return tvdbError(401, 'InvalidAPIKey: apikey invalid');
  if (config.pin !== undefined) {
    const pin = findKey(body, 'pin');
    if (pin === undefined || pin === null || pin === '') return invalid('pin required');
    if (pin !== config.pin) return tvdbError(401, 'InvalidAPIKey: apikey invalid');
  }
  return ok({ token: config.tokens.issue(config.now(), config.tokenTtlSeconds) });
}

/** A non-negative integer query param; undefined when absent, null when malformed. */
function intParam(req: IncomingRequest, name: string): number | undefined | null {
  const raw = req.query[name];
  if (raw === undefined || raw === '') return undefined;
  return /^\d{1,9}$/.test(raw) ? Number(raw) : null;
}

/** What a route answers: `data` (+links) for the dispatcher to revise and wrap, or a finished error. */
type Reply = Answer | { ok: Json; links?: JsonObject; record?: { type: string; id: number } };

interface Ctx {
  req: IncomingRequest;
  params: Record<string, string>;
  /** The `{id}` path parameter (NaN on paths without one). */
  id: number;
}

type Handler = (ctx: Ctx) => Reply;

/** The types a test can edit; their paths start with the type's name and `{id}`. */
const RECORD_TYPES = new Set(['series', 'movies', 'people', 'episodes', 'seasons', 'artwork']);
/** Paths whose second segment is an id: a non-numeric one is a 400, like TVDB's "invalid path". */
const ID_PREFIXES = new Set([...RECORD_TYPES, 'characters', 'companies', 'awards', 'lists', 'genres']);
const FILTER_KEYS = ['company', 'contentRating', 'country', 'genre', 'lang', 'sort', 'sortType', 'status', 'year'];

function acceptsParam(name: string, value: string): boolean {
  if (name === 'language' || name === 'lang') return /^[a-z]{3}$/.test(value);
  if (name === 'slug') return /^[a-z0-9][a-z0-9-]{0,127}$/.test(value);
  if (name === 'season-type' || name === 'remoteId') return value !== '';
  return parseId(value) !== null;
}

const data = (body: Json, links?: JsonObject): Reply => (links === undefined ? { ok: body } : { ok: body, links });
const isObject = (value: Json | undefined): value is JsonObject => value !== null && value !== undefined && typeof value === 'object' && !Array.isArray(value);

export function createTvdbHandler(config: TvdbConfig): RouteHandler {
  const now = () => config.now();
  const seriesBase = (id: number): JsonObject => fixtureObject('tvdb', `series_${id}`) ?? tvdbSeriesBase(id, now());
  const seasonBase = (id: number): JsonObject => fixtureObject('tvdb', `seasons_${id}`) ?? tvdbSeason(id, now());
  const seasonExtended = (id: number): JsonObject => fixtureObject('tvdb', `seasons_${id}_extended`) ?? tvdbSeasonExtended(id, now());
  const episodeBase = (id: number): JsonObject => fixtureObject('tvdb', `episodes_${id}`) ?? tvdbEpisode(id);
  const movieBase = (id: number): JsonObject => fixtureObject('tvdb', `movies_${id}`) ?? tvdbMovie(id);
  const personBase = (id: number): JsonObject => fixtureObject('tvdb', `people_${id}`) ?? tvdbPerson(id);
  const info = (kind: 'series' | 'movie', id: number) => tvdbRecordInfo(kind === 'series' ? seriesBase(id) : movieBase(id));

  /** Episodes of a series; fixture series are built from their listed seasons so the two agree. */
  function seriesEpisodes(id: number): JsonObject[] {
    const extended = fixtureObject('tvdb', `series_${id}_extended`);
    if (extended === undefined || !Array.isArray(extended.seasons)) return tvdbSeriesEpisodes(id, now());
    return extended.seasons.flatMap((s) => {
      if (!isObject(s) || typeof s.id !== 'number') return [];
      if (isObject(s.type) && s.type.type !== 'official') return [];
      const episodes = seasonExtended(s.id).episodes;
      return Array.isArray(episodes) ? episodes.filter(isObject) : [];
    });
  }

  function seriesExtended({ id, req }: Ctx): Reply {
    const body = fixtureObject('tvdb', `series_${id}_extended`) ?? tvdbSeriesExtended(id, now());
    const meta = req.query.meta;
    if (meta === 'translations' && body.translations === undefined) {
      const name = String(body.name ?? '');
      const overview = String(body.overview ?? '');
      body.translations = { nameTranslations: [{ name, language: 'eng' }], overviewTranslations: [{ overview, language: 'eng' }], aliases: [] };
    }
    if (meta === 'episodes') body.episodes = seriesEpisodes(id);
    if (req.query.short === 'true') {
      body.artworks = null;
      body.characters = null;
    }
    return data(body);
  }

  const badSeasonType = () => invalid(`season-type must be one of ${TVDB_EPISODE_SEASON_TYPES.join(', ')}`);
  const isSeasonType = (value: string) => (TVDB_EPISODE_SEASON_TYPES as readonly string[]).includes(value);

  function episodesRoute({ id, req, params }: Ctx): Reply {
    const seasonType = params['season-type'] ?? '';
    if (!isSeasonType(seasonType)) return badSeasonType();
    const page = intParam(req, 'page');
    const season = intParam(req, 'season');
    const episodeNumber = intParam(req, 'episodeNumber');
    if (page === null || season === null || episodeNumber === null) return invalid('page, season and episodeNumber must be integers');
    const airDate = req.query.airDate;
    const matching = seriesEpisodes(id).filter((e) =>
      (season === undefined || e.seasonNumber === season)
      && (episodeNumber === undefined || e.number === episodeNumber)
      && (airDate === undefined || airDate === '' || e.aired === airDate));
    const p = page ?? 0;
    const echo: [string, string][] = [];
    if (season !== undefined) echo.push(['season', String(season)]);
    if (episodeNumber !== undefined) echo.push(['episodeNumber', String(episodeNumber)]);
    if (airDate !== undefined && airDate !== '') echo.push(['airDate', airDate]);
    const links = tvdbLinks(`/series/${id}/episodes/${seasonType}`, echo, p, TVDB_LIST_PAGE_SIZE, matching.length);
    const episodes = matching.slice(p * TVDB_LIST_PAGE_SIZE, (p + 1) * TVDB_LIST_PAGE_SIZE);
    return data({ series: seriesBase(id), episodes }, links);
  }

  /** `/series/{id}/episodes/{season-type}/{lang}`: unlike the untranslated list, `data` is the series with `episodes` inside. */
  function translatedEpisodesRoute({ id, req, params }: Ctx): Reply {
    const seasonType = params['season-type'] ?? '';
    const lang = params.lang ?? 'eng';
    if (!isSeasonType(seasonType)) return badSeasonType();
    if (!tvdbIsLanguage(lang)) return notFound();
    const page = intParam(req, 'page');
    if (page === null) return invalid('page must be an integer');
    const p = page ?? 0;
    const all = seriesEpisodes(id);
    const translate = (e: JsonObject): JsonObject => (lang === 'eng' || typeof e.name !== 'string' ? e : { ...e, name: `${e.name} (${lang})` });
    const episodes = all.slice(p * TVDB_LIST_PAGE_SIZE, (p + 1) * TVDB_LIST_PAGE_SIZE).map(translate);
    return data({ ...seriesBase(id), episodes }, tvdbLinks(`/series/${id}/episodes/${seasonType}/${lang}`, [], p, TVDB_LIST_PAGE_SIZE, all.length));
  }

  function searchRoute({ req }: Ctx): Reply {
    const query = req.query.query ?? req.query.q ?? '';
    if (query === '') return invalid('query is required');
    const limitParam = intParam(req, 'limit');
    const limit = limitParam === null || limitParam === undefined || limitParam === 0 ? TVDB_SEARCH_DEFAULT_LIMIT : limitParam;
    const offsetParam = intParam(req, 'offset');
    const pageParam = intParam(req, 'page');
    const offset = typeof offsetParam === 'number' ? offsetParam : (typeof pageParam === 'number' ? pageParam : 0) * limit;
    const { type, year } = req.query;
    const { items, total } = tvdbSearch(query, { type, year, offset, limit }, seriesBase);
    const echo: [string, string][] = [['query', query]];
    if (type !== undefined && type !== '') echo.push(['type', type]);
    if (year !== undefined && year !== '') echo.push(['year', year]);
    echo.push(['limit', String(limit)]);
    return data(items, tvdbLinks('/search', echo, Math.floor(offset / limit), limit, total));
  }

  function translationRoute(kind: TranslatedKind, base: (id: number) => JsonObject): Handler {
    return ({ id, params }) => {
      const language = params.language ?? '';
      return tvdbIsLanguage(language) ? data(tvdbTranslation(kind, base(id), language)) : tvdbError(404, 'NotFoundException: translation not found');
    };
  }

  /** `meta=translations` on an extended record that does not carry translations yet. */
  function withMeta(kind: TranslatedKind, body: JsonObject, req: IncomingRequest): JsonObject {
    if (req.query.meta === 'translations' && body.translations === undefined) body.translations = tvdbTranslationsMeta(kind, body);
    return body;
  }

  function catalog(name: TvdbCatalog, item: (id: number) => JsonObject): Handler {
    return ({ req }) => {
      const page = intParam(req, 'page');
      if (page === null) return invalid('page must be an integer');
      const p = page ?? 0;
      return data(tvdbCatalogIds(name, p, TVDB_LIST_PAGE_SIZE).map(item), tvdbLinks(`/${name}`, [], p, TVDB_LIST_PAGE_SIZE, TVDB_CATALOG_TOTALS[name]));
    };
  }

  function filterRoute(kind: 'series' | 'movies', item: (id: number) => JsonObject): Handler {
    return ({ req }) => {
      const page = intParam(req, 'page');
      if (page === null) return invalid('page must be an integer');
      const p = page ?? 0;
      const filters = FILTER_KEYS.flatMap((k): [string, string][] => (req.query[k] === undefined || req.query[k] === '' ? [] : [[k, req.query[k] ?? '']]));
      const { total, idAt } = tvdbFilterIds(kind, filters);
      const ids: number[] = [];
      for (let i = p * TVDB_LIST_PAGE_SIZE; i < Math.min(total, (p + 1) * TVDB_LIST_PAGE_SIZE); i++) ids.push(idAt(i));
      return data(ids.map(item), tvdbLinks(`/${kind}/filter`, filters, p, TVDB_LIST_PAGE_SIZE, total));
    };
  }

  /**
   * A record by slug: a fixture with that slug, else the record of an id derived from the slug
   * (answering with the slug asked for). Slugs containing "zzz" are not found.
   */
  function slugRoute(type: 'series' | 'movies' | 'lists', base: (id: number) => JsonObject, slugKey: 'slug' | 'url'): Handler {
    return ({ params }) => {
      const slug = params.slug ?? '';
      if (slug.includes('zzz')) return notFound();
      const pattern = new RegExp(`^${type}_\\d+$`);
      const known = fixtureNames('tvdb').filter((n) => pattern.test(n)).map((n) => fixtureObject('tvdb', n)).find((b) => b !== undefined && b[slugKey] === slug);
      const id = known === undefined ? 70_000 + (hashString(`tvdb:${type}-slug:${slug}`) % 400_000) : Number(known.id);
      const body = known ?? { ...base(id), [slugKey]: slug };
      return RECORD_TYPES.has(type) ? { ok: body, record: { type, id } } : data(body);
    };
  }

  const seriesIdOf = (episodeId: number): number | null => {
    const seriesId = episodeBase(episodeId).seriesId;
    return typeof seriesId === 'number' ? seriesId : null;
  };

  // -------------------------------------------------------------------------------------------
  // The table

  const routes = new RouteTable<Handler>(acceptsParam);
  const add = (template: string, handler: Handler) => routes.add(template, handler);
  const list = (items: () => Json): Handler => () => data(items());

  // Search and changes.
  add('/search', searchRoute);
  add('/search/remoteid/{remoteId}', ({ params }) => data(tvdbRemoteIdSearch(params.remoteId ?? '', seriesBase)));
  add('/updates', ({ req }) => {
    const result = tvdbUpdates(config.edits.entries('tvdb'), req.query, now(), seriesIdOf);
    return 'ok' in result ? data(result.ok, result.links) : tvdbError(result.status, result.message);
  });

  // Series.
  add('/series', catalog('series', seriesBase));
  add('/series/filter', filterRoute('series', seriesBase));
  add('/series/statuses', list(tvdbSeriesStatuses));
  add('/series/slug/{slug}', slugRoute('series', seriesBase, 'slug'));
  add('/series/{id}', ({ id }) => data(seriesBase(id)));
  add('/series/{id}/extended', seriesExtended);
  add('/series/{id}/artworks', ({ id, req }) => data(fixtureObject('tvdb', `series_${id}_artworks`) ?? tvdbSeriesArtworks(id, now(), req.query.lang, req.query.type)));
  add('/series/{id}/nextAired', ({ id }) => data(seriesBase(id)));
  add('/series/{id}/translations/{language}', translationRoute('series', seriesBase));
  add('/series/{id}/episodes/{season-type}', episodesRoute);
  add('/series/{id}/episodes/{season-type}/{lang}', translatedEpisodesRoute);

  // Seasons and episodes.
  add('/seasons', catalog('seasons', seasonBase));
  add('/seasons/types', list(() => fixture('tvdb', 'seasons_types') ?? [...TVDB_SEASON_TYPES]));
  add('/seasons/{id}', ({ id }) => data(seasonBase(id)));
  add('/seasons/{id}/extended', ({ id, req }) => data(withMeta('season', seasonExtended(id), req)));
  add('/seasons/{id}/translations/{language}', translationRoute('season', seasonExtended));
  add('/episodes', catalog('episodes', episodeBase));
  add('/episodes/{id}', ({ id }) => data(episodeBase(id)));
  add('/episodes/{id}/extended', ({ id, req }) => {
    const meta = req.query.meta;
    const body = fixtureObject('tvdb', `episodes_${id}_extended`) ?? tvdbEpisodeExtended(id, meta);
    if (meta === 'translations' && body.translations === undefined) {
      body.translations = { nameTranslations: [{ name: String(body.name ?? ''), language: 'eng' }], overviewTranslations: [{ overview: String(body.overview ?? ''), language: 'eng' }], aliases: [] };
    }
    return data(body);
  });
  add('/episodes/{id}/translations/{language}', translationRoute('episode', episodeBase));

  // Movies.
  add('/movies', catalog('movies', movieBase));
  add('/movies/filter', filterRoute('movies', movieBase));
  add('/movies/statuses', list(tvdbMovieStatuses));
  add('/movies/slug/{slug}', slugRoute('movies', movieBase, 'slug'));
  add('/movies/{id}', ({ id }) => data(movieBase(id)));
  add('/movies/{id}/extended', ({ id, req }) => {
    const body = withMeta('movie', fixtureObject('tvdb', `movies_${id}_extended`) ?? tvdbMovieExtended(id), req);
    if (req.query.short === 'true') {
      body.artworks = null;
      body.characters = null;
      body.trailers = null;
    }
    return data(body);
  });
  add('/movies/{id}/translations/{language}', translationRoute('movie', movieBase));

  // People and characters.
  add('/people', catalog('people', personBase));
  add('/people/types', list(tvdbPeopleTypes));
  add('/people/{id}', ({ id }) => data(personBase(id)));
  add('/people/{id}/extended', ({ id, req }) => data(withMeta('person', fixtureObject('tvdb', `people_${id}_extended`) ?? tvdbPersonExtended(personBase(id), info), req)));
  add('/people/{id}/translations/{language}', translationRoute('person', personBase));
  add('/characters/{id}', ({ id }) => data(tvdbCharacter(id, info)));

  // Artwork.
  add('/artwork/statuses', list(tvdbArtworkStatuses));
  add('/artwork/types', list(() => fixture('tvdb', 'artwork_types') ?? tvdbArtworkTypes()));
  add('/artwork/{id}', ({ id }) => data(fixtureObject('tvdb', `artwork_${id}`) ?? tvdbArtwork(id, false)));
  add('/artwork/{id}/extended', ({ id }) => data(fixtureObject('tvdb', `artwork_${id}_extended`) ?? tvdbArtwork(id, true)));

  // Awards, companies, lists.
  add('/awards', list(tvdbAwards));
  add('/awards/{id}', ({ id }) => data(tvdbAward(id)));
  add('/awards/{id}/extended', ({ id }) => data(tvdbAwardExtended(id)));
  add('/awards/categories/{id}', ({ id }) => data(tvdbAwardCategory(id)));
  add('/awards/categories/{id}/extended', ({ id }) => data(tvdbAwardCategoryExtended(id, seriesBase, movieBase)));
  add('/companies', catalog('companies', tvdbCompany));
  add('/companies/types', list(() => [...TVDB_COMPANY_TYPES]));
  add('/companies/{id}', ({ id }) => data(tvdbCompany(id)));
  add('/lists', catalog('lists', tvdbList));
  add('/lists/slug/{slug}', slugRoute('lists', tvdbList, 'url'));
  add('/lists/{id}', ({ id }) => data(tvdbList(id)));
  add('/lists/{id}/extended', ({ id }) => data(tvdbListExtended(id)));
  add('/lists/{id}/translations/{language}', translationRoute('list', tvdbList));

  // Reference lists.
  add('/content/ratings', list(tvdbContentRatings));
  add('/countries', list(tvdbCountries));
  add('/entities', list(tvdbEntityTypes));
  add('/genders', list(tvdbGenders));
  add('/genres', list(() => fixture('tvdb', 'genres') ?? [...TVDB_GENRES]));
  add('/genres/{id}', ({ id }) => {
    const genres = fixture('tvdb', 'genres') ?? [...TVDB_GENRES];
    const genre = (Array.isArray(genres) ? genres : []).find((g) => isObject(g) && g.id === id);
    return genre === undefined ? notFound() : data(genre);
  });
  add('/inspiration/types', list(tvdbInspirationTypes));
  add('/languages', list(() => fixture('tvdb', 'languages') ?? tvdbLanguages()));
  add('/sources/types', list(tvdbSourceTypes));

  // -------------------------------------------------------------------------------------------

  const stateOf = (type: string, id: number): RecordState => config.edits.state('tvdb', type, id, now());

  /** Ids at or above MISSING_ID_MIN are "missing" (404), also as a numeric remote id. */
  function hasMissingId(params: Record<string, string>): boolean {
    return Object.entries(params).some(([name, value]) => (name === 'id' || name === 'remoteId') && /^\d+$/.test(value) && isMissingId(Number(value)));
  }

  /** No route: a non-numeric id where one belongs is 400 "invalid path", anything else 404. */
  function unmatched(seg: string[]): Answer {
    const [prefix, second] = seg;
    return prefix !== undefined && ID_PREFIXES.has(prefix) && second !== undefined && parseId(second) === null ? invalid('invalid path') : notFound();
  }

  function route(req: IncomingRequest): Answer {
    const seg = splitPath(req.path, '/v4');
    if (seg === null) return notFound();
    const match = routes.match(seg);
    if (match === null) return unmatched(seg);
    if (hasMissingId(match.params)) return notFound();
    const [prefix] = seg;
    const id = Number(match.params.id ?? Number.NaN);
    const ownRecord = prefix !== undefined && RECORD_TYPES.has(prefix) && seg[1] === match.params.id;
    let state = ownRecord ? stateOf(prefix, id) : UNEDITED;
    if (state.deleted) return notFound();
    const result = match.handler({ req, params: match.params, id });
    if (!('ok' in result)) return result;
    if (result.record !== undefined) state = stateOf(result.record.type, result.record.id);
    if (state.deleted) return notFound();
    return ok(reviseBody(result.ok, state), result.links);
  }

  return (req) => {
    const seg = splitPath(req.path, '/v4');
    if (seg !== null && seg.length === 1 && seg[0] === 'login') {
      return req.method === 'POST' ? login(req, config) : notFound();
    }
    if (!config.tokens.isValid(bearerToken(req.headers), now())) return tvdbError(401, 'Unauthorized');
    if (req.method !== 'GET' && req.method !== 'HEAD') return notFound();
    return route(req);
  };
}
