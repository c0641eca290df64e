/** Keeps the README true: every route and every configuration variable is documented there. */
import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { envExample, withReadmeTable } from '../../scripts/config-docs.ts';
import { ROUTE_FAMILIES } from '../../src/cache/policy.ts';
import { MYDIA_ROUTES } from '../../src/catalog/mounts/mydia.ts';
import { helpText } from '../../src/cli/help.ts';
import { VARIABLES } from '../../src/config/variables.ts';
import { DEFAULTS } from '../../src/config.ts';
import { REPO_ROOT } from '../support/relay.ts';

const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const configSource = readFileSync(join(REPO_ROOT, 'src/config.ts'), 'utf8');
/** Every variable config.ts reads: `read.<kind>('NAME'` and the `CACHE_TTL_<FAMILY>` template. */
const read = [
  ...[...configSource.matchAll(/read\.\w+\('([A-Z0-9_]+)'/g)].map((m) => m[1] as string),
  ...ROUTE_FAMILIES.map((family) => `CACHE_TTL_${family.toUpperCase()}`),
];
const configTable = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## Operations'));

describe('README', () => {
  test('lists every route of the route table', () => {
    for (const route of MYDIA_ROUTES) expect(readme, route.path).toContain(`| \`${route.path}\` |`);
  });

  test('the table of variables is exactly what config.ts reads', () => {
    expect(read.length).toBeGreaterThan(40);
    expect(VARIABLES.map((v) => v.name).sort()).toEqual([...new Set(read)].sort());
  });

  test('the configuration table, .env.example and --help are written from that table', () => {
    expect(withReadmeTable(readme), 'run bun scripts/config-docs.ts').toBe(readme);
    expect(readFileSync(join(REPO_ROOT, '.env.example'), 'utf8'), 'run bun scripts/config-docs.ts').toBe(envExample());
    const help = helpText();
    for (const variable of VARIABLES) {
      expect(configTable).toContain(`| \`${variable.name}\` |`);
      expect(help).toContain(variable.name);
    }
  });

  test('states the defaults the code uses', () => {
    expect(configTable).toContain(`| \`PORT\` | \`${DEFAULTS.port}\` |`);
    expect(configTable).toContain(`| \`UPSTREAM_TIMEOUT_MS\` | \`${DEFAULTS.upstreamTimeoutMs}\` |`);
    expect(configTable).toContain(`| \`TMDB_RATE_LIMIT\` | \`${DEFAULTS.tmdbRatePerSecond}\` |`);
    expect(configTable).toContain(`| \`UPSTREAM_MAX_CONCURRENCY\` | \`${DEFAULTS.upstreamMaxConcurrency}\` |`);
    expect(configTable).toContain(`| \`BREAKER_THRESHOLD\` | \`${DEFAULTS.breakerThreshold}\` |`);
    expect(configTable).toContain('| `CHANGES_POLL_INTERVAL` | `10m` |');
  });

  test('names the test command that .ci/run runs', () => {
    expect(readme).toContain('bun install && bun run test');
    expect(readFileSync(join(REPO_ROOT, '.ci/run'), 'utf8')).toMatch(/^bun run test$/m);
  });
});
