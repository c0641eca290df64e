import type { Server } from 'bun';
import type { Relay } from './app.ts';
import { serveOptions } from './app.ts';
import type { Config } from './config.ts';
import { jsonError, serverTiming } from './http/respond.ts';
import { beginRequest, registerContext, type RequestContext } from './observability/request-context.ts';

/**
 * The HTTP edge. Per request: the gate (URL length, access key), then the fast path for a known URL
 * with a fresh entry, else the Elysia app; around it the bookkeeping: request id, server-timing,
 * one log line and the request metrics.
 */
export function startServer(relay: Relay, config: Readonly<Config>): Server<undefined> {
  const handle = relay.app.fetch;
  const { logger, metrics, gate, fastPath } = relay;
  const logRequests = logger.enabled('info');

  const finish = (request: Request, context: RequestContext, response: Response): Response => {
    const totalMs = performance.now() - context.startedAt;
    const cache = context.cache ?? 'none';
    const route = context.route ?? routeLabel(request.url);
    // Answers from the cache carry these already (built in one go); everything else gets them here.
    if (!context.headersDone) {
      response.headers.set('x-request-id', context.id);
      if (context.route !== null) response.headers.set('server-timing', serverTiming(context));
    }
    metrics.observeRequest(route, response.status, cache, totalMs / 1000);
    if (logRequests) logger.writeJson('info', requestLine(request, context, route, response.status, cache, totalMs));
    return response;
  };

  return Bun.serve({
    ...serveOptions(config),
    fetch(request, server) {
      const context = beginRequest(request, server);
      const early = gate(request) ?? fastPath.serve(request, context);
      if (early !== undefined) return finish(request, context, early);
      registerContext(request, context);
      const answer = handle(request);
      return answer instanceof Promise ? answer.then((response) => finish(request, context, response)) : finish(request, context, answer);
    },
    error(error) {
      logger.error('unhandled server error', { reason: error.message });
      return jsonError(500, 'Internal error');
    },
  });
}

/**
 * The request's log line, formatted by hand (it is written for every request). Every value is
 * JSON-safe by construction: the request id is checked against a plain charset, the path is a URL
 * pathname (percent-encoded: no quotes, backslashes or control characters), the rest are ours.
 * Never the query string: a caller may put a key there.
 */
function requestLine(request: Request, context: RequestContext, route: string, status: number, cache: string, totalMs: number): string {
  const upstream = context.upstreamMs === null ? 'null' : String(Math.round(context.upstreamMs * 10) / 10);
  return (
    `{"time":"${new Date().toISOString()}","level":"info","msg":"request","request_id":"${context.id}",` +
    `"method":"${request.method}","path":${JSON.stringify(pathOf(request.url))},"route":"${route}","status":${status},` +
    `"cache":"${cache}","upstream_ms":${upstream},"total_ms":${Math.round(totalMs * 100) / 100}}`
  );
}

function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  const end = url.indexOf('?', start);
  return url.slice(start, end === -1 ? undefined : end);
}

/** Metric label for non-proxy paths: a small fixed set, so a scan of random URLs cannot blow up cardinality. */
function routeLabel(url: string): string {
  const path = pathOf(url);
  if (path === '/health' || path === '/stats' || path === '/metrics') return path.slice(1);
  if (path === '/swagger' || path.startsWith('/swagger/')) return 'docs';
  return 'other';
}
