import { LRUCache } from 'lru-cache';
import { bearerOf, type AccessKeys } from '../http/access.ts';
import { keySubject, type RelayTokens, type TokenCheck } from '../http/relay-tokens.ts';
import type { RequestRejections } from '../http/rejections.ts';
import { jsonError } from '../http/render.ts';
import { pathnameOf } from '../http/surfaces.ts';
import type { RequestContext } from '../observability/request-context.ts';

export interface GateOptions {
  maxUrlLength: number;
  accessKeys: AccessKeys | null;
  /** The configured access keys, for the subjects of the relay tokens issued for them. */
  accessKeyList: readonly string[];
  /** Tokens issued at POST /v4/login, carried by TVDB clients as Bearer. */
  relayTokens: RelayTokens;
  rejections: RequestRejections;
  now: () => number;
}

/** Checks every request before anything else reads it: URL length, Host, then access. */
export type Gate = (request: Request, context: RequestContext) => Response | undefined;

/**
 * Elysia's router finds the path at the first '/' from index 11 of the URL, assuming a host of at
 * least 4 characters ("http://" + host). With `Host: x` the router and `new URL()` would disagree on
 * the path (a request could look like /swagger/... to the access check and be routed as /tmdb/...),
 * so such requests are refused before anything reads the path.
 */
const MIN_PATH_START = 11;

/**
 * Paths an access key is not asked for: liveness checks, the API docs, TVDB's login and the operator's
 * routes (both check keys of their own).
 */
export function isPublicPath(pathname: string): boolean {
  return pathname === '/health' || pathname === '/swagger' || pathname.startsWith('/swagger/') || pathname === '/v4/login' || pathname.startsWith('/admin/');
}

/**
 * Access, by surface:
 * - the relay's routes and `/3` (TMDB clients): with RELAY_ACCESS_KEYS, a key as Bearer, `x-relay-key`
 *   or `api_key` (where a TMDB client puts its key);
 * - `/v4` (TVDB clients): the relay token from `POST /v4/login` as Bearer (or a key as above). A token
 *   that is forged or expired is refused even on an open relay, so the client logs in again.
 */
export function createGate({ maxUrlLength, accessKeys, accessKeyList, relayTokens, rejections, now }: GateOptions): Gate {
  const subjects = new Set(accessKeyList.map(keySubject));
  // Verifying a token is an HMAC; a client sends the same token for weeks: remember the good ones.
  // Only those (each is a short token the relay signed): caching refusals would let a client fill the
  // table with header-sized junk and push the good tokens out.
  const verdicts = new LRUCache<string, TokenCheck>({ max: 4_096 });
  const verify = (token: string): TokenCheck => {
    let verdict = verdicts.get(token);
    if (verdict === undefined) {
      verdict = relayTokens.verify(token);
      if (verdict.ok) verdicts.set(token, verdict);
    }
    // A good verdict only lasts until the token's exp.
    return verdict.ok && verdict.expiresAt <= now() ? { ok: false, reason: 'expired' } : verdict;
  };

  const refuse = (context: RequestContext, reason: string) => {
    rejections.unauthorized++;
    context.reason = reason;
    return jsonError(
      401,
      'Unauthorized',
      { message: 'This relay needs an access key: Authorization: Bearer <key>, x-relay-key, or api_key' },
      { 'www-authenticate': 'Bearer realm="metadata-relay"' },
    );
  };

  const tvdbAccess = (request: Request, context: RequestContext): Response | undefined => {
    const bearer = bearerOf(request);
    if (bearer !== null) {
      const check = verify(bearer);
      if (check.ok && (accessKeys === null || subjects.has(check.subject))) return undefined;
      if (accessKeys?.match(bearer)) return undefined;
      return refuse(context, check.ok ? 'token_key_revoked' : `token_${check.reason}`);
    }
    if (accessKeys === null || accessKeys.allows(request, new URL(request.url))) return undefined;
    return refuse(context, 'unauthorized');
  };

  return (request, context) => {
    const url = request.url;
    // Bounded before routing: nothing below ever sees an absurd URL.
    if (url.length > maxUrlLength) {
      rejections.uri_too_long++;
      context.reason = 'uri_too_long';
      return jsonError(414, 'URI too long', { max_length: maxUrlLength });
    }
    // Bun joins repeated Host headers with ", " (and routes on the first): RFC 9112 3.2 wants a 400,
    // since a proxy in front may have acted on the other one. No valid host has a comma.
    const host = request.headers.get('host');
    if (host !== null && host.includes(',')) {
      rejections.invalid_request++;
      context.reason = 'bad_host';
      return jsonError(400, 'Bad Host header', { message: 'The request has more than one Host header (or one with a comma)' });
    }
    const pathStart = url.indexOf('/', url.indexOf('//') + 2);
    if (pathStart < MIN_PATH_START) {
      rejections.invalid_request++;
      context.reason = 'bad_host';
      return jsonError(400, 'Bad Host header', { message: 'The Host header must name a host of at least 4 characters' });
    }
    // An open relay checks nothing else, except the tokens of TVDB clients (the cheap test first).
    const tvdb = url.startsWith('/v4', pathStart) && (url.length === pathStart + 3 || url[pathStart + 3] === '/' || url[pathStart + 3] === '?');
    if (accessKeys === null && !tvdb) return undefined;
    const pathname = pathnameOf(url);
    if (isPublicPath(pathname)) return undefined;
    if (tvdb) return tvdbAccess(request, context);
    if (accessKeys !== null && accessKeys.allows(request, new URL(url))) return undefined;
    return refuse(context, 'unauthorized');
  };
}
