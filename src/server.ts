import type { Server } from 'bun';
import type { Relay } from './app.ts';
import { serveOptions } from './app.ts';
import type { Config } from './config.ts';
import { jsonError } from './http/respond.ts';
import { beginRequest, type RequestContext } from './observability/request-context.ts';

/**
 * Serves the relay's Elysia app through Bun.serve, around it the per-request bookkeeping: the
 * request id, the peer address, server-timing, one log line and the request metrics.
 */
export function startServer(relay: Relay, config: Readonly<Config>): Server<undefined> {
  const handle = relay.app.fetch;
  const { logger, metrics } = relay;
  const logRequests = logger.enabled('info');

  const finish = (request: Request, context: RequestContext, response: Response): Response => {
    const totalMs = performance.now() - context.startedAt;
    const cache = context.cache ?? 'none';
    const route = context.route ?? routeLabel(request.url);
    response.headers.set('x-request-id', context.id);
    if (context.route !== null) {
      const upstream = context.upstreamMs === null ? '' : `, upstream;dur=${context.upstreamMs.toFixed(1)}`;
      response.headers.set('server-timing', `cache;desc=${cache}${upstream}, total;dur=${totalMs.toFixed(2)}`);
    }
    metrics.observeRequest(route, response.status, cache, totalMs / 1000);
    if (logRequests) {
      logger.info('request', {
        request_id: context.id,
        method: request.method,
        path: pathOf(request.url), // never the query: a caller may put a key there
        route,
        status: response.status,
        cache,
        upstream_ms: context.upstreamMs === null ? null : Math.round(context.upstreamMs * 10) / 10,
        total_ms: Math.round(totalMs * 100) / 100,
      });
    }
    return response;
  };

  return Bun.serve({
    ...serveOptions(config),
    fetch(request, server) {
      const context = beginRequest(request, server.requestIP(request)?.address ?? null);
      const answer = handle(request);
      return answer instanceof Promise ? answer.then((response) => finish(request, context, response)) : finish(request, context, answer);
    },
    error(error) {
      logger.error('unhandled server error', { reason: error.message });
      return jsonError(500, 'Internal error');
    },
  });
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
