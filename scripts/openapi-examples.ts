#!/usr/bin/env bun
/**
 * `bun scripts/openapi-examples.ts [--check]`: writes src/http/openapi-examples.json, the example
 * answers the OpenAPI document shows, as excerpts of our own test fixtures (long arrays cut to their
 * first items, so the document stays small). With --check, exits 1 when the file is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** Fixture per endpoint id (test/support/fixtures/<upstream>/<file>.json). */
const SOURCES: Record<string, string> = {
  'tmdb.configuration': 'tmdb/configuration',
  'tmdb.movie': 'tmdb/movie_550',
  'tmdb.movie.images': 'tmdb/movie_550_images',
  'tmdb.tv': 'tmdb/tv_1399',
  'tmdb.tv.images': 'tmdb/tv_1399_images',
  'tmdb.tv.season': 'tmdb/tv_1399_season_1',
  'tmdb.genre.movie': 'tmdb/genre_movie_list',
  'tmdb.genre.tv': 'tmdb/genre_tv_list',
  'tvdb.series': 'tvdb/series_78878',
  'tvdb.series.extended': 'tvdb/series_78878_extended',
  'tvdb.season': 'tvdb/seasons_7887801',
  'tvdb.season.extended': 'tvdb/seasons_7887801_extended',
  'tvdb.episode': 'tvdb/episodes_31410001',
  'tvdb.episode.extended': 'tvdb/episodes_31410001_extended',
  'tvdb.movie': 'tvdb/movies_12586',
  'tvdb.person': 'tvdb/people_312388',
  'tvdb.artwork': 'tvdb/artwork_63237874',
  'tvdb.artwork.types': 'tvdb/artwork_types',
  'tvdb.genres': 'tvdb/genres',
};

/** Arrays cut to their first two items, at every depth. */
function excerpt(value: Json): Json {
  if (Array.isArray(value)) return value.slice(0, 2).map(excerpt);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, excerpt(v)]));
  return value;
}

export function examples(): string {
  const root = join(import.meta.dir, '..', 'test', 'support', 'fixtures');
  const out: Record<string, Json> = {};
  for (const [id, file] of Object.entries(SOURCES)) out[id] = excerpt(JSON.parse(readFileSync(join(root, `${file}.json`), 'utf8')) as Json);
  return `${JSON.stringify(out, null, 1)}\n`;
}

if (import.meta.main) {
  const target = join(import.meta.dir, '..', 'src', 'http', 'openapi-examples.json');
  const next = examples();
  if (process.argv.includes('--check')) {
    if (readFileSync(target, 'utf8') !== next) {
      console.error('src/http/openapi-examples.json is out of date (run bun scripts/openapi-examples.ts)');
      process.exit(1);
    }
  } else {
    writeFileSync(target, next);
    console.log('wrote src/http/openapi-examples.json');
  }
}
