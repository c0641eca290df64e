import { TMDB_V3_PREFIX, TVDB_V4_PREFIX } from '../catalog/mounts/dropin.ts';
import { ownError, type OwnError } from './render.ts';

/**
 * Which API a request speaks, by its path: the relay's own (Mydia's routes and the service routes),
 * TMDB v3 under `/3`, TVDB v4 under `/v4`. Drop-in clients parse their upstream's error bodies, so the
 * relay's own errors on those surfaces are given the upstream's shape.
 */
export type Surface = 'relay' | 'tmdb' | 'tvdb';

export function surfaceOf(pathname: string): Surface {
  if (pathname === TMDB_V3_PREFIX || pathname.startsWith(`${TMDB_V3_PREFIX}/`)) return 'tmdb';
  if (pathname === TVDB_V4_PREFIX || pathname.startsWith(`${TVDB_V4_PREFIX}/`)) return 'tvdb';
  return 'relay';
}

/** The path of a request URL (no query), without parsing the URL. */
export function pathnameOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  const end = url.indexOf('?', start);
  return url.slice(start, end === -1 ? undefined : end);
}

/** TMDB's status codes for the statuses the relay answers with (TMDB's own table). */
const TMDB_CODES: Record<number, number> = { 400: 47, 401: 7, 404: 34, 405: 42, 414: 47, 429: 25, 500: 11, 502: 43, 503: 9, 504: 24 };
/** TVDB's message kinds, `<Kind>: <text>`. */
const TVDB_KINDS: Record<number, string> = { 400: 'InvalidValueType', 401: 'Unauthorized', 404: 'NotFoundException', 405: 'MethodNotAllowed', 414: 'InvalidValueType', 429: 'TooManyRequests' };

/**
 * The relay's own JSON error (`{"error": ..., "message"?: ...}`) in the surface's shape, keeping its
 * status and headers; anything else (an upstream's own error body, a cached answer) is returned as it is.
 */
export function inSurfaceShape(surface: Surface, response: Response, known: OwnError | null = null): Response {
  if (surface === 'relay') return response;
  const error = ownError(response) ?? known;
  if (error === null) return response;
  const text = typeof error.body.message === 'string' && error.body.message !== error.body.error ? `${error.body.error}: ${error.body.message}` : error.body.error;
  const body =
    surface === 'tmdb'
      ? { success: false, status_code: TMDB_CODES[response.status] ?? (response.status >= 500 ? 11 : 47), status_message: text }
      : { status: 'failure', message: response.status === 401 ? 'Unauthorized' : `${TVDB_KINDS[response.status] ?? 'Error'}: ${text}`, data: null };
  return new Response(JSON.stringify(body), { status: response.status, headers: response.headers });
}
