import { t, type TSchema } from 'elysia';

/**
 * Path and query schemas shared by the route table. Path params are validated before any upstream
 * URL is built: an id is digits, a type is one of a few words. Query schemas cover the parameters
 * clients are known to send (so they are checked and documented); other parameters pass through.
 */

/** Digits without leading zeros: `0550` and `550` must not become two cache entries. */
const number = (description: string, maxDigits: number, example: string) =>
  t.String({ pattern: `^(0|[1-9][0-9]{0,${maxDigits - 1}})$`, description, examples: [example] });

export const Id = number('Numeric id', 10, '550');
export const SeasonNumber = number('Season number (0 = specials)', 4, '1');
export const EpisodeNumber = number('Episode number', 5, '1');
export const WatchProviderType = t.Union([t.Literal('movie'), t.Literal('tv')], { description: 'movie or tv' });
export const TvdbSeasonType = t.Union(
  ['default', 'official', 'dvd', 'absolute', 'alternate', 'regional'].map((value) => t.Literal(value)),
  { description: 'TVDB season ordering' },
);
export const ExternalId = t.String({
  pattern: '^[A-Za-z0-9_.-]{1,64}$',
  description: 'An id on another service (IMDb tt..., TVDB number, ...)',
  examples: ['tt0903747'],
});

const optional = (schema: TSchema) => t.Optional(schema);
const pattern = (regex: string, description: string, examples?: string[]) =>
  optional(t.String({ pattern: regex, description, ...(examples ? { examples } : {}) }));

const language = pattern('^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,4})?$', 'ISO 639-1 language, optionally with region (en-US)', ['en-US']);
const tmdbPage = pattern('^([1-9][0-9]?|[1-4][0-9][0-9]|500)$', 'Page, 1 to 500', ['1']);
const tvdbPage = pattern('^[0-9]{1,5}$', 'Page, 0-based', ['0']);
const year = pattern('^[0-9]{4}$', 'Four-digit year', ['2008']);
const bool = pattern('^(true|false)$', 'true or false');
const region = pattern('^[A-Za-z]{2}$', 'ISO 3166-1 country code', ['US']);
const appendToResponse = pattern(
  '^[A-Za-z0-9_/, ]{1,512}$',
  'Comma-separated sub-requests embedded in the answer (order and duplicates do not matter)',
  ['credits,alternative_titles'],
);
const includeImageLanguage = pattern('^[A-Za-z,-]{1,100}$', 'Comma-separated image languages, "null" for none', ['en,null']);
const searchQuery = t.String({ minLength: 1, maxLength: 500, description: 'Search text', examples: ['breaking bad'] });

/** Query object that documents known parameters and lets others through to the upstream. */
const query = (properties: Record<string, TSchema>) => t.Object(properties, { additionalProperties: true });

export const Query = {
  none: query({}),
  language: query({ language }),
  paged: query({ language, page: tmdbPage, region }),
  details: query({ language, append_to_response: appendToResponse, include_image_language: includeImageLanguage }),
  images: query({ language, include_image_language: includeImageLanguage }),
  season: query({ language, append_to_response: appendToResponse }),
  listDetails: query({ language, page: tmdbPage }),
  watchProviders: query({ language, watch_region: region }),
  movieSearch: query({ query: searchQuery, language, include_adult: bool, page: tmdbPage, year, primary_release_year: year, region }),
  tvSearch: query({ query: searchQuery, language, include_adult: bool, page: tmdbPage, first_air_date_year: year, year }),
  discover: query({
    language,
    page: tmdbPage,
    sort_by: pattern('^[a-z_]+\\.(asc|desc)$', 'Sort order', ['popularity.desc']),
    with_genres: pattern('^[0-9,|]{1,200}$', 'Genre ids, "," = and, "|" = or', ['28,12']),
    with_original_language: pattern('^[a-z]{2}$', 'ISO 639-1 original language', ['en']),
    primary_release_year: year,
    first_air_date_year: year,
    'vote_average.gte': pattern('^[0-9]{1,2}(\\.[0-9]{1,2})?$', 'Minimum vote average', ['7']),
    include_adult: bool,
  }),
  find: query({
    external_source: t.Union(
      ['imdb_id', 'tvdb_id', 'facebook_id', 'instagram_id', 'tiktok_id', 'twitter_id', 'wikidata_id', 'youtube_id'].map((v) => t.Literal(v)),
      { description: 'Which service the id belongs to' },
    ),
    language,
  }),
  tvdbSearch: query({
    query: searchQuery,
    type: optional(t.Union(['series', 'movie', 'person', 'company'].map((v) => t.Literal(v)), { description: 'Record type' })),
    year,
    language: pattern('^[a-z]{3}$', 'ISO 639-2 language (eng)', ['eng']),
    limit: pattern('^[0-9]{1,4}$', 'Results per page (default 50)'),
    offset: pattern('^[0-9]{1,5}$', 'Results to skip'),
  }),
  tvdbExtended: query({
    meta: optional(t.Union([t.Literal('translations'), t.Literal('episodes')], { description: 'Extra data to embed' })),
    short: bool,
  }),
  tvdbTranslations: query({ meta: optional(t.Literal('translations', { description: 'Embed translations' })) }),
  tvdbEpisodes: query({
    page: tvdbPage,
    season: pattern('^[0-9]{1,4}$', 'Season number'),
    episodeNumber: pattern('^[0-9]{1,5}$', 'Episode number (needs season)'),
    airDate: pattern('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', 'Air date, YYYY-MM-DD'),
  }),
  tvdbArtworks: query({
    lang: pattern('^[a-z]{3}$', 'ISO 639-2 language', ['eng']),
    type: pattern('^[0-9]{1,4}$', 'Artwork type id'),
  }),
};
