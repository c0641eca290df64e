/**
 * TheTVDB v4 records beyond series, seasons, episodes, movies and base people (generate-tvdb.ts):
 * translations, characters, companies, awards and their categories, lists, extended people, the
 * paged catalogs (`/series`, `/movies`, ... 500 a page) and the reference lists. `data` payloads,
 * seeded from ids like the rest.
 */
import { type Json, type JsonObject, Rng, hashString, overviewFor, pastDate, personName, slugify, titleFor } from './generate-common.ts';
import { TVDB_ARTWORK_HOST, TVDB_COUNTRIES, tvdbCharacterOf, tvdbCompanyOf, tvdbLanguages } from './generate-tvdb.ts';

/** What `/{entity}/{id}/translations/{language}` answers, by entity. */
export type TranslatedKind = 'series' | 'movie' | 'episode' | 'season' | 'person' | 'list';

const WITH_ALIASES = new Set<TranslatedKind>(['series', 'movie', 'list']);

export function tvdbIsLanguage(code: string): boolean {
  return tvdbLanguages().some((l) => l.id === code);
}

/**
 * One translation of a record: English (and the original language) carry the record's own name
 * and overview, other languages a translated variant.
 */
export function tvdbTranslation(kind: TranslatedKind, record: JsonObject, language: string): JsonObject {
  const fallback = kind === 'season' ? `Season ${String(record.number ?? 1)}` : '';
  const name = typeof record.name === 'string' ? record.name : fallback;
  const overview = typeof record.overview === 'string' ? record.overview : overviewFor(new Rng(`tvdb:overview:${kind}:${String(record.id)}`), 1);
  const own = language === 'eng' || language === record.originalLanguage;
  const rng = new Rng(`tvdb:translation:${kind}:${String(record.id)}:${language}`);
  const body: JsonObject = { name: own ? name : `${name} (${language})`, overview: own ? overview : overviewFor(rng, 1), language };
  if (WITH_ALIASES.has(kind)) {
    const aliases = Array.isArray(record.aliases) ? record.aliases : [];
    body.aliases = aliases.map((a) => (a !== null && typeof a === 'object' && !Array.isArray(a) ? String(a.name ?? '') : String(a)));
  }
  if (kind === 'movie' && own) body.tagline = '';
  return body;
}

/** `meta=translations` for records that do not carry it yet. */
export function tvdbTranslationsMeta(kind: TranslatedKind, record: JsonObject): JsonObject {
  const langs = Array.isArray(record.nameTranslations) ? record.nameTranslations.filter((l): l is string => typeof l === 'string') : [];
  const list = (langs.length > 0 ? langs : ['eng']).map((language) => tvdbTranslation(kind, record, language));
  return {
    nameTranslations: list.map((t) => ({ name: t.name ?? '', language: t.language ?? 'eng', isPrimary: t.language === 'eng' })),
    overviewTranslations: list.map((t) => ({ overview: t.overview ?? '', language: t.language ?? 'eng', isPrimary: t.language === 'eng' })),
    aliases: [],
  };
}

// ---------------------------------------------------------------------------------------------
// Characters, companies

/** `{name, image, year}` of a series or movie, for records that point at one. */
export type RecordInfoOf = (kind: 'series' | 'movie', id: number) => JsonObject;

export function tvdbCharacter(id: number, info: RecordInfoOf): JsonObject {
  const rng = new Rng(`tvdb:character:${id}`);
  const inSeries = rng.chance(0.8);
  const ownerId = 70_000 + (id % 400_000);
  const base = tvdbCharacterOf(rng, rng.int(0, 12), inSeries ? { seriesId: ownerId } : { movieId: ownerId });
  return { ...base, id, series: inSeries ? info('series', ownerId) : null, movie: inSeries ? null : info('movie', ownerId) };
}

export const TVDB_COMPANY_TYPES: readonly JsonObject[] = [
  { companyTypeId: 1, companyTypeName: 'Network' },
  { companyTypeId: 2, companyTypeName: 'Studio' },
  { companyTypeId: 3, companyTypeName: 'Production Company' },
  { companyTypeId: 4, companyTypeName: 'Distributor' },
  { companyTypeId: 5, companyTypeName: 'Special Effects' },
];

export function tvdbCompany(id: number): JsonObject {
  const rng = new Rng(`tvdb:company:${id}`);
  return { ...tvdbCompanyOf(rng, rng.chance(0.5) ? 'Network' : 'Production Company'), id };
}

// ---------------------------------------------------------------------------------------------
// Awards

const AWARD_NAMES = ['Silver Lantern Awards', 'Golden Meridian Awards', 'Harbor Critics Awards', 'Northern Screen Awards', 'Orbit Television Awards', 'Copper Reel Festival', 'Velvet Curtain Awards', 'Summit Independent Awards'];
const CATEGORY_NAMES = ['Best Drama Series', 'Best Comedy Series', 'Best Actress', 'Best Actor', 'Best Director', 'Best Screenplay', 'Best Original Score', 'Best Documentary', 'Best Ensemble'];

export function tvdbAwards(): JsonObject[] {
  return AWARD_NAMES.map((name, i) => ({ id: i + 1, name }));
}

export function tvdbAward(id: number): JsonObject {
  return { id, name: AWARD_NAMES[id - 1] ?? `${titleFor(new Rng(`tvdb:award:${id}`)).replace(/^The /, '')} Awards` };
}

/** Category ids are `awardId * 100 + n`, so a category finds its award. */
function awardOfCategory(categoryId: number): number {
  return categoryId >= 100 ? Math.floor(categoryId / 100) : 1 + (categoryId % AWARD_NAMES.length);
}

export function tvdbAwardCategory(id: number): JsonObject {
  const rng = new Rng(`tvdb:award-category:${id}`);
  const name = CATEGORY_NAMES[id % CATEGORY_NAMES.length] ?? 'Best Drama Series';
  const forSeries = !name.includes('Documentary') || rng.chance(0.5);
  return { id, name, allowCoNominees: rng.chance(0.3), forSeries, forMovies: !forSeries || rng.chance(0.5), award: tvdbAward(awardOfCategory(id)) };
}

export function tvdbAwardExtended(id: number): JsonObject {
  const rng = new Rng(`tvdb:award-ext:${id}`);
  const count = rng.int(3, 7);
  return { ...tvdbAward(id), categories: Array.from({ length: count }, (_, n) => tvdbAwardCategory(id * 100 + n + 1)), score: rng.int(0, 5_000) };
}

/** Nominees name a series or a movie (base records from the resolvers, so fixtures appear as themselves). */
export function tvdbAwardCategoryExtended(id: number, series: (id: number) => JsonObject, movie: (id: number) => JsonObject): JsonObject {
  const base = tvdbAwardCategory(id);
  const rng = new Rng(`tvdb:award-nominees:${id}`);
  const nominees = Array.from({ length: rng.int(3, 6) }, (_, i) => {
    const ownerId = 70_000 + (hashString(`nominee:${id}:${i}`) % 400_000);
    const isSeries = base.forSeries === true && (base.forMovies !== true || rng.chance(0.6));
    const record = isSeries ? series(ownerId) : movie(ownerId);
    return {
      id: 1_000_000 + (hashString(`nominee-id:${id}:${i}`) % 8_000_000),
      character: null,
      details: rng.chance(0.3) ? personName(rng) : '',
      episode: null,
      isWinner: i === 0,
      movie: isSeries ? null : record,
      series: isSeries ? record : null,
      year: String(rng.int(1995, 2023)),
      category: base.name ?? '',
      name: record.name ?? '',
    };
  });
  return { ...base, nominees };
}

// ---------------------------------------------------------------------------------------------
// Lists

export function tvdbList(id: number): JsonObject {
  const rng = new Rng(`tvdb:list:${id}`);
  const name = `${titleFor(rng)} ${rng.pick(['Collection', 'Marathon', 'Essentials', 'Watch Order'])}`;
  return {
    id,
    name,
    overview: overviewFor(rng, 1),
    url: slugify(name),
    isOfficial: rng.chance(0.3),
    nameTranslations: ['eng'],
    overviewTranslations: ['eng'],
    aliases: [],
    score: rng.int(0, 2_000),
    image: `${TVDB_ARTWORK_HOST}/list/${id}/${rng.hex(13)}.jpg`,
    imageIsFallback: rng.chance(0.5),
    remoteIds: null,
    tags: null,
  };
}

export function tvdbListExtended(id: number): JsonObject {
  const { remoteIds: _remoteIds, tags: _tags, ...base } = tvdbList(id);
  const rng = new Rng(`tvdb:list-ext:${id}`);
  const entities = Array.from({ length: rng.int(2, 12) }, (_, order): JsonObject => {
    const ownerId = 70_000 + (hashString(`list-entity:${id}:${order}`) % 400_000);
    return rng.chance(0.7) ? { order, seriesId: ownerId } : { order, movieId: ownerId };
  });
  return { ...base, entities };
}

// ---------------------------------------------------------------------------------------------
// People

export function tvdbPersonExtended(base: JsonObject, info: RecordInfoOf): JsonObject {
  const id = Number(base.id ?? 0);
  const rng = new Rng(`tvdb:person-ext:${id}`);
  const name = String(base.name ?? personName(rng));
  const characters = Array.from({ length: rng.int(1, 6) }, (_, i) => {
    const ownerId = 70_000 + (hashString(`person-role:${id}:${i}`) % 400_000);
    const character = { ...tvdbCharacterOf(rng, i, { seriesId: ownerId }), peopleId: id, personName: name };
    return { ...character, series: info('series', ownerId) };
  });
  const birth = pastDate(rng, 1940, 2000);
  const birthPlace = rng.pick(['Lyon, France', 'Osaka, Japan', 'Toronto, Canada', 'Austin, Texas, USA', 'Leeds, England']);
  return {
    ...base,
    awards: [],
    biographies: [{ biography: `${name} is an actor from ${birthPlace}. ${overviewFor(rng, 1)}`, language: 'eng' }],
    birth,
    birthPlace,
    characters,
    death: rng.chance(0.08) ? pastDate(rng, 2005, 2020) : null,
    gender: rng.int(1, 2),
    races: [],
    remoteIds: [{ id: `nm${1_000_000 + (hashString(`nm:tvdb:${id}`) % 9_000_000)}`, type: 2, sourceName: 'IMDB' }],
    slug: slugify(name),
    tagOptions: [],
  };
}

// ---------------------------------------------------------------------------------------------
// Paged catalogs and filters

/** Items in TVDB's `/series`, `/movies`, ... lists (ids 1..total, ascending like the real ones). */
export const TVDB_CATALOG_TOTALS = { series: 150_000, movies: 40_000, people: 600_000, seasons: 640_000, episodes: 1_000_000, companies: 60_000, lists: 9_000 } as const;
export type TvdbCatalog = keyof typeof TVDB_CATALOG_TOTALS;

/** The ids on a 0-based page of a catalog. */
export function tvdbCatalogIds(catalog: TvdbCatalog, page: number, pageSize: number): number[] {
  const total = TVDB_CATALOG_TOTALS[catalog];
  const from = page * pageSize;
  return Array.from({ length: Math.max(0, Math.min(pageSize, total - from)) }, (_, i) => from + i + 1);
}

/** `/series/filter` and `/movies/filter`: a seeded result set per filter (values containing "zzz" match nothing). */
export function tvdbFilterIds(kind: 'series' | 'movies', filters: [string, string][]): { total: number; idAt: (index: number) => number } {
  const seed = `tvdbfilter:${kind}:${filters.map(([k, v]) => `${k}=${v}`).sort().join('&')}`;
  const total = filters.some(([, v]) => v.toLowerCase().includes('zzz')) ? 0 : 1 + (hashString(seed) % 2_400);
  return { total, idAt: (index) => 70_000 + (hashString(`${seed}#${index}`) % 400_000) };
}

// ---------------------------------------------------------------------------------------------
// Reference lists

export function tvdbArtworkStatuses(): JsonObject[] {
  return ['Low Quality', 'Improper Action Shot', 'Spoilers', 'Adult Content', 'Automatically Resized'].map((name, i) => ({ id: i + 1, name }));
}

export function tvdbContentRatings(): JsonObject[] {
  const table: [string, string, string][] = [
    ['usa', 'TV-Y', 'All children'], ['usa', 'TV-PG', 'Parental guidance suggested'], ['usa', 'TV-14', 'Parents strongly cautioned'], ['usa', 'TV-MA', 'Mature audience only'],
    ['usa', 'PG-13', 'Parents strongly cautioned'], ['usa', 'R', 'Restricted'], ['deu', 'FSK 12', 'Freigegeben ab 12 Jahren'], ['deu', 'FSK 16', 'Freigegeben ab 16 Jahren'],
    ['gbr', '15', 'Suitable only for 15 years and over'], ['jpn', 'R15+', 'Restricted to 15 and over'],
  ];
  return table.map(([country, name, description], i) => ({ id: i + 1, name, description, country, contentType: i < 4 ? 'episode' : 'movie', order: i % 4, fullName: null }));
}

export function tvdbCountries(): JsonObject[] {
  const names: Record<string, [string, string]> = {
    usa: ['United States of America', 'US'], gbr: ['United Kingdom', 'GB'], deu: ['Germany', 'DE'], fra: ['France', 'FR'],
    jpn: ['Japan', 'JP'], kor: ['South Korea', 'KR'], esp: ['Spain', 'ES'], can: ['Canada', 'CA'],
  };
  return TVDB_COUNTRIES.map((id) => ({ id, name: names[id]?.[0] ?? id, shortCode: names[id]?.[1] ?? id.slice(0, 2).toUpperCase() }));
}

export function tvdbEntityTypes(): JsonObject[] {
  return [['series', true], ['movie', false], ['people', false], ['episode', false], ['season', true], ['company', false], ['list', false], ['award', false]]
    .map(([name, hasSpecials], i) => ({ id: i + 1, name: String(name), hasSpecials: hasSpecials === true }));
}

export function tvdbGenders(): JsonObject[] {
  return ['Male', 'Female', 'Non-binary'].map((name, i) => ({ id: i + 1, name }));
}

export function tvdbInspirationTypes(): JsonObject[] {
  const types: [string, string, string][] = [['Book', 'Based on a book', 'ISBN'], ['Comic', 'Based on a comic', 'Comic Vine'], ['True Story', 'Based on real events', 'Wikipedia'], ['Game', 'Based on a video game', 'IGDB']];
  return types.map(([name, description, reference], i) => ({ id: i + 1, name, description, reference_name: reference, url: `https://www.example.com/inspiration/${slugify(name)}` }));
}

export function tvdbMovieStatuses(): JsonObject[] {
  return ['Announced', 'Pre-Production', 'Filming / Post-Production', 'Completed', 'Released'].map((name, i) => ({ id: i + 1, name, recordType: 'movie', keepUpdated: i < 4 }));
}

export function tvdbPeopleTypes(): JsonObject[] {
  return ['Director', 'Writer', 'Actor', 'Guest Star', 'Crew', 'Creator', 'Producer', 'Showrunner', 'Musical Guest', 'Host', 'Executive Producer'].map((name, i) => ({ id: i + 1, name }));
}

export function tvdbSourceTypes(): JsonObject[] {
  const sources: [string, string, string][] = [['IMDB', 'https://www.imdb.com/title/', ''], ['TheMovieDB.com', 'https://www.themoviedb.org/', ''], ['Wikidata', 'https://www.wikidata.org/wiki/', ''], ['Official Website', '', '']];
  return sources.map(([name, prefix, postfix], i) => ({ id: [2, 12, 18, 4][i] ?? i + 1, name, postfix, prefix, slug: slugify(name), sort: i + 1 }));
}

export function tvdbSeriesStatuses(): JsonObject[] {
  return ['Continuing', 'Ended', 'Upcoming'].map((name, i) => ({ id: i + 1, name, recordType: 'series', keepUpdated: false }));
}

/** A record's `{name, image, year}` from its base record. */
export function tvdbRecordInfo(record: JsonObject): JsonObject {
  const year: Json = record.year ?? null;
  return { image: record.image ?? null, name: record.name ?? '', year };
}
