import type { CacheEntry } from '../cache/entry.ts';
import type { CacheState } from '../cache/response-cache.ts';
import { UpstreamErrorResponse, UpstreamFailure } from '../upstreams/errors.ts';
import { UPSTREAM_LABEL, type UpstreamName } from '../upstreams/types.ts';

const JSON_TYPE = 'application/json; charset=utf-8';
/** Longest Retry-After the relay asks of a client; never longer than the upstream pause itself. */
export const MAX_CLIENT_RETRY_AFTER_S = 10;

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': JSON_TYPE, 'cache-control': 'no-store', ...headers },
  });
}

export function jsonError(status: number, error: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Response {
  return jsonResponse(status, { error, ...extra }, headers);
}

/**
 * Answers from a cache entry: the stored gzip bytes for clients that accept gzip, decoded bytes for
 * the rest; 304 when the client already holds this representation.
 */
export function entryResponse(entry: CacheEntry, state: CacheState, request: Request, now: number): Response {
  const gzip = acceptsGzip(request.headers.get('accept-encoding'));
  const etag = gzip ? entry.etagGzip : entry.etag;
  const headers: Record<string, string> = {
    etag,
    vary: 'accept-encoding',
    'cache-control': cacheControl(entry, now),
    age: String(Math.max(0, Math.floor((now - entry.storedAt) / 1000))),
    'x-cache': state,
  };
  const ifNoneMatch = request.headers.get('if-none-match');
  if (ifNoneMatch !== null && matchesEtag(ifNoneMatch, entry)) {
    return new Response(null, { status: 304, headers });
  }
  headers['content-type'] = entry.contentType;
  if (gzip) {
    headers['content-encoding'] = 'gzip';
    return new Response(entry.gzipBody, { status: entry.status, headers });
  }
  return new Response(Bun.gunzipSync(entry.gzipBody), { status: entry.status, headers });
}

function cacheControl(entry: CacheEntry, now: number): string {
  const freshLeft = Math.max(0, Math.floor((entry.freshUntil - now) / 1000));
  const staleWindow = Math.max(0, Math.floor((entry.staleUntil - entry.freshUntil) / 1000));
  return `public, max-age=${freshLeft}, stale-while-revalidate=${staleWindow}, stale-if-error=${staleWindow}`;
}

/** "gzip" listed without q=0. Cheap: most clients send "gzip, deflate, br" or similar. */
export function acceptsGzip(header: string | null): boolean {
  if (header === null) return false;
  const at = header.indexOf('gzip');
  if (at === -1) return false;
  const rest = header.slice(at + 4, header.indexOf(',', at) === -1 ? undefined : header.indexOf(',', at));
  return !/q\s*=\s*0(\.0*)?\s*$/.test(rest);
}

/** If-None-Match uses weak comparison (RFC 9110 13.1.2): either representation's tag matches. */
function matchesEtag(header: string, entry: CacheEntry): boolean {
  if (header.trim() === '*') return true;
  for (const raw of header.split(',')) {
    const tag = raw.trim().replace(/^W\//, '');
    if (tag === entry.etag || tag === entry.etagGzip) return true;
  }
  return false;
}

/** Maps anything the cache or an upstream client threw to a JSON answer. Never shows a URL or key. */
export function failureResponse(error: unknown, upstream: UpstreamName): Response {
  if (error instanceof UpstreamErrorResponse) return passThrough(error);
  if (error instanceof UpstreamFailure) {
    const who = { upstream: error.upstream };
    switch (error.kind) {
      case 'not_configured':
        return jsonError(503, `${UPSTREAM_LABEL[error.upstream]} not configured`);
      case 'auth_rejected':
        return jsonError(502, "Upstream rejected the relay's credentials", {
          ...who,
          message: `${UPSTREAM_LABEL[error.upstream]} refused the relay's API credentials; the relay operator must fix its configuration.`,
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
      case 'unavailable': {
        // Mydia waits out Retry-After before each of its 3 retries: a long one would stall it for minutes.
        const retryAfter = String(Math.min(MAX_CLIENT_RETRY_AFTER_S, Math.max(1, Math.ceil(error.retryAfterSeconds ?? 1))));
        return jsonError(503, 'Upstream temporarily unavailable', { ...who, message: error.message }, { 'retry-after': retryAfter });
      }
    }
  }
  return jsonError(500, 'Internal error', { upstream });
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
