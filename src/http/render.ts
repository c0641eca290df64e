import type { CacheEntry } from '../cache/entry.ts';
import type { CacheState } from '../cache/resolver.ts';
import type { RequestContext } from '../observability/request-context.ts';
import type { IdentityCopies } from './identity-copies.ts';
import type { BodyView } from './views.ts';
import { UpstreamErrorResponse, UpstreamFailure } from '../upstreams/errors.ts';
import { UPSTREAM_LABEL, type UpstreamName } from '../upstreams/types.ts';

const JSON_TYPE = 'application/json; charset=utf-8';
/** Longest Retry-After the relay asks of a client; never longer than the upstream pause itself. */
export const MAX_CLIENT_RETRY_AFTER_S = 10;

/** The relay's own JSON answers (not an upstream's): one content type everywhere. */
export function jsonOk(body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { headers: { 'content-type': JSON_TYPE, 'cache-control': 'no-store', ...headers } });
}

/** 405 with Allow, for a method a path does not take. */
export function methodNotAllowed(allowed: readonly string[]): Response {
  return jsonError(405, 'Method not allowed', { allowed }, { allow: allowed.join(', ') });
}

function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': JSON_TYPE, 'cache-control': 'no-store', ...headers },
  });
}

export interface OwnError {
  status: number;
  body: { error: string; message?: unknown } & Record<string, unknown>;
}

/** The relay's own error answers, so a surface can give them its upstream's shape (see http/surfaces.ts). */
const ownErrors = new WeakMap<Response, OwnError>();

export function jsonError(status: number, error: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Response {
  const body = { error, ...extra };
  const response = jsonResponse(status, body, headers);
  ownErrors.set(response, { status, body });
  return response;
}

/** The body of one of the relay's own error answers, or undefined for any other response. */
export function ownError(response: Response): OwnError | undefined {
  return ownErrors.get(response);
}

/**
 * `age` and `cache-control` change once a second, not once a request: kept per entry for the second
 * they were made in (a memo beside the entry; the entry itself stays immutable).
 */
interface EntryTimes {
  second: number;
  age: string;
  cacheControl: string;
}

/**
 * Renders cache entries: the stored gzip bytes for clients that accept gzip, a decoded copy for the
 * rest (see IdentityCopies); 304 when the client already holds this representation. The one renderer for every answer
 * from the cache, whether the edge's hit memo or a route handler found the entry.
 *
 * With access keys on, answers are `private`: a shared cache in front of the relay must not hand a
 * key-gated answer to callers without a key.
 */
export class EntryRenderer {
  private readonly times = new WeakMap<CacheEntry, EntryTimes>();
  private readonly visibility: 'public' | 'private';
  private readonly identity: IdentityCopies;

  constructor(options: { privateAnswers: boolean; identityCopies: IdentityCopies }) {
    this.visibility = options.privateAnswers ? 'private' : 'public';
    this.identity = options.identityCopies;
  }

  render(stored: CacheEntry, state: CacheState, request: Request, now: number, context?: RequestContext, view?: BodyView | null): Response {
    const entry = view ? view.show(stored, request, context) : stored;
    if (context) context.cache = state;
    const gzip = acceptsGzip(request.headers.get('accept-encoding'));
    const etag = gzip ? entry.etagGzip : entry.etag;
    // One literal with every header: setting headers on a built Response costs more than this.
    const times = this.entryTimes(entry, now);
    const headers: Record<string, string> = {
      etag,
      vary: 'accept-encoding',
      'cache-control': times.cacheControl,
      age: times.age,
      'x-cache': state,
    };
    if (context) {
      headers['x-request-id'] = context.id;
      headers['server-timing'] = serverTiming(context);
      context.headersDone = true;
    }
    const ifNoneMatch = request.headers.get('if-none-match');
    if (ifNoneMatch !== null && matchesEtag(ifNoneMatch, entry)) {
      return new Response(null, { status: 304, headers });
    }
    headers['content-type'] = entry.contentType;
    if (gzip) {
      headers['content-encoding'] = 'gzip';
      return new Response(entry.gzipBody, { status: entry.status, headers });
    }
    return new Response(this.identity.body(entry), { status: entry.status, headers });
  }

  private entryTimes(entry: CacheEntry, now: number): EntryTimes {
    // A view's variant has the stored entry's times; its memo is its own (one more per second at most).
    const second = Math.floor(now / 1000);
    const known = this.times.get(entry);
    if (known !== undefined && known.second === second) return known;
    // max-age is the entry's whole fresh lifetime and `age` how much of it is gone: a downstream cache
    // subtracts one from the other (RFC 9111 4.2.3), so max-age must not already be the remainder.
    const lifetime = Math.max(0, Math.floor((entry.freshUntil - entry.storedAt) / 1000));
    const staleWindow = Math.max(0, Math.floor((entry.staleUntil - entry.freshUntil) / 1000));
    const times = {
      second,
      age: String(Math.max(0, Math.floor((now - entry.storedAt) / 1000))),
      cacheControl: `${this.visibility}, max-age=${lifetime}, stale-while-revalidate=${staleWindow}, stale-if-error=${staleWindow}`,
    };
    this.times.set(entry, times);
    return times;
  }
}

/** `cache;desc=HIT, upstream;dur=41.2, total;dur=0.05` (upstream only when this request fetched). */
export function serverTiming(context: RequestContext): string {
  // Math.round, not toFixed: this runs on every hit, and toFixed costs several times more.
  const total = `total;dur=${Math.round((performance.now() - context.startedAt) * 100) / 100}`;
  const upstream = context.upstreamMs === null ? '' : `upstream;dur=${Math.round(context.upstreamMs * 10) / 10}, `;
  return `cache;desc=${context.cache ?? 'none'}, ${upstream}${total}`;
}

/** "gzip" accepted unless given q=0. The common headers ("gzip, deflate, br") take the short way. */
export function acceptsGzip(header: string | null): boolean {
  if (header === null) return false;
  const at = header.indexOf('gzip');
  if (at === -1) return false;
  if (header.indexOf('q=', at) === -1) return true;
  const comma = header.indexOf(',', at);
  return !/q\s*=\s*0(\.0*)?\s*$/.test(header.slice(at + 4, comma === -1 ? undefined : comma));
}

/** If-None-Match uses weak comparison (RFC 9110 13.1.2): either representation's tag matches. */
function matchesEtag(header: string, entry: CacheEntry): boolean {
  if (entry.status < 200 || entry.status >= 300) return false; // a cached 404 has no current representation
  if (header.trim() === '*') return true;
  for (const raw of header.split(',')) {
    const tag = raw.trim().replace(/^W\//, '');
    if (tag === entry.etag || tag === entry.etagGzip) return true;
  }
  return false;
}

/**
 * Maps anything the cache or an upstream client threw to a JSON answer. Never shows a URL or key.
 * Every failure kind has its answer here (the switch is checked for exhaustiveness).
 */
export function failureResponse(error: unknown, upstream: UpstreamName, context?: RequestContext): Response {
  if (context) context.cache = 'MISS';
  if (error instanceof UpstreamErrorResponse) return passThrough(error);
  if (!(error instanceof UpstreamFailure)) return jsonError(500, 'Internal error', { upstream });
  if (context) context.reason = error.kind;
  const who = { upstream: error.upstream };
  const label = UPSTREAM_LABEL[error.upstream];
  switch (error.kind) {
    case 'not_configured':
      return jsonError(503, `${label} not configured`);
    case 'auth_rejected':
      return jsonError(502, "Upstream rejected the relay's credentials", {
        ...who,
        message: `${label} refused the relay's API credentials; the relay operator must fix its configuration.`,
      });
    case 'timeout':
      return jsonError(504, 'Upstream timed out', who);
    case 'unreachable':
    case 'reset':
      return jsonError(502, 'Upstream unreachable', who);
    case 'login_failed':
      return jsonError(502, 'TVDB login failed', who);
    case 'invalid_response':
      return jsonError(502, 'Upstream returned an invalid response', who);
    case 'too_large':
      return jsonError(502, 'Upstream answer too large', { ...who, message: error.message });
    case 'undecodable':
      return jsonError(502, 'Upstream answer could not be decoded', who);
    case 'redirect':
      return jsonError(502, `${label} answered a redirect`, who);
    case 'unavailable': {
      // Mydia waits out Retry-After before each of its 3 retries: a long one would stall it for minutes.
      const retryAfter = String(Math.min(MAX_CLIENT_RETRY_AFTER_S, Math.max(1, Math.ceil(error.retryAfterSeconds ?? 1))));
      return jsonError(503, 'Upstream temporarily unavailable', { ...who, message: error.message }, { 'retry-after': retryAfter });
    }
    default: {
      const unhandled: never = error.kind;
      return jsonError(500, 'Internal error', { upstream, kind: String(unhandled) });
    }
  }
}

/** Upstream 4xx/5xx: same status, same body when it is JSON; our JSON error when it is not. */
function passThrough(error: UpstreamErrorResponse): Response {
  const { response, upstream } = error;
  const headers: Record<string, string> = { 'cache-control': 'no-store', 'x-cache': 'MISS' };
  if (response.retryAfter && (response.status === 429 || response.status === 503)) headers['retry-after'] = response.retryAfter;
  if (/\bjson\b/i.test(response.contentType)) {
    headers['content-type'] = response.contentType;
    return new Response(response.body, { status: response.status, headers });
  }
  return jsonError(response.status, `${UPSTREAM_LABEL[upstream]} answered ${response.status}`, { upstream }, headers);
}
