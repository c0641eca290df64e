/**
 * TMDB v3 routes for the fake upstream (base path `/3`). Bodies come from our fixtures when one
 * exists for the path, else from the deterministic generators.
 */
import { type Answer, type IncomingRequest, type RouteHandler, TMDB_CONTENT_TYPE, answer, bearerToken, parseId, splitPath, weakEtag } from './fake-upstream-http.ts';
import { fixtureObject } from './fake-upstream-fixtures.ts';
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
  tmdbVideos,
  tmdbWatchProviders,
} from './generate-tmdb.ts';

export interface TmdbConfig {
  apiKey: string;
  accessToken: string;
  now: () => number;
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

const MOVIE_SUBS = ['images', 'credits', 'videos', 'keywords', 'alternative_titles', 'external_ids', 'recommendations', 'similar', 'release_dates'] as const;
const TV_SUBS = ['images', 'credits', 'videos', 'keywords', 'alternative_titles', 'external_ids', 'recommendations', 'similar', 'content_ratings'] as const;
const MOVIE_CHARTS = ['popular', 'upcoming', 'now_playing', 'top_rated'];
const TV_CHARTS = ['popular', 'on_the_air', 'airing_today', 'top_rated'];

function ok(body: JsonObject, cacheClass: CacheClass): Answer {
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

function isKind(value: string | undefined): value is TmdbKind {
  return value === 'movie' || value === 'tv';
}

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

export function createTmdbHandler(config: TmdbConfig): RouteHandler {
  const details: DetailsResolver = (kind, id) => fixtureObject('tmdb', `${kind}_${id}`) ?? (kind === 'movie' ? tmdbMovieDetails(id) : tmdbTvDetails(id, config.now()));

  function authorized(req: IncomingRequest): boolean {
    const keys = req.params.getAll('api_key');
    if (keys.length > 0) return keys.every((k) => k === config.apiKey);
    return bearerToken(req.headers) === config.accessToken;
  }

  function images(kind: TmdbKind, id: number, req: IncomingRequest): JsonObject {
    const body = fixtureObject('tmdb', `${kind}_${id}_images`) ?? tmdbImages(kind, id);
    const filter = req.query.include_image_language;
    if (filter === undefined || filter === '') return body;
    const langs = new Set(filter.split(',').map((s) => s.trim()));
    const keep = (list: Json | undefined): Json[] =>
      (Array.isArray(list) ? list : []).filter((img) => img !== null && typeof img === 'object' && !Array.isArray(img) && langs.has(img.iso_639_1 === null ? 'null' : String(img.iso_639_1)));
    return { ...body, backdrops: keep(body.backdrops), logos: keep(body.logos), posters: keep(body.posters) };
  }

  function subResource(kind: TmdbKind, id: number, sub: string, req: IncomingRequest): JsonObject | null {
    const fromFixture = fixtureObject('tmdb', `${kind}_${id}_${sub}`);
    if (fromFixture !== undefined && sub !== 'images') return fromFixture;
    switch (sub) {
      case 'images': return images(kind, id, req);
      case 'credits': return tmdbCredits(kind, id);
      case 'videos': return tmdbVideos(kind, id);
      case 'keywords': return tmdbKeywords(kind, id);
      case 'alternative_titles': return tmdbAlternativeTitles(kind, id);
      case 'external_ids': return tmdbExternalIds(kind, id);
      case 'recommendations': return tmdbRecommendations(kind, id, details);
      case 'similar': return tmdbRecommendations(kind, id + 1, details);
      case 'release_dates': return kind === 'movie' ? tmdbReleaseDates(id) : null;
      case 'content_ratings': return kind === 'tv' ? tmdbContentRatings(id) : null;
      default: return null;
    }
  }

  function detailsRoute(kind: TmdbKind, id: number, req: IncomingRequest): Answer {
    const appends = (req.query.append_to_response ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (appends.length > 20) return tmdbError(400, TMDB_ERRORS.tooManyAppends);
    const body = details(kind, id);
    const known: readonly string[] = kind === 'movie' ? MOVIE_SUBS : TV_SUBS;
    for (const name of appends) {
      if (!known.includes(name)) continue; // TMDB silently ignores unknown append names
      const sub = subResource(kind, id, name, req);
      if (sub !== null) body[name] = name === 'recommendations' || name === 'similar' ? sub : withoutId(sub);
    }
    return ok(body, 'details');
  }

  function tvRoute(id: number, rest: string[], req: IncomingRequest): Answer {
    const [, , , seasonSeg, episodeKw, episodeSeg] = rest;
    if (rest.length === 2) return detailsRoute('tv', id, req);
    if (rest.length === 3 && rest[2] !== undefined && (TV_SUBS as readonly string[]).includes(rest[2])) {
      const sub = subResource('tv', id, rest[2], req);
      return sub === null ? notFound() : ok(sub, 'details');
    }
    if (rest[2] !== 'season') return notFound();
    const n = parseId(seasonSeg);
    if (n === null) return notFound();
    if (rest.length === 4) {
      const season = fixtureObject('tmdb', `tv_${id}_season_${n}`) ?? generatedSeason(id, n);
      return season === null ? notFound() : ok(season, 'details');
    }
    const m = parseId(episodeSeg);
    if (rest.length !== 6 || episodeKw !== 'episode' || m === null) return notFound();
    const episode = fixtureObject('tmdb', `tv_${id}_season_${n}_episode_${m}`) ?? episodeFrom(id, n, m);
    return episode === null ? notFound() : ok(episode, 'details');
  }

  /**
   * The show's season list (fixture or generated) decides which seasons exist. For fixture shows
   * the listed episode_count/air_date drive the generated season so the two agree.
   */
  function seasonLookup(id: number, n: number): { exists: boolean; hint: SeasonHint | undefined } {
    const fromFixture = fixtureObject('tmdb', `tv_${id}`);
    const show = fromFixture ?? tmdbTvDetails(id, config.now());
    const list = Array.isArray(show.seasons) ? show.seasons : [];
    const entry = list.find((s): s is JsonObject => s !== null && typeof s === 'object' && !Array.isArray(s) && s.season_number === n);
    if (entry === undefined) return { exists: false, hint: undefined };
    if (fromFixture === undefined) return { exists: true, hint: undefined };
    const airDate = typeof entry.air_date === 'string' ? entry.air_date : null;
    return { exists: true, hint: { episodeCount: Number(entry.episode_count ?? 0), airDate } };
  }

  function generatedSeason(id: number, n: number): JsonObject | null {
    const { exists, hint } = seasonLookup(id, n);
    return exists ? tmdbTvSeason(id, n, config.now(), hint) : null;
  }

  function episodeFrom(id: number, n: number, m: number): JsonObject | null {
    const season = fixtureObject('tmdb', `tv_${id}_season_${n}`) ?? generatedSeason(id, n);
    const list = season !== null && Array.isArray(season.episodes) ? season.episodes : [];
    const found = list.find((e): e is JsonObject => e !== null && typeof e === 'object' && !Array.isArray(e) && e.episode_number === m);
    if (found === undefined) return null;
    const { show_id: _showId, ...episode } = found;
    return episode;
  }

  function paged(req: IncomingRequest, build: (page: number) => JsonObject, cacheClass: CacheClass): Answer {
    const page = pageOf(req);
    return page === null ? tmdbError(400, TMDB_ERRORS.invalidPage) : ok(build(page), cacheClass);
  }

  function route(req: IncomingRequest): Answer {
    const seg = splitPath(req.path, '/3');
    if (seg === null) return notFound();
    const [a, b, c] = seg;
    const id = parseId(b);
    if (id !== null && isMissingId(id) && seg.length >= 2 && a !== 'find') return notFound();

    if (seg.length === 1 && a === 'configuration') return ok(fixtureObject('tmdb', 'configuration') ?? tmdbConfiguration(), 'static');
    if (seg.length === 1 && a === 'authentication') return answer(200, { success: true }, { 'content-type': TMDB_CONTENT_TYPE, 'cache-control': 'max-age=0, private' });
    if (seg.length === 2 && a === 'search' && isKind(b)) {
      const query = req.query.query ?? '';
      if (query === '') return tmdbError(422, TMDB_ERRORS.queryRequired);
      const extra = [req.query.year, req.query.primary_release_year, req.query.first_air_date_year, req.query.include_adult].join('|');
      return paged(req, (page) => tmdbSearch(b, query, page, extra, details), 'search');
    }
    if (seg.length === 3 && a === 'trending' && (b === 'movie' || b === 'tv' || b === 'all') && (c === 'week' || c === 'day')) {
      return paged(req, (page) => tmdbChart(`trending_${c}`, b, page, details, config.now()), 'chart');
    }
    if (seg.length === 2 && ((a === 'movie' && b !== undefined && MOVIE_CHARTS.includes(b)) || (a === 'tv' && b !== undefined && TV_CHARTS.includes(b)))) {
      const kind: TmdbKind = a === 'movie' ? 'movie' : 'tv';
      return paged(req, (page) => tmdbChart(b ?? '', kind, page, details, config.now()), 'chart');
    }
    if (seg.length === 2 && a === 'discover' && isKind(b)) {
      const filters = [...req.params.entries()].filter(([k]) => k !== 'page' && k !== 'api_key').map(([k, v]) => `${k}=${v}`).sort().join('&');
      return paged(req, (page) => tmdbDiscover(b, filters, page, details), 'chart');
    }
    if (seg.length === 3 && a === 'genre' && isKind(b) && c === 'list') return ok(fixtureObject('tmdb', `genre_${b}_list`) ?? tmdbGenres(b), 'static');
    if (seg.length === 3 && a === 'watch' && b === 'providers' && isKind(c)) return ok(fixtureObject('tmdb', `watch_providers_${c}`) ?? tmdbWatchProviders(c), 'static');
    if (seg.length === 2 && a === 'list' && b !== undefined && b !== '') return ok(fixtureObject('tmdb', `list_${b}`) ?? tmdbList(b, details), 'details');
    if (seg.length === 2 && a === 'collection' && id !== null) return ok(fixtureObject('tmdb', `collection_${id}`) ?? tmdbCollection(id, details), 'details');
    if (seg.length === 2 && a === 'find' && b !== undefined) {
      const source = req.query.external_source ?? '';
      if (!(TMDB_EXTERNAL_SOURCES as readonly string[]).includes(source)) return tmdbError(400, TMDB_ERRORS.invalidInput);
      return ok(tmdbFind(b, source, details), 'details');
    }
    if (a === 'movie' && id !== null) {
      if (seg.length === 2) return detailsRoute('movie', id, req);
      if (seg.length === 3 && c !== undefined && (MOVIE_SUBS as readonly string[]).includes(c)) {
        const sub = subResource('movie', id, c, req);
        return sub === null ? notFound() : ok(sub, 'details');
      }
      return notFound();
    }
    if (a === 'tv' && id !== null) return tvRoute(id, seg, req);
    return notFound();
  }

  return (req) => {
    if (!authorized(req)) return tmdbError(401, TMDB_ERRORS.invalidKey, { 'cache-control': 'max-age=0, private' });
    if (req.method !== 'GET' && req.method !== 'HEAD') return notFound();
    return route(req);
  };
}
