import { Elysia } from 'elysia';
import { keyOf } from '../cache/key.ts';
import { QueryCanonicalizer, QueryError, type CanonicalQuery } from '../cache/keys.ts';
import type { Resolver } from '../cache/resolver.ts';
import type { MountRoute } from '../catalog/mount.ts';
import { contextOf, peerAddress, type RequestContext } from '../observability/request-context.ts';
import { UpstreamFailure } from '../upstreams/errors.ts';
import type { UpstreamClient, UpstreamName } from '../upstreams/types.ts';
import type { ClientIdentity, ClientRateLimiter } from './clients.ts';
import type { RequestRejections } from './rejections.ts';
import { failureResponse, jsonError, methodNotAllowed, type EntryRenderer } from './render.ts';
import type { BodyView } from './views.ts';

/** Routes mounted together, with how their surface shows cached entries. */
export interface Mount {
  routes: readonly MountRoute[];
  view: BodyView | null;
  /** How the docs group them (default: by upstream). */
  tag?: { name: string; description: string };
}

export interface ProxyDeps {
  mounts: readonly Mount[];
  upstreams: Readonly<Record<UpstreamName, UpstreamClient>>;
  resolver: Resolver;
  renderer: EntryRenderer;
  now: () => number;
  /** Canonicalises query strings (with its bounded memo). */
  queries: QueryCanonicalizer;
  /** Who is calling, for the fair share of the upstream budget between clients (and client limits). */
  identity: ClientIdentity;
  /** Per-client budget on cache misses, when CLIENT_RATE_LIMIT is set. */
  clientLimiter: ClientRateLimiter | null;
  rejections: RequestRejections;
}

interface ProxyContext {
  request: Request;
  params: Record<string, string>;
}

/**
 * Registers every route of a mount (GET, which also answers HEAD; 405 for other methods). Path
 * params are validated by Elysia; the query is canonicalised, restricted to the endpoint's
 * parameters and checked against its schema by us before any upstream call (see Endpoint), and
 * documented by openapi-paths.ts.
 */
export function proxyRoutes(deps: ProxyDeps) {
  const app = new Elysia({ name: 'proxy-routes' });
  const { queries } = deps;
  for (const { routes, view } of deps.mounts) {
    for (const route of routes) {
      app.get(route.path, proxyHandler(route, view, queries, deps), { params: route.params, detail: { hide: true } });
      app.all(route.path, ({ request }) => refuseMethod(deps.rejections, request), { detail: { hide: true } });
    }
  }
  return app;
}

/**
 * The request path: validated params -> origin (upstream path, canonical query) -> key -> cached
 * bytes. A fresh hit is answered synchronously; everything else goes through the resolver. The
 * context records which key answered, so the edge can answer the same URL without routing next time.
 */
function proxyHandler(route: MountRoute, view: BodyView | null, queries: QueryCanonicalizer, deps: ProxyDeps) {
  const { resolver, renderer, now, rejections } = deps;
  const client = deps.upstreams[route.upstream];
  const { forwardQuery, endpoint } = route;

  return ({ request, params }: ProxyContext): Response | Promise<Response> => {
    const context = contextOf(request);
    if (context) context.route = route.id;
    if (!client.configured) return failureResponse(UpstreamFailure.notConfigured(route.upstream), route.upstream, context);

    let query: CanonicalQuery | null = null;
    if (forwardQuery) {
      const url = request.url;
      const mark = url.indexOf('?');
      if (mark !== -1) {
        try {
          query = queries.parse(url.slice(mark + 1), endpoint);
        } catch (error) {
          if (!(error instanceof QueryError)) throw error;
          return refuse(rejections, context, 400, error.message);
        }
      }
    }
    const origin = route.origin(params, query?.text ?? '');
    const key = keyOf(origin);

    if (context) context.view = view;
    const hit = resolver.fresh(key);
    if (hit !== undefined) {
      if (context) context.answeredFrom = key;
      return renderer.render(hit, 'HIT', request, now(), context, view);
    }

    // Past this point the request may reach the upstream: its query must satisfy the endpoint's schema.
    const problem = endpoint.queryProblem(query?.params ?? {});
    if (problem !== null) return refuse(rejections, context, 400, problem.message, problem.expected ? { expected: problem.expected } : {});
    // Who is asking, once: for the client limit and for the fair share of the upstream budget.
    const asker = deps.identity.identify(request, peerAddress(request, context));
    const limited = clientLimitResponse(key, asker, context, deps);
    if (limited !== null) return limited;

    const started = performance.now();
    return resolver.resolve(origin, asker).then(
      (outcome) => {
        if (context) {
          if (outcome.state === 'MISS') context.upstreamMs = performance.now() - started;
          context.answeredFrom = key;
        }
        return renderer.render(outcome.entry, outcome.state, request, now(), context, view);
      },
      (error: unknown) => {
        if (context) context.upstreamMs = performance.now() - started;
        return failureResponse(error, route.upstream, context);
      },
    );
  };
}

function refuse(rejections: RequestRejections, context: RequestContext | undefined, status: number, message: string, extra: Record<string, unknown> = {}): Response {
  rejections.invalid_request++;
  if (context) context.reason = 'invalid_query';
  return jsonError(status, message, extra);
}

/** CLIENT_RATE_LIMIT: counted only when this request would cost an upstream call. */
function clientLimitResponse(key: string, client: string, context: RequestContext | undefined, deps: ProxyDeps): Response | null {
  if (deps.clientLimiter === null || deps.resolver.canAnswerWithoutFetch(key)) return null;
  const waitSeconds = deps.clientLimiter.take(client);
  if (waitSeconds === 0) return null;
  deps.rejections.client_rate_limited++;
  if (context) context.reason = 'client_rate_limited';
  return jsonError(429, 'Too many requests', { message: 'This client is over its request budget for uncached answers' }, { 'retry-after': String(waitSeconds) });
}

function refuseMethod(rejections: RequestRejections, request: Request): Response {
  rejections.method_not_allowed++;
  const context = contextOf(request);
  if (context) context.reason = 'method_not_allowed';
  return methodNotAllowed(['GET', 'HEAD']);
}
