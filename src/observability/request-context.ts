import type { Server } from 'bun';

/**
 * What the relay learns about one request while answering it, for its log line, its metrics and
 * its server-timing header. Requests that leave the fast path are registered (keyed by the Request
 * object) so the Elysia handlers can find their context.
 */
export interface RequestContext {
  id: string;
  startedAt: number;
  /** For the socket peer address, looked up only when needed (requestIP costs per call). */
  server: Server<undefined>;
  /** Set once the answer already carries x-request-id and server-timing. */
  headersDone: boolean;
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
export function beginRequest(request: Request, server: Server<undefined>): RequestContext {
  const offered = request.headers.get('x-request-id');
  const context: RequestContext = {
    id: offered !== null && SANE_REQUEST_ID.test(offered) ? offered : `${bootId}-${(++sequence).toString(36)}`,
    startedAt: performance.now(),
    server,
    headersDone: false,
    route: null,
    cache: null,
    upstreamMs: null,
  };
  return context;
}

/** Makes the context findable from inside the app (the fast path does without). */
export function registerContext(request: Request, context: RequestContext): void {
  contexts.set(request, context);
}

/** The client's socket address (or the proxy's in front of it). */
export function peerAddress(request: Request, context: RequestContext | undefined): string | null {
  return context?.server.requestIP(request)?.address ?? null;
}

export function contextOf(request: Request): RequestContext | undefined {
  return contexts.get(request);
}
