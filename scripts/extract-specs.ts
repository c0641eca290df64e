#!/usr/bin/env bun
/**
 * `bun scripts/extract-specs.ts <tmdb-v3-openapi.json> <tvdb-v4-swagger.yml>`
 *
 * Writes test/support/spec/{tmdb-v3,tvdb-v4}.paths.json: for every operation of the upstream specs,
 * its method, path template, path parameter types and query parameter names. The catalog test checks
 * the relay's endpoint tables against these (every read path is either served or refused on purpose;
 * every spec parameter is forwarded). Only these facts are kept, nothing else of the specs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface Param {
  name: string;
  in: string;
  schema?: { type?: string; enum?: unknown[] };
}
interface Operation {
  parameters?: Param[];
}
type Paths = Record<string, Record<string, Operation | Param[]>>;

export interface SpecOperation {
  method: string;
  path: string;
  pathParams: Record<string, string>;
  query: string[];
}

function extract(paths: Paths, strip: string): SpecOperation[] {
  const out: SpecOperation[] = [];
  for (const [path, item] of Object.entries(paths)) {
    const shared = (Array.isArray(item.parameters) ? item.parameters : []) as Param[];
    for (const [method, operation] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'delete', 'patch'].includes(method)) continue;
      const params = [...shared, ...(((operation as Operation).parameters ?? []) as Param[])];
      out.push({
        method: method.toUpperCase(),
        path: path.startsWith(strip) ? path.slice(strip.length) : path,
        pathParams: Object.fromEntries(params.filter((p) => p.in === 'path').map((p) => [p.name, p.schema?.type ?? 'string'])),
        query: [...new Set(params.filter((p) => p.in === 'query').map((p) => p.name))].sort(),
      });
    }
  }
  return out.sort((a, b) => (a.path === b.path ? a.method.localeCompare(b.method) : a.path.localeCompare(b.path)));
}

const [tmdbFile, tvdbFile] = process.argv.slice(2);
if (!tmdbFile || !tvdbFile) throw new Error('usage: bun scripts/extract-specs.ts <tmdb-v3-openapi.json> <tvdb-v4-swagger.yml>');
const out = join(import.meta.dir, '..', 'test', 'support', 'spec');
const tmdb = JSON.parse(readFileSync(tmdbFile, 'utf8')) as { paths: Paths };
const tvdb = Bun.YAML.parse(readFileSync(tvdbFile, 'utf8')) as { paths: Paths };
writeFileSync(join(out, 'tmdb-v3.paths.json'), `${JSON.stringify(extract(tmdb.paths, '/3'), null, 1)}\n`);
writeFileSync(join(out, 'tvdb-v4.paths.json'), `${JSON.stringify(extract(tvdb.paths, ''), null, 1)}\n`);
console.log('written to', out);
