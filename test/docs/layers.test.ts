/**
 * No module knows a layer above it. Layers, bottom up: fleet (the Redis connection) -> upstreams ->
 * cache -> catalog -> feeds -> http -> edge -> the composition root (relay.ts, index.ts). Beside them: config, log, version, observability, the memory governor and the collector,
 * which any layer may use; they in turn may use the layers' types (config names a guard's options,
 * metrics read counters), but never the edge or the root.
 */
import { describe, expect, test } from 'bun:test';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { REPO_ROOT } from '../support/relay.ts';

const SRC = join(REPO_ROOT, 'src');
const RANK: Record<string, number> = { fleet: 0, upstreams: 1, cache: 2, catalog: 3, feeds: 4, http: 5, edge: 6, root: 7, cli: 7 };
const BESIDE = new Set(['config', 'log', 'version', 'observability', 'embedded-files', 'memory-governor', 'collector']);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** "cache" for src/cache/..., "config" for src/config.ts or src/config/..., "root" for relay.ts/index.ts. */
function layerOf(path: string): string {
  const [first = ''] = relative(SRC, path).split('/');
  const name = first.replace(/\.d\.ts$|\.ts$/, '');
  if (name === 'relay' || name === 'index') return 'root';
  return name;
}

const imports = files(SRC).flatMap((file) =>
  [...readFileSync(file, 'utf8').matchAll(/^import[^'"]*['"](\.[^'"]+)['"]/gm)]
    .map((m) => ({ from: file, to: resolve(dirname(file), m[1] as string), typeOnly: /^import type /.test(m[0]) }))
    // package.json (the version) is outside the tree and outside the layers.
    .filter(({ to }) => to.startsWith(`${SRC}/`)),
);

describe('layers', () => {
  test('the source tree has the layers this test knows', () => {
    const layers = new Set(files(SRC).map(layerOf));
    for (const layer of layers) expect(layer in RANK || BESIDE.has(layer), layer).toBe(true);
    expect(imports.length).toBeGreaterThan(100);
  });

  test('no layer imports a layer above it', () => {
    const violations = imports.filter(({ from, to }) => {
      const a = layerOf(from);
      const b = layerOf(to);
      if (BESIDE.has(b) || !(a in RANK)) return false;
      return (RANK[b] as number) > (RANK[a] as number);
    });
    expect(violations.map(({ from, to }) => `${relative(SRC, from)} -> ${relative(SRC, to)}`)).toEqual([]);
  });

  test('the modules beside the layers never reach the edge or the root, and use other layers for types only', () => {
    const violations = imports.filter(({ from, to, typeOnly }) => {
      const a = layerOf(from);
      const b = layerOf(to);
      if (!BESIDE.has(a) || BESIDE.has(b)) return false;
      return b === 'edge' || b === 'root' || !typeOnly;
    });
    // config.ts reads the policy table's defaults, a value: the one exception, named here.
    const allowed = (v: { from: string; to: string }) => relative(SRC, v.from) === 'config.ts' && relative(SRC, v.to).startsWith('cache/policy');
    expect(violations.filter((v) => !allowed(v)).map(({ from, to }) => `${relative(SRC, from)} -> ${relative(SRC, to)}`)).toEqual([]);
  });
});
