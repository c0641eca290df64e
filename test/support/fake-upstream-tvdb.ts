/**
 * TheTVDB v4 routes for the fake upstream (base path `/v4`): `POST /login` issuing RS256-looking
 * JWTs, bearer checks against the tokens this fake issued, and the data endpoints wrapped in the
 * `{"status","data"[,"links"]}` envelope.
 */
import { type Answer, type IncomingRequest, type RouteHandler, TVDB_CONTENT_TYPE, answer, base64url, bearerToken, parseId, splitPath } from './fake-upstream-http.ts';
import { fixture, fixtureObject } from './fake-upstream-fixtures.ts';
import { type Json, type JsonObject, isMissingId } from './generate-common.ts';
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

export interface TvdbConfig {
  apiKey: string;
  pin: string | undefined;
  tokenTtlSeconds: number;
  now: () => number;
  tokens: TvdbTokenStore;
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

export function createTvdbHandler(config: TvdbConfig): RouteHandler {
  const now = () => config.now();
  const seriesBase = (id: number): JsonObject => fixtureObject('tvdb', `series_${id}`) ?? tvdbSeriesBase(id, now());
  const seasonExtended = (id: number): JsonObject => fixtureObject('tvdb', `seasons_${id}_extended`) ?? tvdbSeasonExtended(id, now());

  /** Episodes of a series; fixture series are built from their listed seasons so the two agree. */
  function seriesEpisodes(id: number): Json[] {
    const extended = fixtureObject('tvdb', `series_${id}_extended`);
    if (extended === undefined || !Array.isArray(extended.seasons)) return tvdbSeriesEpisodes(id, now());
    return extended.seasons.flatMap((s) => {
      if (s === null || typeof s !== 'object' || Array.isArray(s) || typeof s.id !== 'number') return [];
      const type = s.type;
      if (type !== null && typeof type === 'object' && !Array.isArray(type) && type.type !== 'official') return [];
      const episodes = seasonExtended(s.id).episodes;
      return Array.isArray(episodes) ? episodes : [];
    });
  }

  function seriesExtended(id: number, req: IncomingRequest): JsonObject {
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
    return body;
  }

  function episodesRoute(id: number, seasonType: string, req: IncomingRequest): Answer {
    if (!(TVDB_EPISODE_SEASON_TYPES as readonly string[]).includes(seasonType)) {
      return invalid(`season-type must be one of ${TVDB_EPISODE_SEASON_TYPES.join(', ')}`);
    }
    const page = intParam(req, 'page');
    const season = intParam(req, 'season');
    const episodeNumber = intParam(req, 'episodeNumber');
    if (page === null || season === null || episodeNumber === null) return invalid('page, season and episodeNumber must be integers');
    const airDate = req.query.airDate;
    const all = seriesEpisodes(id).filter((e): e is JsonObject => e !== null && typeof e === 'object' && !Array.isArray(e));
    const matching = all.filter((e) =>
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
    return ok({ series: seriesBase(id), episodes }, links);
  }

  function searchRoute(req: IncomingRequest): Answer {
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
    return ok(items, tvdbLinks('/search', echo, Math.floor(offset / limit), limit, total));
  }

  function route(req: IncomingRequest): Answer {
    const seg = splitPath(req.path, '/v4');
    if (seg === null) return notFound();
    const [a, b, c, d] = seg;
    const n = seg.length;

    if (n === 1 && a === 'genres') return ok(fixture('tvdb', 'genres') ?? [...TVDB_GENRES]);
    if (n === 1 && a === 'languages') return ok(fixture('tvdb', 'languages') ?? tvdbLanguages());
    if (n === 2 && a === 'artwork' && b === 'types') return ok(fixture('tvdb', 'artwork_types') ?? tvdbArtworkTypes());
    if (n === 2 && a === 'seasons' && b === 'types') return ok(fixture('tvdb', 'seasons_types') ?? [...TVDB_SEASON_TYPES]);
    if (n === 1 && a === 'search') return searchRoute(req);
    if (n === 3 && a === 'search' && b === 'remoteid' && c !== undefined && c !== '') {
      const numeric = parseId(c);
      if (numeric !== null && isMissingId(numeric)) return notFound();
      return ok(tvdbRemoteIdSearch(c, seriesBase));
    }

    const entities = ['series', 'seasons', 'episodes', 'artwork', 'movies', 'people'];
    if (a === undefined || !entities.includes(a) || n < 2) return notFound();
    const id = parseId(b);
    if (id === null) return invalid('invalid path');
    if (isMissingId(id)) return notFound();
    const extended = n === 3 && c === 'extended';
    if (n > 2 && !extended && a !== 'series') return notFound();

    switch (a) {
      case 'series':
        if (n === 2) return ok(seriesBase(id));
        if (extended) return ok(seriesExtended(id, req));
        if (n === 4 && c === 'episodes' && d !== undefined) return episodesRoute(id, d, req);
        if (n === 3 && c === 'artworks') return ok(fixtureObject('tvdb', `series_${id}_artworks`) ?? tvdbSeriesArtworks(id, now(), req.query.lang, req.query.type));
        if (n === 3 && c === 'nextAired') return ok(seriesBase(id));
        return notFound();
      case 'seasons':
        return ok(extended ? seasonExtended(id) : fixtureObject('tvdb', `seasons_${id}`) ?? tvdbSeason(id, now()));
      case 'episodes': {
        if (!extended) return ok(fixtureObject('tvdb', `episodes_${id}`) ?? tvdbEpisode(id));
        const meta = req.query.meta;
        const body = fixtureObject('tvdb', `episodes_${id}_extended`) ?? tvdbEpisodeExtended(id, meta);
        if (meta === 'translations' && body.translations === undefined) {
          body.translations = { nameTranslations: [{ name: String(body.name ?? ''), language: 'eng' }], overviewTranslations: [{ overview: String(body.overview ?? ''), language: 'eng' }], aliases: [] };
        }
        return ok(body);
      }
      case 'artwork':
        return ok(fixtureObject('tvdb', extended ? `artwork_${id}_extended` : `artwork_${id}`) ?? tvdbArtwork(id, extended));
      case 'movies':
        return ok(fixtureObject('tvdb', extended ? `movies_${id}_extended` : `movies_${id}`) ?? (extended ? tvdbMovieExtended(id) : tvdbMovie(id)));
      case 'people':
        return n === 2 ? ok(fixtureObject('tvdb', `people_${id}`) ?? tvdbPerson(id)) : notFound();
      default:
        return notFound();
    }
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
