/**
 * Our own hand-written fixtures in test/support/fixtures/{tmdb,tvdb}/*.json, keyed by file name
 * without `.json`. The name is the upstream path below the base with `/` replaced by `_`
 * (`/3/movie/550/images` -> tmdb `movie_550_images`, `/v4/seasons/7887801/extended` -> tvdb
 * `seasons_7887801_extended`). TVDB files hold the whole `{"status","data"}` body; `get` returns
 * its `data`. Loaded once per process; callers get a fresh copy each time.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Json, JsonObject } from './generate-common.ts';

type Upstream = 'tmdb' | 'tvdb';

const FIXTURE_DIR = join(import.meta.dir, 'fixtures');
let cache: Map<string, string> | null = null;

function load(): Map<string, string> {
  if (cache !== null) return cache;
  const map = new Map<string, string>();
  for (const upstream of ['tmdb', 'tvdb'] as const) {
    let files: string[] = [];
    try {
      files = readdirSync(join(FIXTURE_DIR, upstream));
    } catch {
      continue;
    }
    for (const file of files) {
      if (!file.endsWith('.json') || file.startsWith('_')) continue;
      map.set(`${upstream}/${file.slice(0, -'.json'.length)}`, readFileSync(join(FIXTURE_DIR, upstream, file), 'utf8'));
    }
  }
  cache = map;
  return map;
}

function isObject(value: Json | undefined): value is JsonObject {
  return value !== null && value !== undefined && typeof value === 'object' && !Array.isArray(value);
}

/** The fixture body (TVDB: its `data`), or undefined when there is none. */
export function fixture(upstream: Upstream, name: string): Json | undefined {
  const text = load().get(`${upstream}/${name}`);
  if (text === undefined) return undefined;
  const parsed = JSON.parse(text) as Json;
  if (upstream === 'tvdb' && isObject(parsed)) return parsed.data;
  return parsed;
}

export function fixtureObject(upstream: Upstream, name: string): JsonObject | undefined {
  const value = fixture(upstream, name);
  return isObject(value) ? value : undefined;
}

export function fixtureNames(upstream: Upstream): string[] {
  return [...load().keys()].filter((k) => k.startsWith(`${upstream}/`)).map((k) => k.slice(upstream.length + 1));
}
