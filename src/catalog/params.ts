import { t, type TSchema } from 'elysia';
import type { UpstreamName } from '../upstreams/types.ts';

/**
 * Schemas for path and query parameters, shared by every endpoint of the catalog. Path params are
 * validated before any upstream URL is built: an id is digits, a type is one of a few words. Query
 * parameters are checked (on cache misses) against these when an endpoint allows them; a name with no
 * entry here is forwarded as given (the query parser already bounds its length and characters).
 */

/** Digits without leading zeros: `0550` and `550` must not become two cache entries. */
const number = (description: string, maxDigits: number, example: string) =>
  t.String({ pattern: `^(0|[1-9][0-9]{0,${maxDigits - 1}})$`, description, examples: [example] });
const oneOf = (values: readonly string[], description: string) => t.Union(values.map((value) => t.Literal(value)), { description });

export const Path = {
  id: number('Numeric id', 10, '550'),
  seasonNumber: number('Season number (0 = specials)', 4, '1'),
  episodeNumber: number('Episode number', 5, '1'),
  watchProviderType: oneOf(['movie', 'tv'], 'movie or tv'),
  trendingMedia: oneOf(['all', 'movie', 'tv', 'person'], 'What is trending'),
  timeWindow: oneOf(['day', 'week'], 'Trending over a day or a week'),
  tvdbSeasonType: oneOf(['default', 'official', 'dvd', 'absolute', 'alternate', 'regional'], 'TVDB season ordering'),
  /** TMDB's credit, review and episode group ids: 24 hex digits. */
  hexId: t.String({ pattern: '^[0-9a-f]{24}$', description: '24 hexadecimal digits', examples: ['52fe4250c3a36847f8014a11'] }),
  tvdbLanguage: t.String({ pattern: '^[a-z]{3}$', description: 'ISO 639-2 language (eng)', examples: ['eng'] }),
  slug: t.String({ pattern: '^[a-z0-9][a-z0-9-]{0,127}$', description: 'A slug (lower case, digits and dashes)', examples: ['yu-gi-oh'] }),
  externalId: t.String({
    pattern: '^[A-Za-z0-9_.-]{1,64}$',
    description: 'An id on another service (IMDb tt..., TVDB number, ...)',
    examples: ['tt0903747'],
  }),
};

const pattern = (regex: string, description: string, examples?: string[]) =>
  t.String({ pattern: regex, description, ...(examples ? { examples } : {}) });

const language = pattern('^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,4})?$', 'ISO 639-1 language, optionally with region (en-US)', ['en-US']);
const year = pattern('^[0-9]{4}$', 'Four-digit year', ['2008']);
const bool = pattern('^(true|false)$', 'true or false');
const region = pattern('^[A-Za-z]{2}$', 'ISO 3166-1 country code', ['US']);
const setList = (description: string, examples: string[]) => pattern('^[A-Za-z0-9_/, -]{1,512}$', description, examples);
const searchQuery = t.String({ minLength: 1, maxLength: 500, description: 'Search text', examples: ['breaking bad'] });

/** TMDB v3 query parameters with their constraints. */
const TMDB_QUERY: Record<string, TSchema> = {
  language,
  page: pattern('^([1-9][0-9]?|[1-4][0-9][0-9]|500)$', 'Page, 1 to 500', ['1']),
  region,
  watch_region: region,
  year,
  primary_release_year: year,
  first_air_date_year: year,
  include_adult: bool,
  include_video: bool,
  query: searchQuery,
  append_to_response: setList('Comma-separated sub-requests embedded in the answer (order and duplicates do not matter)', ['credits,alternative_titles']),
  include_image_language: pattern('^[A-Za-z,-]{1,100}$', 'Comma-separated image languages, "null" for none', ['en,null']),
  include_video_language: pattern('^[A-Za-z,-]{1,100}$', 'Comma-separated video languages, "null" for none', ['en,null']),
  sort_by: pattern('^[a-z_.]+\\.(asc|desc)$', 'Sort order', ['popularity.desc']),
  with_genres: pattern('^[0-9,|]{1,200}$', 'Genre ids, "," = and, "|" = or', ['28,12']),
  with_original_language: pattern('^[a-z]{2}$', 'ISO 639-1 original language', ['en']),
  'vote_average.gte': pattern('^[0-9]{1,2}(\\.[0-9]{1,2})?$', 'Minimum vote average', ['7']),
  external_source: oneOf(
    ['imdb_id', 'tvdb_id', 'facebook_id', 'instagram_id', 'tiktok_id', 'twitter_id', 'wikidata_id', 'youtube_id'],
    'Which service the id belongs to',
  ),
  movie_id: pattern('^[1-9][0-9]{0,9}$', 'Movie id', ['550']),
  country: region,
  start_date: pattern('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', 'YYYY-MM-DD'),
  end_date: pattern('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', 'YYYY-MM-DD'),
};

/** TheTVDB v4 query parameters with their constraints. */
const TVDB_QUERY: Record<string, TSchema> = {
  query: searchQuery,
  q: searchQuery,
  type: oneOf(['series', 'movie', 'person', 'company'], 'Record type'),
  year,
  language: pattern('^[a-z]{3}$', 'ISO 639-2 language (eng)', ['eng']),
  lang: pattern('^[a-z]{3}$', 'ISO 639-2 language', ['eng']),
  limit: pattern('^[0-9]{1,4}$', 'Results per page (default 50)'),
  offset: pattern('^[0-9]{1,5}$', 'Results to skip'),
  page: pattern('^[0-9]{1,5}$', 'Page, 0-based', ['0']),
  meta: pattern('^(translations|episodes)$', 'Extra data to embed: translations or episodes'),
  short: bool,
  season: pattern('^[0-9]{1,4}$', 'Season number'),
  episodeNumber: pattern('^[0-9]{1,5}$', 'Episode number (needs season)'),
  airDate: pattern('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', 'Air date, YYYY-MM-DD'),
  since: pattern('^[0-9]{1,12}$', 'Unix time in seconds'),
};

const QUERY: Record<UpstreamName, Record<string, TSchema>> = { tmdb: TMDB_QUERY, tvdb: TVDB_QUERY };

/** Constraints that differ per endpoint for a name (TVDB's `type` is a word in search, an id elsewhere). */
export const Override = {
  tvdbTypeId: pattern('^[0-9]{1,4}$', 'Type id'),
  tvdbTranslationsOnly: oneOf(['translations'], 'Embed translations'),
  tvdbEntityType: pattern('^[a-z_]{1,32}$', 'Entity type (series, episodes, movies, people, artwork, ...)', ['series']),
  tvdbAction: oneOf(['update', 'delete'], 'update or delete'),
};

/** Forwarded as given: the query parser bounds it to 512 characters without control characters. */
const FREE_TEXT = t.String({ maxLength: 512 });

export function querySchemaFor(upstream: UpstreamName, name: string): TSchema {
  return Object.hasOwn(QUERY[upstream], name) ? (QUERY[upstream][name] as TSchema) : FREE_TEXT;
}
