/**
 * The endpoint catalog against the upstreams' own specs (TMDB's OpenAPI, TheTVDB's swagger; the facts
 * of both extracted by scripts/extract-specs.ts into test/support/spec/): every read path is either
 * served or refused on purpose, nothing else is served, and every parameter the spec lists is
 * forwarded.
 */
import { describe, expect, test } from 'bun:test';
import type { TSchema } from '@sinclair/typebox';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Endpoint } from '../../src/catalog/endpoint.ts';
import { TMDB_ENDPOINTS, TMDB_REFUSED } from '../../src/catalog/tmdb.ts';
import { TVDB_ENDPOINTS, TVDB_REFUSED } from '../../src/catalog/tvdb.ts';
import { REPO_ROOT } from '../support/relay.ts';

interface SpecOperation {
  method: string;
  path: string;
  pathParams: Record<string, string>;
  query: string[];
}

const spec = (name: string) => JSON.parse(readFileSync(join(REPO_ROOT, 'test/support/spec', name), 'utf8')) as SpecOperation[];

/** The literal values a parameter schema allows, or null when it is not an enum. */
function literals(schema: TSchema): string[] | null {
  const anyOf = (schema as { anyOf?: { const?: unknown }[] }).anyOf;
  if (!Array.isArray(anyOf)) return null;
  return anyOf.map((s) => String(s.const));
}

/**
 * Whether an endpoint serves a spec path: segment by segment, a spec parameter matches one of ours,
 * and a spec literal matches the same literal or one of our enum parameter's values (the spec lists
 * `/trending/movie/{time_window}`; the catalog has `/trending/{media_type}/{time_window}`).
 */
function serves(endpoint: Endpoint, specPath: string): boolean {
  const ours = endpoint.template.split('/');
  const theirs = specPath.split('/');
  if (ours.length !== theirs.length) return false;
  return ours.every((part, i) => {
    const other = theirs[i] as string;
    const name = /^\{(.+)\}$/.exec(part)?.[1];
    if (name === undefined) return part === other;
    if (/^\{.+\}$/.test(other)) return true;
    return literals(endpoint.params[name] as TSchema)?.includes(other) ?? false;
  });
}

for (const [name, file, endpoints, refused] of [
  ['TMDB v3', 'tmdb-v3.paths.json', TMDB_ENDPOINTS, TMDB_REFUSED],
  ['TVDB v4', 'tvdb-v4.paths.json', TVDB_ENDPOINTS, TVDB_REFUSED],
] as const) {
  describe(`${name} catalog against the spec`, () => {
    const operations = spec(file);
    const isRefused = (path: string) => refused.prefixes.some((p) => path === p || path.startsWith(`${p}/`)) || refused.suffixes.some((s) => path.endsWith(s));
    const reads = operations.filter((op) => op.method === 'GET' && !isRefused(op.path));
    const endpointFor = (path: string) => endpoints.find((endpoint) => serves(endpoint, path));

    test('has the spec\'s operations', () => {
      expect(operations.length).toBeGreaterThan(name === 'TMDB v3' ? 140 : 60);
    });

    test('every read path of the spec is served, unless refused on purpose', () => {
      const missing = reads.filter((op) => endpointFor(op.path) === undefined).map((op) => op.path);
      expect(missing).toEqual([]);
    });

    test('nothing refused, and nothing that is not in the spec, is served', () => {
      const invented = endpoints.filter((endpoint) => !reads.some((op) => serves(endpoint, op.path))).map((e) => e.template);
      expect(invented).toEqual([]);
      const refusedServed = operations.filter((op) => op.method === 'GET' && isRefused(op.path) && endpointFor(op.path) !== undefined).map((op) => op.path);
      expect(refusedServed).toEqual([]);
    });

    test('every query parameter the spec lists for a path is forwarded', () => {
      const dropped = reads.flatMap((op) => {
        const endpoint = endpointFor(op.path);
        return op.query.filter((q) => !endpoint?.allowed.has(q)).map((q) => `${op.path}?${q}`);
      });
      expect(dropped).toEqual([]);
    });

    test('numeric path parameters are digits only', () => {
      for (const op of reads) {
        const endpoint = endpointFor(op.path) as Endpoint;
        const names = [...op.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
        names.forEach((specName, i) => {
          if (!['integer', 'number'].includes(op.pathParams[specName] ?? '')) return;
          const ours = endpoint.paramNames[i] as string;
          const pattern = (endpoint.params[ours] as { pattern?: string }).pattern;
          expect(pattern, `${op.path} {${specName}}`).toMatch(/^\^\(0\|\[1-9\]\[0-9\]\{0,\d+\}\)\$$/);
        });
      }
    });

    test('every endpoint has a family and a unique id', () => {
      const ids = endpoints.map((e) => e.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const endpoint of endpoints) expect(['details', 'seasons', 'search', 'images', 'lists', 'reference']).toContain(endpoint.family);
    });
  });
}

test('change feeds are lists-fresh at most', () => {
  const feeds = [...TMDB_ENDPOINTS, ...TVDB_ENDPOINTS].filter((e) => /\/changes$|^\/updates$/.test(e.template));
  expect(feeds.length).toBeGreaterThanOrEqual(8);
  for (const feed of feeds) expect(['lists'], feed.template).toContain(feed.family);
});
