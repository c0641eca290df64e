/**
 * TMDB v3 people: `/person/{id}` and its sub-resources, and person results for search, trending
 * and `/person/popular`. Seeded from the person id; the titles a person is credited in come from
 * the details resolver (so fixture movies show up as themselves).
 */
import { type JsonObject, Rng, hashString, overviewFor, pastDate, personName } from './generate-common.ts';
import {
  CHARACTER_NAMES,
  DEPARTMENTS,
  type DetailsResolver,
  LANGUAGES,
  type TmdbKind,
  generatedDetails,
  listId,
  posterOrNull,
  summaryOf,
  tmdbMovieSummary,
  tmdbPaged,
  tmdbTvSummary,
} from './generate-tmdb.ts';

const PLACES = ['Lyon, France', 'Osaka, Japan', 'Toronto, Ontario, Canada', 'Austin, Texas, USA', 'Leeds, England, UK', 'Hamburg, Germany', 'Seville, Spain', 'Busan, South Korea'];
const KNOWN_FOR = ['Acting', 'Acting', 'Acting', 'Directing', 'Writing', 'Production'];

function roleWord(department: string, gender: number): string {
  if (department === 'Acting') return gender === 1 ? 'actress' : 'actor';
  return department === 'Directing' ? 'director' : department === 'Writing' ? 'screenwriter' : 'producer';
}

export function tmdbPersonDetails(id: number): JsonObject {
  const rng = new Rng(`tmdb:person:${id}`);
  const name = personName(rng);
  const gender = rng.int(1, 2);
  const department = rng.pick(KNOWN_FOR);
  const birthday = pastDate(rng, 1935, 2002);
  const place = rng.pick(PLACES);
  const deathday = rng.chance(0.08) ? pastDate(rng, 2005, 2020) : null;
  return {
    adult: false,
    also_known_as: rng.chance(0.5) ? [personName(rng)] : [],
    biography: `${name} is a ${roleWord(department, gender)} from ${place}. ${overviewFor(rng, 1)}`,
    birthday,
    deathday,
    gender,
    homepage: rng.chance(0.3) ? `https://www.example.com/people/${id}` : null,
    id,
    imdb_id: `nm${String(1_000_000 + (hashString(`nm:${id}`) % 9_000_000))}`,
    known_for_department: department,
    name,
    place_of_birth: place,
    popularity: rng.float(0.5, 90, 3),
    profile_path: posterOrNull(rng, 0.85),
  };
}

/** A person as search, trending and popular lists show them. */
export function tmdbPersonSummary(id: number, resolve: DetailsResolver = generatedDetails, mediaType = false): JsonObject {
  const details = tmdbPersonDetails(id);
  const knownFor = Array.from({ length: 3 }, (_, i) => {
    const kind: TmdbKind = hashString(`known:${id}:${i}`) % 3 === 0 ? 'tv' : 'movie';
    return summaryOf(resolve, kind, listId(`known-for:${id}`, i), true);
  });
  return {
    adult: false,
    gender: details.gender ?? 0,
    id,
    known_for_department: details.known_for_department ?? 'Acting',
    ...(mediaType ? { media_type: 'person' } : {}),
    name: details.name ?? '',
    original_name: details.name ?? '',
    popularity: details.popularity ?? 0,
    profile_path: details.profile_path ?? null,
    known_for: knownFor,
  };
}

interface Credited {
  cast: JsonObject[];
  crew: JsonObject[];
}

function credited(kind: TmdbKind, id: number, resolve: DetailsResolver): Credited {
  const rng = new Rng(`tmdb:person-${kind}:${id}`);
  const summary = (role: string, i: number) => {
    const details = resolve(kind, listId(`person-${role}-${kind}:${id}`, i));
    return kind === 'movie' ? tmdbMovieSummary(details) : tmdbTvSummary(details);
  };
  const extra = (): JsonObject => (kind === 'tv' ? { episode_count: rng.int(1, 60) } : {});
  const cast = Array.from({ length: rng.int(2, 10) }, (_, i): JsonObject => ({
    ...summary('cast', i),
    character: rng.pick(CHARACTER_NAMES),
    credit_id: rng.hex(24),
    ...(kind === 'movie' ? { order: rng.int(0, 20) } : extra()),
  }));
  const crew = Array.from({ length: rng.int(0, 4) }, (_, i): JsonObject => {
    const [department, job] = rng.pick(DEPARTMENTS);
    return { ...summary('crew', i), credit_id: rng.hex(24), department, ...extra(), job };
  });
  return { cast, crew };
}

export function tmdbPersonMovieCredits(id: number, resolve: DetailsResolver = generatedDetails): JsonObject {
  return { ...credited('movie', id, resolve), id };
}

export function tmdbPersonTvCredits(id: number, resolve: DetailsResolver = generatedDetails): JsonObject {
  return { ...credited('tv', id, resolve), id };
}

/** Movie and TV credits together, each tagged with its media_type (they agree with the two above). */
export function tmdbPersonCombinedCredits(id: number, resolve: DetailsResolver = generatedDetails): JsonObject {
  const movie = credited('movie', id, resolve);
  const tv = credited('tv', id, resolve);
  const tag = (list: JsonObject[], mediaType: TmdbKind) => list.map((c) => ({ ...c, media_type: mediaType }));
  return { cast: [...tag(movie.cast, 'movie'), ...tag(tv.cast, 'tv')], crew: [...tag(movie.crew, 'movie'), ...tag(tv.crew, 'tv')], id };
}

function profile(rng: Rng): JsonObject {
  const width = rng.pick([400, 653, 1000, 1400]);
  return { aspect_ratio: 0.667, height: Math.round(width * 1.5), iso_639_1: null, file_path: rng.imagePath(), vote_average: rng.float(5, 6, 3), vote_count: rng.int(0, 90), width };
}

export function tmdbPersonImages(id: number): JsonObject {
  const rng = new Rng(`tmdb:person-images:${id}`);
  return { id, profiles: Array.from({ length: rng.int(1, 8) }, () => profile(rng)) };
}

export function tmdbPersonExternalIds(id: number): JsonObject {
  const details = tmdbPersonDetails(id);
  const rng = new Rng(`tmdb:person-ext:${id}`);
  const handle = String(details.name ?? '').toLowerCase().replace(/[^a-z]+/g, '');
  const maybe = (p: number) => (rng.chance(p) ? handle : null);
  return {
    id,
    freebase_mid: rng.chance(0.5) ? `/m/0${rng.token(5, '0123456789abcdefghijklmnopqrstuvwxyz')}` : null,
    freebase_id: null,
    imdb_id: details.imdb_id ?? null,
    tvrage_id: rng.chance(0.3) ? rng.int(1_000, 90_000) : null,
    wikidata_id: `Q${rng.int(1_000, 90_000_000)}`,
    facebook_id: maybe(0.4),
    instagram_id: maybe(0.6),
    tiktok_id: maybe(0.2),
    twitter_id: maybe(0.5),
    youtube_id: null,
  };
}

/** TMDB translation entries: en-US carries the record's own text, others a translated variant. */
export function tmdbTranslationList(seed: string, own: JsonObject, other: (lang: string, rng: Rng) => JsonObject): JsonObject[] {
  const rng = new Rng(`tmdb:translations:${seed}`);
  const others = rng.sample(LANGUAGES.slice(1), rng.int(1, LANGUAGES.length - 1));
  const country: Record<string, string> = { en: 'US', de: 'DE', fr: 'FR', ja: 'JP', ko: 'KR', es: 'ES' };
  const entry = (lang: { iso_639_1: string; name: string; english_name: string }, data: JsonObject): JsonObject =>
    ({ iso_3166_1: country[lang.iso_639_1] ?? 'US', iso_639_1: lang.iso_639_1, name: lang.name, english_name: lang.english_name, data });
  const english = LANGUAGES[0];
  return [...(english === undefined ? [] : [entry(english, own)]), ...others.map((lang) => entry(lang, other(lang.iso_639_1, rng)))];
}

export function tmdbPersonTranslations(id: number): JsonObject {
  const details = tmdbPersonDetails(id);
  const name = String(details.name ?? '');
  return {
    id,
    translations: tmdbTranslationList(`person:${id}`, { biography: details.biography ?? '', name }, (lang, rng) => ({ biography: overviewFor(rng, 1), name: lang === 'ja' || lang === 'ko' ? `${name} (${lang})` : name })),
  };
}

/** `/person/{id}/tagged_images`: images of titles the person is tagged in, 20 a page. */
export function tmdbPersonTaggedImages(id: number, page: number, resolve: DetailsResolver = generatedDetails): JsonObject {
  const total = new Rng(`tmdb:tagged-count:${id}`).int(0, 45);
  const paged = tmdbPaged(page, total, (i) => {
    const rng = new Rng(`tmdb:tagged:${id}:${i}`);
    const poster = rng.chance(0.5);
    const width = poster ? 1000 : 1920;
    return {
      aspect_ratio: poster ? 0.667 : 1.778,
      file_path: rng.imagePath(),
      height: poster ? 1500 : 1080,
      id: rng.hex(24),
      iso_639_1: poster ? 'en' : null,
      vote_average: rng.float(5, 6, 3),
      vote_count: rng.int(0, 12),
      width,
      image_type: poster ? 'poster' : 'backdrop',
      media: summaryOf(resolve, 'movie', listId(`tagged:${id}`, i), true),
      media_type: 'movie',
    };
  });
  return { id, ...paged };
}

/** `/person/popular` (500 pages), `/search/person` (seeded from the query) and trending people. */
export function tmdbPeopleList(seed: string, page: number, total: number, resolve: DetailsResolver = generatedDetails, mediaType = false): JsonObject {
  return tmdbPaged(page, total, (i) => tmdbPersonSummary(listId(`people:${seed}`, i), resolve, mediaType));
}

export function tmdbSearchPeople(query: string, page: number, resolve: DetailsResolver = generatedDetails): JsonObject {
  const seed = `search:person:${query.trim().toLowerCase()}`;
  const total = query.toLowerCase().includes('zzz') ? 0 : 1 + (hashString(seed) % 60);
  return tmdbPeopleList(seed, page, total, resolve);
}

/** `/person/latest`: the newest person, as sparse as real new entries are. */
export function tmdbLatestPerson(nowMs: number): JsonObject {
  const id = 4_000_000 + (Math.floor(nowMs / 86_400_000) % 900_000);
  const details = tmdbPersonDetails(id);
  return { ...details, also_known_as: [], biography: '', birthday: null, deathday: null, homepage: null, known_for_department: null, place_of_birth: null, popularity: 0, profile_path: null, imdb_id: null, gender: 0 };
}

