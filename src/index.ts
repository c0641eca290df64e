#!/usr/bin/env bun
/**
 * Entry point: `metadata-relay [--port N] [--host H] [--env-file F] [--version | --healthcheck | --help]`.
 * Reads the configuration once, starts the server, and drains in-flight requests on SIGTERM/SIGINT.
 * Anything that stops the start (a bad value, a port in use, a file that cannot be opened) ends with
 * one line on stderr and exit code 2.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { ArgsError, parseArgs, parseEnvFile } from './cli/args.ts';
import { helpText } from './cli/help.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { formatDuration } from './config/durations.ts';
import { closestVariable, unknownVariables } from './config/variables.ts';
import { startServer } from './edge/server.ts';
import { createRelay, type Relay } from './relay.ts';
import { UPSTREAM_LABEL } from './upstreams/types.ts';
import { VERSION } from './version.ts';

type Env = Record<string, string | undefined>;

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof ArgsError)) throw error;
    console.error(`metadata-relay: ${error.message} (see --help)`);
    return 2;
  }
  if (args.command === 'version') {
    console.log(VERSION);
    return 0;
  }
  if (args.command === 'help') {
    console.log(helpText());
    return 0;
  }

  let env: Env;
  try {
    const fromFile = args.envFile === null ? {} : parseEnvFile(readFileSync(args.envFile, 'utf8'));
    env = { ...fromFile, ...process.env, ...args.env };
  } catch (error) {
    console.error(`metadata-relay: cannot read --env-file ${args.envFile}: ${error instanceof Error ? error.message : 'unreadable'}`);
    return 2;
  }

  let config: Readonly<Config>;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      // Container health checks know only 0 (healthy) and 1 (unhealthy).
      return args.command === 'healthcheck' ? 1 : 2;
    }
    throw error;
  }

  if (args.command === 'healthcheck') return healthcheck(config);
  return serve(config, env);
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

/** One line on stderr for a start that cannot go on. */
function startFailure(message: string): number {
  console.error(`metadata-relay: ${message}`);
  return 2;
}

async function serve(config: Readonly<Config>, env: Env): Promise<number> {
  if (net.isIP(config.host) === 0) {
    const resolves = await Bun.dns.lookup(config.host).then((found) => found.length > 0, () => false);
    if (!resolves) return startFailure(`cannot listen on HOST=${config.host}: no such address on this machine (use an IP address such as 0.0.0.0 or ::)`);
  }
  let relay: Relay;
  try {
    relay = createRelay(config);
  } catch (error) {
    const where = config.cache.store?.kind === 'sqlite' ? ` (CACHE_STORE sqlite:${config.cache.store.path})` : '';
    return startFailure(`cannot start${where}: ${error instanceof Error ? error.message : 'unknown error'}`);
  }
  await relay.ready(); // a healthy second tier is used from the first request; a dead one never blocks the start
  let server;
  try {
    server = startServer(relay, config);
  } catch (error) {
    await relay.close();
    const code = (error as { code?: unknown }).code;
    const reason = code === 'EADDRINUSE' ? 'the port is in use (another relay?)' : code === 'EADDRNOTAVAIL' ? 'the address is not one of this machine' : code === 'EACCES' ? 'no permission (ports below 1024 need privileges)' : error instanceof Error ? error.message : 'unknown error';
    return startFailure(`cannot listen on ${config.host}:${config.port}: ${reason}`);
  }

  const { logger } = relay;
  logger.notice('listening', banner(config, relay, server.port ?? config.port));
  for (const upstream of ['tmdb', 'tvdb'] as const) {
    const configured = upstream === 'tmdb' ? config.tmdb.credential !== null : config.tvdb.apiKey !== null;
    if (!configured) {
      const variable = upstream === 'tmdb' ? 'TMDB_API_KEY or TMDB_ACCESS_TOKEN' : 'TVDB_API_KEY';
      logger.warn(`${UPSTREAM_LABEL[upstream]} is not configured: its routes answer 503 until ${variable} is set`, { upstream });
    }
  }
  for (const name of unknownVariables(env)) {
    logger.warn('environment variable looks like one of the relay\'s but is not: ignored', { variable: name, did_you_mean: closestVariable(name) });
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
  return -1; // keep running
}

/** The start banner: what an operator needs to know the relay is set up as meant. Never a secret. */
function banner(config: Readonly<Config>, relay: Relay, port: number) {
  const store = config.cache.store;
  return {
    version: VERSION,
    url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
    port,
    upstreams: {
      tmdb: config.tmdb.credential === null ? 'not configured' : config.tmdb.credential.kind === 'bearer' ? 'access token' : 'api key',
      tvdb: config.tvdb.apiKey === null ? 'not configured' : config.tvdb.pin ? 'api key with pin' : 'api key',
    },
    cache_max_bytes: config.cache.maxBytes,
    fresh: Object.fromEntries(Object.entries(config.cache.policy).map(([family, f]) => [family, `${formatDuration(f.freshMs)}/${formatDuration(f.staleMs)}`])),
    second_tier: store === null ? 'none' : store.kind === 'sqlite' ? `sqlite ${store.path}` : `redis (${relay.storeState() ?? 'down'})`,
    budgets: { tmdb_per_second: config.upstreamBudget.tmdb.ratePerSecond, tvdb_per_second: config.upstreamBudget.tvdb.ratePerSecond },
    change_feeds: config.changes.pollMs === 0 ? 'off' : `every ${Math.round(config.changes.pollMs / 1000)}s`,
    access_keys: config.accessKeys.length > 0 ? `on (${config.accessKeys.length})` : 'off',
    admin_routes: config.adminKeys.length > 0 ? 'on' : 'off',
    client_rate_limit: config.clientRateLimit ? `${config.clientRateLimit.requests}/${formatDuration(config.clientRateLimit.perMs)}` : 'off',
  };
}

const code = await main(process.argv.slice(2));
if (code >= 0) process.exit(code);
