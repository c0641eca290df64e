import type { Server } from 'bun';
import type { Logger } from '../log.ts';
import { jsonError, serverTiming } from '../http/render.ts';
import { inSurfaceShape, pathnameOf, surfaceOf } from '../http/surfaces.ts';
import type { RelayMetrics } from '../observability/metrics.ts';
import { beginRequest, registerContext, type RequestContext } from '../observability/request-context.ts';
import type { Gate } from './gate.ts';
import type { HitMemo } from './hit-memo.ts';

export interface PipelineParts {
  gate: Gate;
  memo: HitMemo;
  /** The app: routing, validation, the cache. */
  app: (request: Request) => Response | Promise<Response>;
  metrics: RelayMetrics;
  logger: Logger;
}

export type RelayFetch = (request: Request, server?: Server<undefined>) => Response | Promise<Response>;

/**
 * The one request pipeline, the same over HTTP and in-process: gate (URL length, Host, access key)
 * -> hit memo (a known URL with a fresh entry) -> the app. Around it the bookkeeping, on every path
 * including errors: request id, server-timing, one log line, the request metrics, and teaching the
 * hit memo which key answered a URL.
 */
export function createPipeline(parts: PipelineParts): RelayFetch {
  const { gate, memo, app, metrics, logger } = parts;
  const logRequests = logger.enabled('info');

  const finish = (request: Request, context: RequestContext, answer: Response): Response => {
    let response = answer;
    const totalMs = performance.now() - context.startedAt;
    const cache = context.cache ?? 'none';
    const route = context.route ?? routeLabel(request.url);
    if (context.answeredFrom !== null && context.route !== null) memo.learn(request.url, context.route, context.answeredFrom, context.view);
    // Drop-in clients parse their upstream's error bodies: the relay's own errors take that shape.
    if (response.status >= 400) response = inSurfaceShape(surfaceOf(pathnameOf(request.url)), response, context.relayError);
    // Answers from the cache carry these already (built in one go); everything else gets them here.
    if (!context.headersDone) {
      response.headers.set('x-request-id', context.id);
      if (context.route !== null) response.headers.set('server-timing', serverTiming(context));
    }
    metrics.observeRequest(route, response.status, cache, totalMs / 1000);
    if (logRequests) logger.writeJson('info', requestLine(request, context, route, response.status, cache, totalMs));
    return response;
  };

  const failed = (request: Request, context: RequestContext, error: unknown): Response => {
    logger.error('unhandled error', { route: context.route ?? routeLabel(request.url), reason: error instanceof Error ? error.message : 'unknown' });
    context.reason = 'internal_error';
    return finish(request, context, jsonError(500, 'Internal error'));
  };

  return (request, server) => {
    const context = beginRequest(request, server ?? null);
    try {
      const early = gate(request, context) ?? memo.serve(request, context) ?? trailingSlashDocs(request);
      if (early !== undefined) return finish(request, context, early);
      registerContext(request, context);
      const answer = app(request);
      return answer instanceof Promise
        ? answer.then(
            (response) => finish(request, context, response),
            (error: unknown) => failed(request, context, error),
          )
        : finish(request, context, answer);
    } catch (error) {
      return failed(request, context, error);
    }
  };
}

/**
 * `/swagger/` would load the UI with its relative `swagger/json` one level too deep ("Failed to load
 * API definition"); the router treats both paths as one, so the edge sends the slash form home.
 */
function trailingSlashDocs(request: Request): Response | undefined {
  const url = request.url;
  if (!url.endsWith('/swagger/') || pathnameOf(url) !== '/swagger/') return undefined;
  return new Response(null, { status: 308, headers: { location: '/swagger' } });
}

/**
 * The request's log line, formatted by hand (it is written for every request). Every value is
 * JSON-safe by construction: the request id is checked against a plain charset, the path is a URL
 * pathname (percent-encoded: no quotes, backslashes or control characters), the rest are ours.
 * Never the query string: a caller may put a key there.
 */
function requestLine(request: Request, context: RequestContext, route: string, status: number, cache: string, totalMs: number): string {
  const upstream = context.upstreamMs === null ? 'null' : String(Math.round(context.upstreamMs * 10) / 10);
  const reason = context.reason === null ? '' : `,"reason":"${context.reason}"`;
  return (
    `{"time":"${new Date().toISOString()}","level":"info","msg":"request","request_id":"${context.id}",` +
    `"method":"${methodOf(request)}","path":${JSON.stringify(pathnameOf(request.url))},"route":"${route}","status":${status},` +
    `"cache":"${cache}","upstream_ms":${upstream},"total_ms":${Math.round(totalMs * 100) / 100}${reason}}`
  );
}

/** The method for the log line; a request that cannot even say its method is logged as "?". */
function methodOf(request: Request): string {
  try {
    return request.method;
  } catch {
    return '?';
  }
}

/** Metric label for non-proxy paths: a small fixed set, so a scan of random URLs cannot blow up cardinality. */
function routeLabel(url: string): string {
  const path = pathnameOf(url);
  if (path === '/health' || path === '/stats' || path === '/metrics') return path.slice(1);
  if (path === '/swagger' || path.startsWith('/swagger/')) return 'docs';
  return 'other';
}
