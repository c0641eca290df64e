/** Keeps the README true: every route and every configuration variable is documented there. */
import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS } from '../../src/config.ts';
import { MYDIA_ROUTES } from '../../src/catalog/mounts/mydia.ts';
import { REPO_ROOT } from '../support/relay.ts';

const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const configSource = readFileSync(join(REPO_ROOT, 'src/config.ts'), 'utf8');
/** Every variable config.ts reads: `read.<kind>('NAME'` and the `CACHE_TTL_<FAMILY>` template. */
const variables = [...configSource.matchAll(/read\.\w+\('([A-Z0-9_]+)'/g)].map((m) => m[1] as string);
const configTable = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## Operations'));

describe('README', () => {
  test('lists every route of the route table', () => {
    for (const route of MYDIA_ROUTES) expect(readme, route.path).toContain(`| \`${route.path}\` |`);
  });

  test('documents every environment variable config.ts reads, in the configuration table', () => {
    expect(variables.length).toBeGreaterThan(25);
    for (const name of variables) expect(configTable, name).toContain(`| \`${name}\` |`);
    for (const family of ['DETAILS', 'SEASONS', 'SEARCH', 'IMAGES', 'LISTS', 'REFERENCE']) expect(configTable).toContain(`CACHE_TTL_${family}`);
  });

  test('names no variable in the table that config.ts does not read', () => {
    const documented = [...configTable.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((m) => m[1] as string);
    const known = new Set([...variables, ...['DETAILS', 'SEASONS', 'SEARCH', 'IMAGES', 'LISTS', 'REFERENCE'].map((f) => `CACHE_TTL_${f}`)]);
    for (const name of documented) expect(known.has(name), name).toBe(true);
  });

  test('states the defaults the code uses', () => {
    expect(configTable).toContain(`| \`PORT\` | \`${DEFAULTS.port}\` |`);
    expect(configTable).toContain(`| \`UPSTREAM_TIMEOUT_MS\` | \`${DEFAULTS.upstreamTimeoutMs}\` |`);
    expect(configTable).toContain(`| \`TMDB_RATE_LIMIT\` | \`${DEFAULTS.tmdbRatePerSecond}\` |`);
    expect(configTable).toContain(`| \`UPSTREAM_MAX_CONCURRENCY\` | \`${DEFAULTS.upstreamMaxConcurrency}\` |`);
    expect(configTable).toContain(`| \`BREAKER_THRESHOLD\` | \`${DEFAULTS.breakerThreshold}\` |`);
  });

  test('names the test command that .ci/run runs', () => {
    expect(readme).toContain('bun test');
    expect(readFileSync(join(REPO_ROOT, '.ci/run'), 'utf8')).toContain('bun test');
  });
});
