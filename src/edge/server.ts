import type { Server } from 'bun';
import type { Config } from '../config.ts';
import { jsonError } from '../http/render.ts';
import type { Logger } from '../log.ts';
import type { RelayFetch } from './pipeline.ts';

/** What the server needs of a relay: its one pipeline, and a logger for errors outside it. */
export interface Servable {
  fetch: RelayFetch;
  logger: Logger;
}

/** Serves a relay over HTTP: Bun.serve around the relay's one pipeline. */
export function startServer(relay: Servable, config: Readonly<Config>): Server<undefined> {
  return Bun.serve({
    ...serveOptions(config),
    fetch: relay.fetch,
    error(error) {
      relay.logger.error('unhandled server error', { reason: error.message });
      return jsonError(500, 'Internal error');
    },
  });
}

/** Bun.serve options shared by the binary and the tests, so both run the same server. */
export function serveOptions(config: Readonly<Config>) {
  return {
    port: config.port,
    hostname: config.host,
    // Two relays must never share a port silently (Elysia's default is reusePort: true).
    reusePort: false,
    // A miss may wait for the upstream queue and timeout; the connection must outlive both.
    idleTimeout: Math.min(255, Math.ceil((config.upstreamTimeoutMs + config.upstreamGuard.maxQueueWaitMs) / 1000) + 30),
    // Proxy routes take no body; a GET with a large one is cut off early.
    maxRequestBodySize: 64 * 1024,
    // No development error pages (they would show stack traces); Bun's default depends on NODE_ENV.
    development: false,
  };
}
