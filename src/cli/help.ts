import { VARIABLES } from '../config/variables.ts';
import { SERVICE_NAME, VERSION } from '../version.ts';

/** `--help`: the flags, then every variable with its default (from the same table as the README's). */
export function helpText(): string {
  const width = Math.max(...VARIABLES.map((v) => v.name.length));
  const variables = VARIABLES.map((v) => `  ${v.name.padEnd(width)}  ${v.default.padEnd(18)}  ${v.meaning.replace(/`/g, '')}`);
  return `${SERVICE_NAME} ${VERSION}: caching relay for TMDB v3 and TheTVDB v4

Usage: metadata-relay [options]
  (no option)           start the relay
  --port, -p <port>     listen on this port (PORT)
  --host <address>      listen on this address (HOST)
  --env-file <file>     read KEY=VALUE lines from this file first (the environment wins); also --config
  --healthcheck         exit 0 if GET /health on the configured port answers ok, else 1 (for containers)
  --version, -v         print the version
  --help, -h            print this

Configuration comes from the environment (and --env-file). Durations need a unit (500ms, 30s, 5m, 24h,
7d); variables ending in _MS take bare milliseconds. Sizes: 268435456, 256MiB, 256M, 1G, 1GB.

Variables (default):
${variables.join('\n')}
`;
}
