import type { Server } from 'bun';
import type { OwnError } from '../http/render.ts';
import type { BodyView } from '../http/views.ts';

/**
 * What the relay learns about one request while answering it, for its log line, its metrics, its
 * server-timing header, and the hit memo. Made by the edge for every request; the app's handlers
 * find it by the Request object (contextOf).
 */
export interface RequestContext {
  id: string;
  startedAt: number;
  /** For the socket peer address, looked up only when needed (requestIP costs per call). Absent in-process. */
  server: Server<undefined> | null;
  /** Set once the answer already carries x-request-id and server-timing. */
  headersDone: boolean;
  /** Route id (e.g. "tmdb.movie"), or a fixed label for other routes. */
  route: string | null;
  /** x-cache value, when the cache answered. */
  cache: string | null;
  /** Time spent waiting on the upstream for this request's own fetch. */
  upstreamMs: number | null;
  /** The cache key the answer was rendered from: the edge remembers URL -> key for the next hit. */
  answeredFrom: string | null;
  /** The surface's view of that entry (null: the upstream's bytes as they are). */
  view: BodyView | null;
  /** The relay's own error this request was answered with (Elysia may copy the Response it came in). */
  relayError: OwnError | null;
  /** Why the request was refused or failed, for its log line (a short fixed phrase, never input). */
  reason: string | null;
}

const contexts = new WeakMap<Request, RequestContext>();

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const bootId = Math.floor(Math.random() * 0xffffffff).toString(36);
let sequence = 0;

/** Accepts the caller's x-request-id when it is short and plain; otherwise makes one. */
export function beginRequest(request: Request, server: Server<undefined> | null): RequestContext {
  const offered = request.headers.get('x-request-id');
  return {
    id: offered !== null && SANE_REQUEST_ID.test(offered) ? offered : `${bootId}-${(++sequence).toString(36)}`,
    startedAt: performance.now(),
    server,
    headersDone: false,
    route: null,
    cache: null,
    upstreamMs: null,
    answeredFrom: null,
    view: null,
    relayError: null,
    reason: null,
  };
}

/** Makes the context findable from inside the app. */
export function registerContext(request: Request, context: RequestContext): void {
  contexts.set(request, context);
}

export function contextOf(request: Request): RequestContext | undefined {
  return contexts.get(request);
}

/** The client's socket address (or the proxy's in front of it); null in-process. */
export function peerAddress(request: Request, context: RequestContext | undefined): string | null {
  return context?.server?.requestIP(request)?.address ?? null;
}
