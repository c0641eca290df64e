#!/usr/bin/env bun
/**
 * Entry point: `metadata-relay [--version | --healthcheck | --help]`.
 * Reads the environment once, starts the server, and drains in-flight requests on SIGTERM/SIGINT.
 */
import { ConfigError, loadConfig, type Config } from './config.ts';
import { startServer } from './edge/server.ts';
import { createRelay } from './relay.ts';
import { UPSTREAM_LABEL } from './upstreams/types.ts';
import { SERVICE_NAME, VERSION } from './version.ts';

const HELP = `${SERVICE_NAME} ${VERSION}: caching relay for TMDB v3 and TheTVDB v4

Usage: metadata-relay [--version | --healthcheck | --help]
  (no flag)      start the relay; configuration comes from the environment (see README)
  --version      print the version and exit
  --healthcheck  exit 0 if GET /health on the configured PORT answers ok, else 1 (for container checks)
`;

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--version') || argv.includes('-v')) {
    console.log(VERSION);
    return 0;
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(HELP);
    return 0;
  }

  let config: Readonly<Config>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      // Container health checks know only 0 (healthy) and 1 (unhealthy).
      return argv.includes('--healthcheck') ? 1 : 2;
    }
    throw error;
  }

  if (argv.includes('--healthcheck')) return healthcheck(config);
  await serve(config);
  return -1; // keep running
}

async function healthcheck(config: Readonly<Config>): Promise<number> {
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  try {
    const response = await fetch(`http://${host.includes(':') ? `[${host}]` : host}:${config.port}/health`, {
      signal: AbortSignal.timeout(3000),
    });
    const body = (await response.json()) as { status?: unknown };
    return response.ok && body.status === 'ok' ? 0 : 1;
  } catch {
    return 1;
  }
}

async function serve(config: Readonly<Config>): Promise<void> {
  const relay = createRelay(config);
  await relay.ready(); // a healthy second tier is used from the first request; a dead one never blocks the start
  const { logger } = relay;
  const server = startServer(relay, config);

  logger.info('listening', { url: `http://${config.host}:${server.port}`, port: server.port, version: VERSION });
  for (const upstream of ['tmdb', 'tvdb'] as const) {
    const configured = upstream === 'tmdb' ? config.tmdb.credential !== null : config.tvdb.apiKey !== null;
    if (!configured) {
      const variable = upstream === 'tmdb' ? 'TMDB_API_KEY or TMDB_ACCESS_TOKEN' : 'TVDB_API_KEY';
      logger.warn(`${UPSTREAM_LABEL[upstream]} is not configured: its routes answer 503 until ${variable} is set`, { upstream });
    }
  }

  logger.flush(); // the startup lines matter to whoever is watching: do not hold them back

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down: no new connections, draining in-flight requests', { signal, timeout_ms: config.shutdownTimeoutMs });
    const drained = server.stop(false).then(() => true);
    const timedOut = Bun.sleep(config.shutdownTimeoutMs).then(() => false);
    const clean = await Promise.race([drained, timedOut]);
    if (!clean) {
      logger.warn('drain timed out; closing remaining connections');
      await server.stop(true);
    }
    await relay.close();
    logger.info('stopped', { drained: clean });
    logger.flush();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

const code = await main(process.argv.slice(2));
if (code >= 0) process.exit(code);
