/**
 * What the relay learns about one request while answering it, for its log line, its metrics and
 * its server-timing header. Keyed by the Request object, so nothing leaks between requests.
 */
export interface RequestContext {
  id: string;
  startedAt: number;
  /** Socket peer address (the client, or the proxy in front of it). */
  peer: string | null;
  /** Route id from the route table (e.g. "tmdb.movie"), or the matched pattern for other routes. */
  route: string | null;
  /** x-cache value, when the cache answered. */
  cache: string | null;
  /** Time spent waiting on the upstream for this request's own fetch. */
  upstreamMs: number | null;
}

const contexts = new WeakMap<Request, RequestContext>();

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const bootId = Math.floor(Math.random() * 0xffffffff).toString(36);
let sequence = 0;

/** Accepts the caller's x-request-id when it is short and plain; otherwise makes one. */
export function beginRequest(request: Request, peer: string | null): RequestContext {
  const offered = request.headers.get('x-request-id');
  const context: RequestContext = {
    id: offered !== null && SANE_REQUEST_ID.test(offered) ? offered : `${bootId}-${(++sequence).toString(36)}`,
    startedAt: performance.now(),
    peer,
    route: null,
    cache: null,
    upstreamMs: null,
  };
  contexts.set(request, context);
  return context;
}

export function contextOf(request: Request): RequestContext | undefined {
  return contexts.get(request);
}
