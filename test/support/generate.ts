/**
 * Deterministic generators for synthetic upstream bodies, shaped like the fixtures.
 * The same id (or query) always yields the same bytes, so a benchmark can ask for 10k distinct
 * titles without storing them.
 *
 *   import { tmdbMovieDetails, tvdbSeriesExtended, tvdbEnvelope } from './generate.ts';
 *   JSON.stringify(tmdbMovieDetails(1234));
 *   JSON.stringify(tvdbEnvelope(tvdbSeriesExtended(5678)));
 *
 * Special ids (both upstreams):
 *   - ids >= MISSING_ID_MIN (900000000) are "missing": the fake answers 404.
 *   - UNSETTLED_ID (424242): TMDB tv 424242 season 1, TVDB series 424242 and TVDB season 424242 have
 *     episodes 1-8 aired (weekly, the last 3 days ago), episode 9 airing in 4 days and episode 10
 *     named "TBA" airing in 11 days, all relative to the `nowMs` passed in (the fake's `now()`).
 *     Every other generated season/episode has settled air dates (1990-2020).
 */
export * from './generate-common.ts';
export * from './generate-tmdb.ts';
export * from './generate-tmdb-entities.ts';
export * from './generate-tmdb-media.ts';
export * from './generate-tmdb-people.ts';
export * from './generate-tvdb.ts';
export * from './generate-tvdb-entities.ts';
