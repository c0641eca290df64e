/**
 * Starts both fake upstreams and prints one JSON line with their base URLs and keys, then runs
 * until SIGTERM/SIGINT.
 *
 *   bun test/support/fake-upstream-cli.ts [--port-tmdb N] [--port-tvdb N] [--latency 30-80]
 *                                         [--tmdb-rate-limit N] [--no-gzip]
 *
 * stdout: {"tmdbBaseUrl":...,"tvdbBaseUrl":...,"tmdbApiKey":...,"tvdbApiKey":...,"tmdbAccessToken":...}
 */
import { type FakeUpstreamOptions, startFakeUpstream } from './fake-upstream.ts';

const USAGE = 'usage: bun test/support/fake-upstream-cli.ts [--port-tmdb N] [--port-tvdb N] [--latency MS|MIN-MAX] [--tmdb-rate-limit N] [--no-gzip]';

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

function intArg(flag: string, value: string | undefined): number {
  if (value === undefined || !/^\d+$/.test(value)) fail(`${flag} needs a non-negative integer`);
  return Number(value);
}

export function parseLatency(value: string): number | [number, number] {
  const range = /^(\d+)-(\d+)$/.exec(value);
  if (range !== null) {
    const min = Number(range[1]);
    const max = Number(range[2]);
    if (min > max) fail('--latency MIN-MAX needs MIN <= MAX');
    return [min, max];
  }
  return intArg('--latency', value);
}

export function parseArgs(argv: string[]): FakeUpstreamOptions {
  const options: FakeUpstreamOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    switch (flag) {
      case '--port-tmdb': options.tmdbPort = intArg(flag, value); i++; break;
      case '--port-tvdb': options.tvdbPort = intArg(flag, value); i++; break;
      case '--latency': options.latencyMs = parseLatency(value ?? fail('--latency needs a value')); i++; break;
      case '--tmdb-rate-limit': options.tmdbRateLimitPerSecond = intArg(flag, value); i++; break;
      case '--no-gzip': options.gzip = false; break;
      case '--help': case '-h': process.stdout.write(`${USAGE}\n`); process.exit(0); break;
      default: fail(`unknown argument: ${flag}`);
    }
  }
  return options;
}

if (import.meta.main) {
  const fake = await startFakeUpstream(parseArgs(process.argv.slice(2)));
  process.stdout.write(`${JSON.stringify({
    tmdbBaseUrl: fake.tmdbBaseUrl,
    tvdbBaseUrl: fake.tvdbBaseUrl,
    tmdbApiKey: fake.options.tmdbApiKey,
    tvdbApiKey: fake.options.tvdbApiKey,
    tmdbAccessToken: fake.options.tmdbAccessToken,
  })}\n`);
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    await fake.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
}
