/**
 * TMDB v3 companies, networks, keywords, credits, collection extras, the searches beyond movies
 * and shows, and the reference lists (certifications, configuration/*, watch provider regions).
 * Seeded from ids and queries like the other generators.
 */
import { type JsonObject, Rng, hashString, overviewFor, titleFor } from './generate-common.ts';
import {
  COMPANY_SUFFIXES,
  COUNTRIES,
  type DetailsResolver,
  KEYWORDS,
  LANGUAGES,
  NETWORK_NAMES,
  PROVIDER_REGIONS,
  type TmdbKind,
  generatedDetails,
  listId,
  summaryOf,
  tmdbPaged,
} from './generate-tmdb.ts';
import { tmdbImage } from './generate-tmdb-media.ts';
import { tmdbPersonSummary, tmdbTranslationList } from './generate-tmdb-people.ts';

const CITIES = ['Burbank, California', 'London, England', 'Vancouver, Canada', 'Munich, Germany', 'Paris, France', 'Tokyo, Japan', 'New York City, New York'];

function queryTotal(seed: string, query: string, max: number): number {
  return query.toLowerCase().includes('zzz') ? 0 : 1 + (hashString(seed) % max);
}

// ---------------------------------------------------------------------------------------------
// Companies and networks

function companyName(id: number): string {
  const rng = new Rng(`tmdb:company-name:${id}`);
  return `${titleFor(rng).replace(/^The /, '').split(' ')[0]} ${rng.pick(COMPANY_SUFFIXES)}`;
}

export function tmdbCompany(id: number): JsonObject {
  const rng = new Rng(`tmdb:company:${id}`);
  const parent = rng.chance(0.2) ? 1 + (hashString(`parent:${id}`) % 9_000) : null;
  return {
    description: rng.chance(0.4) ? overviewFor(rng, 1) : '',
    headquarters: rng.pick(CITIES),
    homepage: rng.chance(0.6) ? `https://www.example.com/companies/${id}` : '',
    id,
    logo_path: rng.chance(0.8) ? rng.imagePath('png') : null,
    name: companyName(id),
    origin_country: rng.pick(COUNTRIES).iso_3166_1,
    parent_company: parent === null ? null : { id: parent, logo_path: null, name: companyName(parent) },
  };
}

export function tmdbNetwork(id: number): JsonObject {
  const rng = new Rng(`tmdb:network-entity:${id}`);
  return {
    headquarters: rng.pick(CITIES),
    homepage: `https://www.example.com/networks/${id}`,
    id,
    logo_path: rng.imagePath('png'),
    name: `${rng.pick(NETWORK_NAMES)}${id % 7 === 0 ? '' : ` ${rng.pick(['East', 'West', 'One', 'Two', 'Plus'])}`}`,
    origin_country: rng.pick(COUNTRIES).iso_3166_1,
  };
}

/** `/company/{id}/alternative_names` and `/network/{id}/alternative_names`. */
export function tmdbAlternativeNames(kind: 'company' | 'network', id: number, name: string): JsonObject {
  const rng = new Rng(`tmdb:alt-names:${kind}:${id}`);
  const results = Array.from({ length: rng.int(0, 3) }, (_, i) => ({ name: i === 0 ? name.toUpperCase() : `${name} ${rng.pick(['Inc.', 'Ltd.', 'GmbH', 'S.A.'])}`, type: '' }));
  return { id, results };
}

/** `/company/{id}/images` and `/network/{id}/images`: logos with their own ids and file types. */
export function tmdbLogos(kind: 'company' | 'network', id: number): JsonObject {
  const rng = new Rng(`tmdb:logos:${kind}:${id}`);
  const logos = Array.from({ length: rng.int(1, 4) }, () => {
    const svg = rng.chance(0.5);
    const width = rng.int(200, 800);
    const height = rng.int(60, 300);
    return { aspect_ratio: width / height, file_path: rng.imagePath('png').replace(/\.png$/, svg ? '.svg' : '.png'), height, id: rng.hex(24), file_type: svg ? '.svg' : '.png', vote_average: rng.float(5, 6, 3), vote_count: rng.int(0, 5), width };
  });
  return { id, logos };
}

// ---------------------------------------------------------------------------------------------
// Keywords

export function tmdbKeyword(id: number): JsonObject {
  const known = KEYWORDS.find((name) => 800 + (hashString(name) % 300_000) === id);
  return { id, name: known ?? `${titleFor(new Rng(`tmdb:keyword:${id}`)).toLowerCase().replace(/^the /, '')}` };
}

export function tmdbKeywordMovies(id: number, page: number, resolve: DetailsResolver = generatedDetails): JsonObject {
  const total = new Rng(`tmdb:keyword-count:${id}`).int(1, 400);
  return { id, ...tmdbPaged(page, total, (i) => summaryOf(resolve, 'movie', listId(`keyword:${id}`, i), false)) };
}

// ---------------------------------------------------------------------------------------------
// Credits

/** `/credit/{id}`: one person in one title (cast or crew), derived from the credit id. */
export function tmdbCredit(hex: string, resolve: DetailsResolver = generatedDetails): JsonObject {
  const h = hashString(`credit:${hex}`);
  const kind: TmdbKind = h % 2 === 0 ? 'tv' : 'movie';
  const mediaId = 100 + (h % 1_500_000);
  const personId = 1_000 + (hashString(`credit-person:${hex}`) % 4_000_000);
  const rng = new Rng(`tmdb:credit:${hex}`);
  const cast = rng.chance(0.7);
  const media: JsonObject = { ...summaryOf(resolve, kind, mediaId, true), ...(cast ? { character: rng.pick(['The Captain', 'Mara', 'Dr. Voss', 'Eli']) } : {}) };
  if (kind === 'tv') {
    const details = resolve('tv', mediaId);
    const seasons = Array.isArray(details.seasons) ? details.seasons : [];
    media.episodes = [];
    media.seasons = seasons.slice(0, 1).map((s) => (s !== null && typeof s === 'object' && !Array.isArray(s) ? { ...s, show_id: mediaId } : s));
  }
  const { known_for: _knownFor, ...person } = tmdbPersonSummary(personId, resolve, true);
  return {
    credit_type: cast ? 'cast' : 'crew',
    department: cast ? 'Acting' : 'Directing',
    job: cast ? 'Actor' : 'Director',
    media,
    media_type: kind,
    id: hex,
    person,
  };
}

// ---------------------------------------------------------------------------------------------
// Collections

export function tmdbCollectionImages(id: number): JsonObject {
  const rng = new Rng(`tmdb:collection-images:${id}`);
  return {
    id,
    backdrops: Array.from({ length: rng.int(2, 12) }, () => tmdbImage(rng, 1.778, rng.pick([1280, 1920]), rng.chance(0.7) ? null : 'en')),
    posters: Array.from({ length: rng.int(2, 12) }, () => tmdbImage(rng, 0.667, rng.pick([1000, 2000]), rng.chance(0.7) ? 'en' : null)),
  };
}

export function tmdbCollectionTranslations(id: number, collection: JsonObject): JsonObject {
  const title = String(collection.name ?? '');
  const own = { title, overview: collection.overview ?? '', homepage: '' };
  return { id, translations: tmdbTranslationList(`collection:${id}`, own, (lang, rng) => ({ title: rng.chance(0.5) ? `${title} (${lang})` : '', overview: overviewFor(rng, 1), homepage: '' })) };
}

// ---------------------------------------------------------------------------------------------
// Searches beyond movies and shows

export function tmdbSearchCollections(query: string, page: number): JsonObject {
  const seed = `search:collection:${query.trim().toLowerCase()}`;
  return tmdbPaged(page, queryTotal(seed, query, 25), (i) => {
    const id = 1_000 + (hashString(`${seed}#${i}`) % 900_000);
    const rng = new Rng(`tmdb:collection:${id}`);
    const name = `${titleFor(rng)} Collection`;
    return { adult: false, backdrop_path: rng.imagePath(), id, name, original_language: 'en', original_name: name, overview: overviewFor(rng, 1), poster_path: rng.imagePath() };
  });
}

export function tmdbSearchCompanies(query: string, page: number): JsonObject {
  const seed = `search:company:${query.trim().toLowerCase()}`;
  return tmdbPaged(page, queryTotal(seed, query, 40), (i) => {
    const company = tmdbCompany(1 + (hashString(`${seed}#${i}`) % 200_000));
    return { id: company.id ?? 0, logo_path: company.logo_path ?? null, name: company.name ?? '', origin_country: company.origin_country ?? '' };
  });
}

export function tmdbSearchKeywords(query: string, page: number): JsonObject {
  const seed = `search:keyword:${query.trim().toLowerCase()}`;
  return tmdbPaged(page, queryTotal(seed, query, 90), (i) => tmdbKeyword(800 + (hashString(`${seed}#${i}`) % 300_000)));
}

/** `/search/multi`: movies, shows and people, each with its media_type. */
export function tmdbSearchMulti(query: string, page: number, resolve: DetailsResolver = generatedDetails): JsonObject {
  const seed = `search:multi:${query.trim().toLowerCase()}`;
  return tmdbPaged(page, queryTotal(seed, query, 200), (i) => {
    const h = hashString(`${seed}@${i}`);
    const id = listId(seed, i);
    if (h % 5 === 0) return tmdbPersonSummary(id, resolve, true);
    return summaryOf(resolve, h % 5 < 3 ? 'movie' : 'tv', id, true);
  });
}

// ---------------------------------------------------------------------------------------------
// Reference lists

const MOVIE_CERTIFICATIONS: Record<string, readonly [string, string][]> = {
  US: [['NR', 'No rating information.'], ['G', 'All ages admitted.'], ['PG', 'Some material may not be suitable for children.'], ['PG-13', 'Some material may be inappropriate for children under 13.'], ['R', 'Under 17 requires accompanying parent or adult guardian.'], ['NC-17', 'No one 17 and under admitted.']],
  GB: [['U', 'Universal: suitable for all.'], ['PG', 'Parental guidance.'], ['12A', 'Suitable for 12 years and over.'], ['15', 'Only those over 15 years are admitted.'], ['18', 'Only adults are admitted.']],
  DE: [['0', 'No age restriction.'], ['6', 'Children 6 or older admitted.'], ['12', 'Children 12 or older admitted.'], ['16', 'Children 16 or older admitted.'], ['18', 'No youth admitted.']],
  FR: [['TP', 'Valid for all audiences.'], ['12', 'Unsuitable for children younger than 12.'], ['16', 'Unsuitable for children younger than 16.'], ['18', 'Unsuitable for children younger than 18.']],
};
const TV_CERTIFICATIONS: Record<string, readonly [string, string][]> = {
  US: [['NR', 'No rating information.'], ['TV-Y', 'Appropriate for all children.'], ['TV-PG', 'Parental guidance suggested.'], ['TV-14', 'Parents strongly cautioned.'], ['TV-MA', 'For mature audiences only.']],
  GB: [['U', 'Suitable for all.'], ['PG', 'Parental guidance.'], ['12', 'Suitable for 12 years and over.'], ['15', 'Suitable for 15 years and over.'], ['18', 'Suitable only for adults.']],
  DE: [['0', 'Can be aired at any time.'], ['6', 'Can be aired at any time.'], ['12', 'Should be aired after 8 p.m.'], ['16', 'Should be aired after 10 p.m.'], ['18', 'Should be aired after 11 p.m.']],
  KR: [['ALL', 'Suitable for all ages.'], ['12', 'Not suitable for under 12.'], ['15', 'Not suitable for under 15.'], ['19', 'Only for adults 19 and over.']],
};

export function tmdbCertifications(kind: TmdbKind): JsonObject {
  const table = kind === 'movie' ? MOVIE_CERTIFICATIONS : TV_CERTIFICATIONS;
  const certifications: JsonObject = {};
  for (const [country, list] of Object.entries(table)) certifications[country] = list.map(([certification, meaning], order) => ({ certification, meaning, order }));
  return { certifications };
}

const COUNTRY_NAMES: readonly [string, string, string][] = [
  ['AT', 'Austria', 'Österreich'], ['AU', 'Australia', 'Australia'], ['BR', 'Brazil', 'Brasil'], ['CA', 'Canada', 'Canada'],
  ['DE', 'Germany', 'Deutschland'], ['ES', 'Spain', 'España'], ['FR', 'France', 'France'], ['GB', 'United Kingdom', 'United Kingdom'],
  ['IT', 'Italy', 'Italia'], ['JP', 'Japan', '日本'], ['KR', 'South Korea', '대한민국'], ['NL', 'Netherlands', 'Nederland'],
  ['US', 'United States of America', 'United States'],
];

export function tmdbConfigurationCountries(): JsonObject[] {
  return COUNTRY_NAMES.map(([iso, english, native]) => ({ iso_3166_1: iso, english_name: english, native_name: native }));
}

/** `/watch/providers/regions`: the countries with provider data. */
export function tmdbWatchProviderRegions(): JsonObject {
  const regions = new Set(PROVIDER_REGIONS);
  return { results: tmdbConfigurationCountries().filter((c) => regions.has(String(c.iso_3166_1))) };
}

export function tmdbConfigurationJobs(): JsonObject[] {
  const jobs: Record<string, string[]> = {
    Acting: ['Actor', 'Stunt Double', 'Voice'],
    Camera: ['Director of Photography', 'Camera Operator', 'Steadicam Operator'],
    Directing: ['Director', 'First Assistant Director', 'Script Supervisor'],
    Editing: ['Editor', 'Colorist'],
    Production: ['Producer', 'Executive Producer', 'Casting', 'Line Producer'],
    Sound: ['Original Music Composer', 'Sound Designer', 'Sound Mixer'],
    Writing: ['Writer', 'Screenplay', 'Novel', 'Story'],
  };
  return Object.entries(jobs).map(([department, list]) => ({ department, jobs: list }));
}

export function tmdbConfigurationLanguages(): JsonObject[] {
  return [...LANGUAGES.map((l) => ({ iso_639_1: l.iso_639_1, english_name: l.english_name, name: l.name })), { iso_639_1: 'xx', english_name: 'No Language', name: 'No Language' }];
}

export function tmdbPrimaryTranslations(): string[] {
  return ['de-DE', 'en-GB', 'en-US', 'es-ES', 'es-MX', 'fr-CA', 'fr-FR', 'it-IT', 'ja-JP', 'ko-KR', 'nl-NL', 'pt-BR', 'pt-PT'];
}

export function tmdbTimezones(): JsonObject[] {
  const zones: [string, string[]][] = [
    ['AU', ['Australia/Sydney', 'Australia/Perth']], ['BR', ['America/Sao_Paulo']], ['CA', ['America/Toronto', 'America/Vancouver']],
    ['DE', ['Europe/Berlin']], ['FR', ['Europe/Paris']], ['GB', ['Europe/London']], ['JP', ['Asia/Tokyo']], ['KR', ['Asia/Seoul']],
    ['US', ['America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles']],
  ];
  return zones.map(([iso, list]) => ({ iso_3166_1: iso, zones: list }));
}
