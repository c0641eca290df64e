import { Elysia } from 'elysia';
import { admit, type AdmissionRules, type RouteCaching } from '../cache/admission.ts';
import { canonicalQuery, QueryError } from '../cache/keys.ts';
import type { ResponseCache } from '../cache/response-cache.ts';
import { UpstreamFailure } from '../upstreams/errors.ts';
import { UPSTREAM_LABEL, type UpstreamClient, type UpstreamName } from '../upstreams/types.ts';
import { contextOf } from '../observability/request-context.ts';
import { ClientIdentity, ClientRateLimiter } from './clients.ts';
import type { RequestRejections } from './rejections.ts';
import { entryResponse, failureResponse, jsonError } from './respond.ts';
import { PROXY_ROUTES, type ProxyRoute } from './routes.ts';

export interface ProxyDeps {
  upstreams: Readonly<Record<UpstreamName, UpstreamClient>>;
  cache: ResponseCache;
  admission: AdmissionRules;
  now: () => number;
  maxQueryParams: number;
  /** Per-client budget on cache misses, when CLIENT_RATE_LIMIT is set. */
  clientLimit: { identity: ClientIdentity; limiter: ClientRateLimiter } | null;
  rejections: RequestRejections;
}

interface ProxyContext {
  request: Request;
  params: Record<string, string>;
}

/** Registers every route of the table, for GET and HEAD, with its schemas in OpenAPI. */
export function proxyRoutes(deps: ProxyDeps) {
  const app = new Elysia({ name: 'proxy-routes' });
  for (const route of PROXY_ROUTES) {
    const handler = proxyHandler(route, deps);
    const hook = {
      params: route.params,
      query: route.query,
      detail: {
        tags: [UPSTREAM_LABEL[route.upstream]],
        summary: route.summary,
        description: routeDescription(route),
        operationId: route.id,
      },
    };
    // GET also answers HEAD (Elysia derives it); every other method on a known path is a 405.
    app.get(route.path, handler, hook);
    app.all(route.path, () => methodNotAllowed(deps.rejections), { detail: { hide: true } });
  }
  return app;
}

/**
 * The request path: validated params -> upstream path -> canonical query -> cache key -> cached bytes.
 * A fresh hit is answered synchronously; everything else goes through the cache's resolve().
 */
function proxyHandler(route: ProxyRoute, deps: ProxyDeps) {
  const { cache, now, admission } = deps;
  const client = deps.upstreams[route.upstream];
  const caching: RouteCaching = { family: route.family, settles: route.settles === true };
  const forwardQuery = route.forwardQuery !== false;

  return ({ request, params }: ProxyContext): Response | Promise<Response> => {
    const context = contextOf(request);
    if (context) context.route = route.id;
    if (!client.configured) return failureResponse(UpstreamFailure.notConfigured(route.upstream), route.upstream);
    const path = route.upstreamPath(params);
    let query = '';
    if (forwardQuery) {
      const url = request.url;
      const mark = url.indexOf('?');
      if (mark !== -1) {
        try {
          query = canonicalQuery(url.slice(mark + 1), deps.maxQueryParams);
        } catch (error) {
          if (error instanceof QueryError) {
            deps.rejections.invalid_request++;
            return jsonError(400, error.message);
          }
          throw error;
        }
      }
    }
    const key = query === '' ? `${route.upstream}:${path}` : `${route.upstream}:${path}?${query}`;

    const hit = cache.fresh(key);
    if (hit !== undefined) {
      if (context) context.cache = 'HIT';
      return entryResponse(hit, 'HIT', request, now());
    }

    if (deps.clientLimit !== null && !cache.canAnswerWithoutFetch(key)) {
      const { identity, limiter } = deps.clientLimit;
      const client = identity.identify(request, context?.peer ?? null);
      const waitSeconds = limiter.take(client);
      if (waitSeconds > 0) {
        deps.rejections.client_rate_limited++;
        return jsonError(429, 'Too many requests', { message: 'This client is over its request budget for uncached answers' }, { 'retry-after': String(waitSeconds) });
      }
    }

    const load = async () => {
      const started = performance.now();
      try {
        const response = await client.get(path, query);
        return admit(route.upstream, response, caching, admission, now());
      } finally {
        if (context) context.upstreamMs = performance.now() - started;
      }
    };
    return cache.resolve(key, load).then(
      (outcome) => {
        if (context) context.cache = outcome.state;
        return entryResponse(outcome.entry, outcome.state, request, now());
      },
      (error: unknown) => {
        if (context) context.cache = 'MISS';
        return failureResponse(error, route.upstream);
      },
    );
  };
}

function methodNotAllowed(rejections: RequestRejections): Response {
  rejections.method_not_allowed++;
  return jsonError(405, 'Method not allowed', { allowed: ['GET', 'HEAD'] }, { allow: 'GET, HEAD' });
}

function routeDescription(route: ProxyRoute): string {
  const upstream = route.upstream === 'tmdb' ? 'TMDB v3' : 'TVDB v4';
  const example = route.upstreamPath(Object.fromEntries(Object.keys(route.params?.properties ?? {}).map((name) => [name, `{${name}}`])));
  const lines = [
    `Proxies ${upstream} \`${decodeURIComponent(example)}\`. Cache family: **${route.family}**.`,
    route.forwardQuery === false ? 'Query parameters are ignored.' : 'Other query parameters are forwarded; `api_key` is dropped.',
  ];
  if (route.description) lines.push(route.description);
  return lines.join('\n\n');
}
