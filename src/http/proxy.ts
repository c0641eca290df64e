import { Elysia } from 'elysia';
import { admit, type AdmissionRules, type RouteCaching } from '../cache/admission.ts';
import { QueryCanonicalizer, QueryError, type CanonicalQuery } from '../cache/keys.ts';
import { keyOf } from '../cache/key.ts';
import { MYDIA_ROUTES } from '../catalog/mounts/mydia.ts';
import type { MountRoute } from '../catalog/mount.ts';
import type { ResponseStore } from '../cache/response-cache.ts';
import { contextOf, peerAddress, type RequestContext } from '../observability/request-context.ts';
import { UpstreamFailure } from '../upstreams/errors.ts';
import type { UpstreamClient, UpstreamName } from '../upstreams/types.ts';
import type { ClientIdentity, ClientRateLimiter } from './clients.ts';
import type { FastPath } from './fast-path.ts';
import type { RequestRejections } from './rejections.ts';
import { entryResponse, failureResponse, jsonError } from './respond.ts';

export interface ProxyDeps {
  upstreams: Readonly<Record<UpstreamName, UpstreamClient>>;
  cache: ResponseStore;
  admission: AdmissionRules;
  now: () => number;
  maxQueryParams: number;
  /** Per-client budget on cache misses, when CLIENT_RATE_LIMIT is set. */
  clientLimit: { identity: ClientIdentity; limiter: ClientRateLimiter } | null;
  rejections: RequestRejections;
  /** Learns URL -> cache key for the router-free hit path. */
  fastPath: FastPath;
}

interface ProxyContext {
  request: Request;
  params: Record<string, string>;
}

/**
 * Registers every route of the table (GET, which also answers HEAD; 405 for other methods). Path
 * params are validated by Elysia; the query schema is checked by us before any upstream call (see
 * QuerySchema) and documented by openapi-paths.ts.
 */
export function proxyRoutes(deps: ProxyDeps) {
  const app = new Elysia({ name: 'proxy-routes' });
  const queries = new QueryCanonicalizer(deps.maxQueryParams);
  for (const route of MYDIA_ROUTES) {
    // Documented by openapi-paths.ts (the query schema is ours, not Elysia's).
    app.get(route.path, proxyHandler(route, queries, deps), { params: route.params, detail: { hide: true } });
    app.all(route.path, () => methodNotAllowed(deps.rejections), { detail: { hide: true } });
  }
  return app;
}

/**
 * The request path: validated params -> upstream path -> canonical query -> cache key -> cached bytes.
 * A fresh hit is answered synchronously; everything else goes through the cache's resolve().
 */
function proxyHandler(route: MountRoute, queries: QueryCanonicalizer, deps: ProxyDeps) {
  const { cache, now, admission, rejections } = deps;
  const client = deps.upstreams[route.upstream];
  const caching: RouteCaching = { family: route.family, settles: route.endpoint.settles };
  const { forwardQuery, endpoint } = route;

  return ({ request, params }: ProxyContext): Response | Promise<Response> => {
    const context = contextOf(request);
    if (context) context.route = route.id;
    if (!client.configured) return failureResponse(UpstreamFailure.notConfigured(route.upstream), route.upstream);

    let query: CanonicalQuery | null = null;
    if (forwardQuery) {
      const url = request.url;
      const mark = url.indexOf('?');
      if (mark !== -1) {
        try {
          query = queries.parse(url.slice(mark + 1), endpoint);
        } catch (error) {
          if (!(error instanceof QueryError)) throw error;
          rejections.invalid_request++;
          return jsonError(400, error.message);
        }
      }
    }
    const origin = route.origin(params, query?.text ?? '');
    const { path, query: queryText } = origin;
    const key = keyOf(origin);

    const hit = cache.fresh(key);
    if (hit !== undefined) {
      deps.fastPath.remember(request.url, route.id, key);
      return entryResponse(hit, 'HIT', request, now(), context);
    }

    // Past this point the request may reach the upstream: its query must satisfy the route's schema.
    const problem = endpoint.queryProblem(query?.params ?? {});
    if (problem !== null) {
      rejections.invalid_request++;
      return jsonError(400, problem.message, problem.expected ? { expected: problem.expected } : {});
    }
    const limited = clientLimitResponse(key, request, context, deps);
    if (limited !== null) return limited;

    const load = async () => {
      const started = performance.now();
      try {
        const response = await client.get(path, queryText);
        return admit(route.upstream, response, caching, admission, now());
      } finally {
        if (context) context.upstreamMs = performance.now() - started;
      }
    };
    return cache.resolve(key, load).then(
      (outcome) => {
        deps.fastPath.remember(request.url, route.id, key);
        return entryResponse(outcome.entry, outcome.state, request, now(), context);
      },
      (error: unknown) => failureResponse(error, route.upstream, context),
    );
  };
}

/** CLIENT_RATE_LIMIT: counted only when this request would cost an upstream call. */
function clientLimitResponse(key: string, request: Request, context: RequestContext | undefined, deps: ProxyDeps): Response | null {
  if (deps.clientLimit === null || deps.cache.canAnswerWithoutFetch(key)) return null;
  const { identity, limiter } = deps.clientLimit;
  const waitSeconds = limiter.take(identity.identify(request, peerAddress(request, context)));
  if (waitSeconds === 0) return null;
  deps.rejections.client_rate_limited++;
  return jsonError(429, 'Too many requests', { message: 'This client is over its request budget for uncached answers' }, { 'retry-after': String(waitSeconds) });
}

function methodNotAllowed(rejections: RequestRejections): Response {
  rejections.method_not_allowed++;
  return jsonError(405, 'Method not allowed', { allowed: ['GET', 'HEAD'] }, { allow: 'GET, HEAD' });
}
