/**
 * Deterministic TMDB v3 bodies shaped like the recorded responses. Every generator is seeded from
 * the id (or query), so the same input always yields the same bytes. The one exception is the
 * unsettled show (tv UNSETTLED_ID) whose season 1 air dates are relative to `nowMs`.
 */
import {
  type Json,
  type JsonObject,
  Rng,
  type SeasonPlan,
  UNSETTLED_ID,
  addDays,
  daysFrom,
  episodeTitle,
  hashString,
  overviewFor,
  pastDate,
  personName,
  taglineFor,
  titleFor,
  unsettledSeason,
} from './generate-common.ts';

export type TmdbKind = 'movie' | 'tv';

export const TMDB_MOVIE_GENRES: readonly JsonObject[] = [
  { id: 28, name: 'Action' }, { id: 12, name: 'Adventure' }, { id: 16, name: 'Animation' },
  { id: 35, name: 'Comedy' }, { id: 80, name: 'Crime' }, { id: 99, name: 'Documentary' },
  { id: 18, name: 'Drama' }, { id: 10751, name: 'Family' }, { id: 14, name: 'Fantasy' },
  { id: 36, name: 'History' }, { id: 27, name: 'Horror' }, { id: 10402, name: 'Music' },
  { id: 9648, name: 'Mystery' }, { id: 10749, name: 'Romance' }, { id: 878, name: 'Science Fiction' },
  { id: 10770, name: 'TV Movie' }, { id: 53, name: 'Thriller' }, { id: 10752, name: 'War' },
  { id: 37, name: 'Western' },
];
export const TMDB_TV_GENRES: readonly JsonObject[] = [
  { id: 10759, name: 'Action & Adventure' }, { id: 16, name: 'Animation' }, { id: 35, name: 'Comedy' },
  { id: 80, name: 'Crime' }, { id: 99, name: 'Documentary' }, { id: 18, name: 'Drama' },
  { id: 10751, name: 'Family' }, { id: 10762, name: 'Kids' }, { id: 9648, name: 'Mystery' },
  { id: 10763, name: 'News' }, { id: 10764, name: 'Reality' }, { id: 10765, name: 'Sci-Fi & Fantasy' },
  { id: 10766, name: 'Soap' }, { id: 10767, name: 'Talk' }, { id: 10768, name: 'War & Politics' },
  { id: 37, name: 'Western' },
];

/** Shared with the other generate-tmdb-*.ts modules (as are the helpers exported below). */
export const COUNTRIES = [
  { iso_3166_1: 'US', name: 'United States of America' }, { iso_3166_1: 'GB', name: 'United Kingdom' },
  { iso_3166_1: 'DE', name: 'Germany' }, { iso_3166_1: 'FR', name: 'France' },
  { iso_3166_1: 'JP', name: 'Japan' }, { iso_3166_1: 'KR', name: 'South Korea' },
  { iso_3166_1: 'ES', name: 'Spain' }, { iso_3166_1: 'CA', name: 'Canada' },
] as const;
export const LANGUAGES = [
  { english_name: 'English', iso_639_1: 'en', name: 'English' },
  { english_name: 'German', iso_639_1: 'de', name: 'Deutsch' },
  { english_name: 'French', iso_639_1: 'fr', name: 'Français' },
  { english_name: 'Japanese', iso_639_1: 'ja', name: '日本語' },
  { english_name: 'Korean', iso_639_1: 'ko', name: '한국어/조선말' },
  { english_name: 'Spanish', iso_639_1: 'es', name: 'Español' },
] as const;
export const COMPANY_SUFFIXES = ['Pictures', 'Films', 'Studios', 'Entertainment', 'Media', 'Productions'];
export const NETWORK_NAMES = ['Northlight', 'Channel Nine', 'Meridian TV', 'Bluewave', 'Signal One', 'Harbor+'];
export const DEPARTMENTS = [
  ['Directing', 'Director'], ['Writing', 'Writer'], ['Writing', 'Screenplay'], ['Production', 'Producer'],
  ['Camera', 'Director of Photography'], ['Editing', 'Editor'], ['Sound', 'Original Music Composer'],
] as const;
export const CHARACTER_NAMES = ['The Captain', 'Detective Hale', 'Mara', 'The Stranger', 'Dr. Voss', 'Eli', 'Nora', 'Mayor Quint'];
export const VIDEO_TYPES = ['Trailer', 'Teaser', 'Featurette', 'Clip', 'Behind the Scenes'];
const CERTIFICATIONS: Record<string, readonly string[]> = {
  US: ['PG', 'PG-13', 'R'], DE: ['6', '12', '16'], GB: ['12A', '15', '18'], FR: ['U', '12', '16'],
};
export const PER_PAGE = 20;
export const MAX_PAGES = 500;

export function posterOrNull(rng: Rng, p = 0.92): string | null {
  return rng.chance(p) ? rng.imagePath() : null;
}

export function imdbIdFor(kind: string, id: number): string {
  return `tt${String(1_000_000 + (hashString(`${kind}:${id}`) % 9_000_000))}`;
}

function companies(rng: Rng, count: number): JsonObject[] {
  return Array.from({ length: count }, () => ({
    id: rng.int(1, 200_000),
    logo_path: rng.chance(0.7) ? rng.imagePath('png') : null,
    name: `${titleFor(rng).replace(/^The /, '').split(' ')[0]} ${rng.pick(COMPANY_SUFFIXES)}`,
    origin_country: rng.pick(COUNTRIES).iso_3166_1,
  }));
}

function genreIds(rng: Rng, kind: TmdbKind): number[] {
  const pool = kind === 'movie' ? TMDB_MOVIE_GENRES : TMDB_TV_GENRES;
  return rng.sample(pool, rng.int(1, 3)).map((g) => g.id as number);
}

// ---------------------------------------------------------------------------------------------
// Movies

export function tmdbMovieDetails(id: number): JsonObject {
  const rng = new Rng(`tmdb:movie:${id}`);
  const title = titleFor(rng);
  const country = rng.pick(COUNTRIES);
  const language = rng.pick(LANGUAGES);
  const budget = rng.chance(0.8) ? rng.int(1, 250) * 1_000_000 : 0;
  return {
    adult: false,
    backdrop_path: posterOrNull(rng),
    belongs_to_collection: rng.chance(0.2)
      ? { id: 10_000 + (id % 90_000), name: `${title} Collection`, poster_path: rng.imagePath(), backdrop_path: rng.imagePath() }
      : null,
    budget,
    genres: rng.sample(TMDB_MOVIE_GENRES, rng.int(1, 3)),
    homepage: rng.chance(0.6) ? `https://www.example.com/movies/${id}` : '',
    id,
    imdb_id: imdbIdFor('movie', id),
    origin_country: [country.iso_3166_1],
    original_language: language.iso_639_1,
    original_title: title,
    overview: overviewFor(rng, 2),
    popularity: rng.float(0.5, 120, 3),
    poster_path: posterOrNull(rng, 0.97),
    production_companies: companies(rng, rng.int(1, 4)),
    production_countries: [{ ...country }],
    release_date: pastDate(rng),
    revenue: budget > 0 ? Math.round(budget * rng.float(0.3, 6, 2)) : 0,
    runtime: rng.int(78, 170),
    spoken_languages: [{ ...language }],
    status: 'Released',
    tagline: taglineFor(rng),
    title,
    video: false,
    vote_average: rng.float(4, 8.9, 3),
    vote_count: rng.int(3, 30_000),
  };
}

/** A search/list result item derived from a movie details body (fixture or generated). */
export function tmdbMovieSummary(details: JsonObject, mediaType = false): JsonObject {
  const genres = Array.isArray(details.genres) ? details.genres : [];
  return {
    adult: details.adult ?? false,
    backdrop_path: details.backdrop_path ?? null,
    genre_ids: genres.map((g) => (g !== null && typeof g === 'object' && !Array.isArray(g) ? (g.id ?? 0) : 0)),
    id: details.id ?? 0,
    ...(mediaType ? { media_type: 'movie' } : {}),
    original_language: details.original_language ?? 'en',
    original_title: details.original_title ?? '',
    overview: details.overview ?? '',
    popularity: details.popularity ?? 0,
    poster_path: details.poster_path ?? null,
    release_date: details.release_date ?? '',
    title: details.title ?? '',
    video: false,
    vote_average: details.vote_average ?? 0,
    vote_count: details.vote_count ?? 0,
  };
}

// ---------------------------------------------------------------------------------------------
// TV shows: a plan shared by details, seasons and episodes so they agree with each other

interface TvPlan {
  id: number;
  firstAirDate: string;
  seasons: SeasonPlan[];
  ended: boolean;
}

function tvPlan(id: number, nowMs: number): TvPlan {
  if (id === UNSETTLED_ID) {
    const season = unsettledSeason(nowMs);
    return { id, firstAirDate: season.airDates[0] ?? daysFrom(nowMs, -52), seasons: [season], ended: false };
  }
  const rng = new Rng(`tmdb:tvplan:${id}`);
  const firstAirDate = pastDate(rng, 1990, 2014);
  const seasons: SeasonPlan[] = [];
  if (rng.chance(0.35)) {
    const count = rng.int(1, 4);
    seasons.push({ number: 0, airDates: Array.from({ length: count }, (_, i) => addDays(firstAirDate, 90 + i * 200)), forcedNames: {} });
  }
  const seasonCount = rng.int(1, 6);
  for (let n = 1; n <= seasonCount; n++) {
    const start = addDays(firstAirDate, 365 * (n - 1));
    const count = rng.int(6, 13);
    seasons.push({ number: n, airDates: Array.from({ length: count }, (_, i) => addDays(start, i * 7)), forcedNames: {} });
  }
  return { id, firstAirDate, seasons, ended: rng.chance(0.6) };
}

function episodeBase(plan: TvPlan, season: SeasonPlan, index: number, nowMs: number): JsonObject {
  const k = index + 1;
  const rng = new Rng(`tmdb:ep:${plan.id}:${season.number}:${k}`);
  const airDate = season.airDates[index] ?? null;
  const aired = airDate !== null && Date.parse(`${airDate}T00:00:00Z`) <= nowMs;
  const isLast = k === season.airDates.length;
  const name = season.forcedNames[k] ?? episodeTitle(rng);
  const overview = overviewFor(rng, 1);
  const stillPath = rng.imagePath();
  const vote = rng.float(5.5, 9.5, 3);
  const votes = rng.int(2, 900);
  const runtime = rng.int(22, 62);
  return {
    air_date: airDate,
    episode_number: k,
    episode_type: isLast && season.number > 0 && plan.ended ? 'finale' : 'standard',
    id: 1_000_000 + (hashString(`tmdb:epid:${plan.id}:${season.number}:${k}`) % 8_000_000),
    name,
    overview: aired ? overview : '',
    production_code: '',
    runtime: aired ? runtime : null,
    season_number: season.number,
    show_id: plan.id,
    still_path: aired ? stillPath : null,
    vote_average: aired ? vote : 0,
    vote_count: aired ? votes : 0,
  };
}

export function crewMember(rng: Rng): JsonObject {
  const [department, job] = rng.pick(DEPARTMENTS);
  const name = personName(rng);
  return {
    department,
    job,
    credit_id: rng.hex(24),
    adult: false,
    gender: rng.int(1, 2),
    id: rng.int(1_000, 4_000_000),
    known_for_department: department,
    name,
    original_name: name,
    popularity: rng.float(0.2, 20, 4),
    profile_path: posterOrNull(rng, 0.6),
  };
}

export function castMember(rng: Rng, order: number, withCastId: boolean): JsonObject {
  const name = personName(rng);
  return {
    adult: false,
    gender: rng.int(1, 2),
    id: rng.int(1_000, 4_000_000),
    known_for_department: 'Acting',
    name,
    original_name: name,
    popularity: rng.float(0.2, 40, 4),
    profile_path: posterOrNull(rng, 0.8),
    ...(withCastId ? { cast_id: order + 1 } : {}),
    character: rng.pick(CHARACTER_NAMES),
    credit_id: rng.hex(24),
    order,
  };
}

function fullEpisode(plan: TvPlan, season: SeasonPlan, index: number, nowMs: number): JsonObject {
  const base = episodeBase(plan, season, index, nowMs);
  const rng = new Rng(`tmdb:epcredits:${plan.id}:${season.number}:${index + 1}`);
  const crew = Array.from({ length: rng.int(2, 4) }, () => crewMember(rng));
  const guests = Array.from({ length: rng.int(1, 4) }, (_, i) => castMember(rng, i + 5, false));
  return { ...base, crew, guest_stars: guests };
}

function seasonSummary(plan: TvPlan, season: SeasonPlan): JsonObject {
  const rng = new Rng(`tmdb:season:${plan.id}:${season.number}`);
  return {
    air_date: season.airDates[0] ?? null,
    episode_count: season.airDates.length,
    id: 100_000 + (hashString(`tmdb:seasonid:${plan.id}:${season.number}`) % 3_000_000),
    name: season.number === 0 ? 'Specials' : `Season ${season.number}`,
    overview: season.number === 0 ? '' : overviewFor(rng, 1),
    poster_path: rng.imagePath(),
    season_number: season.number,
    vote_average: rng.float(5, 9, 1),
  };
}

export function networks(id: number): JsonObject[] {
  const rng = new Rng(`tmdb:network:${id}`);
  return [{ id: rng.int(1, 9_000), logo_path: rng.imagePath('png'), name: rng.pick(NETWORK_NAMES), origin_country: 'US' }];
}

function lastAndNext(plan: TvPlan, nowMs: number): { last: JsonObject | null; next: JsonObject | null } {
  let last: JsonObject | null = null;
  let next: JsonObject | null = null;
  for (const season of plan.seasons) {
    if (season.number === 0) continue;
    for (let i = 0; i < season.airDates.length; i++) {
      const date = season.airDates[i] ?? null;
      const aired = date !== null && Date.parse(`${date}T00:00:00Z`) <= nowMs;
      if (aired) last = episodeBase(plan, season, i, nowMs);
      else if (next === null) next = episodeBase(plan, season, i, nowMs);
    }
  }
  return { last, next };
}

export function tmdbTvDetails(id: number, nowMs: number = Date.now()): JsonObject {
  const plan = tvPlan(id, nowMs);
  const rng = new Rng(`tmdb:tv:${id}`);
  const name = titleFor(rng);
  const language = rng.pick(LANGUAGES);
  const country = rng.pick(COUNTRIES);
  const regular = plan.seasons.filter((s) => s.number > 0);
  const { last, next } = lastAndNext(plan, nowMs);
  const lastAir = last?.air_date ?? null;
  const creator = personName(rng);
  return {
    adult: false,
    backdrop_path: posterOrNull(rng),
    created_by: [{ id: rng.int(1_000, 4_000_000), credit_id: rng.hex(24), name: creator, original_name: creator, gender: rng.int(1, 2), profile_path: posterOrNull(rng, 0.7) }],
    episode_run_time: [rng.int(22, 60)],
    first_air_date: plan.firstAirDate,
    genres: rng.sample(TMDB_TV_GENRES, rng.int(1, 3)),
    homepage: rng.chance(0.6) ? `https://www.example.com/shows/${id}` : '',
    id,
    in_production: !plan.ended,
    languages: [language.iso_639_1],
    last_air_date: lastAir,
    last_episode_to_air: last,
    name,
    networks: networks(id),
    next_episode_to_air: next,
    number_of_episodes: regular.reduce((sum, s) => sum + s.airDates.length, 0),
    number_of_seasons: regular.length,
    origin_country: [country.iso_3166_1],
    original_language: language.iso_639_1,
    original_name: name,
    overview: overviewFor(rng, 2),
    popularity: rng.float(1, 400, 3),
    poster_path: posterOrNull(rng, 0.97),
    production_companies: companies(rng, rng.int(1, 3)),
    production_countries: [{ ...country }],
    seasons: plan.seasons.map((s) => seasonSummary(plan, s)),
    spoken_languages: [{ ...language }],
    status: plan.ended ? 'Ended' : 'Returning Series',
    tagline: taglineFor(rng),
    type: 'Scripted',
    vote_average: rng.float(5, 9.2, 3),
    vote_count: rng.int(5, 25_000),
  };
}

export function tmdbTvSummary(details: JsonObject, mediaType = false): JsonObject {
  const genres = Array.isArray(details.genres) ? details.genres : [];
  return {
    adult: details.adult ?? false,
    backdrop_path: details.backdrop_path ?? null,
    genre_ids: genres.map((g) => (g !== null && typeof g === 'object' && !Array.isArray(g) ? (g.id ?? 0) : 0)),
    id: details.id ?? 0,
    ...(mediaType ? { media_type: 'tv' } : {}),
    origin_country: details.origin_country ?? [],
    original_language: details.original_language ?? 'en',
    original_name: details.original_name ?? '',
    overview: details.overview ?? '',
    popularity: details.popularity ?? 0,
    poster_path: details.poster_path ?? null,
    first_air_date: details.first_air_date ?? '',
    name: details.name ?? '',
    vote_average: details.vote_average ?? 0,
    vote_count: details.vote_count ?? 0,
  };
}

/** Describes a season the plan does not know (e.g. one listed by a fixture show). */
export interface SeasonHint {
  episodeCount: number;
  airDate: string | null;
}

function findSeason(plan: TvPlan, seasonNumber: number, hint?: SeasonHint): SeasonPlan | undefined {
  if (hint === undefined) return plan.seasons.find((s) => s.number === seasonNumber);
  const { airDate } = hint;
  const airDates = Array.from({ length: hint.episodeCount }, (_, i) => (airDate === null ? null : addDays(airDate, i * 7)));
  return { number: seasonNumber, airDates, forcedNames: {} };
}

/** `/tv/{id}/season/{n}`; null when the show has no such season. */
export function tmdbTvSeason(tvId: number, seasonNumber: number, nowMs: number = Date.now(), hint?: SeasonHint): JsonObject | null {
  const plan = tvPlan(tvId, nowMs);
  const season = findSeason(plan, seasonNumber, hint);
  if (season === undefined) return null;
  const summary = seasonSummary(plan, season);
  return {
    _id: new Rng(`tmdb:season_id:${tvId}:${seasonNumber}`).hex(24),
    air_date: summary.air_date ?? null,
    episodes: season.airDates.map((_, i) => fullEpisode(plan, season, i, nowMs)),
    id: summary.id ?? 0,
    name: summary.name ?? '',
    networks: networks(tvId),
    overview: summary.overview ?? '',
    poster_path: summary.poster_path ?? null,
    season_number: seasonNumber,
    vote_average: summary.vote_average ?? 0,
  };
}

/** `/tv/{id}/season/{n}/episode/{m}`; null when there is no such episode. */
export function tmdbTvEpisode(tvId: number, seasonNumber: number, episodeNumber: number, nowMs: number = Date.now(), hint?: SeasonHint): JsonObject | null {
  const plan = tvPlan(tvId, nowMs);
  const season = findSeason(plan, seasonNumber, hint);
  if (season === undefined || episodeNumber < 1 || episodeNumber > season.airDates.length) return null;
  const { show_id: _showId, ...episode } = fullEpisode(plan, season, episodeNumber - 1, nowMs);
  return episode;
}

// ---------------------------------------------------------------------------------------------
// Sub-resources (usable standalone or via append_to_response)

export function tmdbImages(kind: TmdbKind, id: number): JsonObject {
  const rng = new Rng(`tmdb:images:${kind}:${id}`);
  const image = (ratio: number, width: number, lang: () => string | null, ext: 'jpg' | 'png'): JsonObject => ({
    aspect_ratio: ratio,
    height: Math.round(width / ratio),
    iso_639_1: lang(),
    file_path: rng.imagePath(ext),
    vote_average: rng.chance(0.6) ? rng.float(5, 6, 3) : 0,
    vote_count: rng.int(0, 40),
    width,
  });
  const posterLang = () => (rng.chance(0.6) ? 'en' : rng.pick(['de', 'fr', 'es', 'ja', null]));
  const backdropLang = () => (rng.chance(0.7) ? null : 'en');
  return {
    backdrops: Array.from({ length: rng.int(10, 30) }, () => image(1.778, rng.pick([1280, 1920, 3840]), backdropLang, 'jpg')),
    id,
    logos: Array.from({ length: rng.int(2, 10) }, () => image(rng.float(1.5, 6, 3), rng.pick([500, 1000, 1800]), posterLang, 'png')),
    posters: Array.from({ length: rng.int(15, 45) }, () => image(0.667, rng.pick([500, 1000, 2000]), posterLang, 'jpg')),
  };
}

export function tmdbCredits(kind: TmdbKind, id: number): JsonObject {
  const rng = new Rng(`tmdb:credits:${kind}:${id}`);
  return {
    id,
    cast: Array.from({ length: rng.int(8, 20) }, (_, i) => castMember(rng, i, kind === 'movie')),
    crew: Array.from({ length: rng.int(5, 12) }, () => crewMember(rng)),
  };
}

export function tmdbVideos(kind: TmdbKind, id: number): JsonObject {
  return tmdbVideoList(`tmdb:videos:${kind}:${id}`, id);
}

/** `{id, results: [video]}` seeded from `seed` (seasons and episodes have videos too). */
export function tmdbVideoList(seed: string, id: number): JsonObject {
  const rng = new Rng(seed);
  return {
    id,
    results: Array.from({ length: rng.int(1, 5) }, () => ({
      iso_639_1: 'en',
      iso_3166_1: 'US',
      name: `${rng.pick(VIDEO_TYPES)} ${rng.int(1, 3)}`,
      key: rng.token(11),
      site: 'YouTube',
      size: rng.pick([720, 1080, 2160]),
      type: rng.pick(VIDEO_TYPES),
      official: rng.chance(0.8),
      published_at: `${pastDate(rng, 2005, 2021)}T${String(rng.int(0, 23)).padStart(2, '0')}:00:00.000Z`,
      id: rng.hex(24),
    })),
  };
}

export const KEYWORDS = ['based on novel or book', 'heist', 'small town', 'time travel', 'coming of age', 'lighthouse', 'revenge', 'road trip', 'space station', 'conspiracy'];

export function tmdbKeywords(kind: TmdbKind, id: number): JsonObject {
  const rng = new Rng(`tmdb:keywords:${kind}:${id}`);
  const list = rng.sample(KEYWORDS, rng.int(2, 6)).map((name) => ({ id: 800 + hashString(name) % 300_000, name }));
  return kind === 'movie' ? { id, keywords: list } : { id, results: list };
}

export function tmdbAlternativeTitles(kind: TmdbKind, id: number): JsonObject {
  const rng = new Rng(`tmdb:alt:${kind}:${id}`);
  const titles = Array.from({ length: rng.int(1, 6) }, () => ({ iso_3166_1: rng.pick(COUNTRIES).iso_3166_1, title: titleFor(rng), type: rng.pick(['', '', 'working title']) }));
  return kind === 'movie' ? { id, titles } : { id, results: titles };
}

export function tmdbExternalIds(kind: TmdbKind, id: number): JsonObject {
  const rng = new Rng(`tmdb:ext:${kind}:${id}`);
  const social = { facebook_id: rng.chance(0.5) ? `Show${id}` : null, instagram_id: null, twitter_id: null };
  if (kind === 'movie') return { id, imdb_id: imdbIdFor('movie', id), wikidata_id: `Q${rng.int(1_000, 90_000_000)}`, ...social };
  return {
    id,
    imdb_id: imdbIdFor('tv', id),
    freebase_mid: null,
    freebase_id: null,
    tvdb_id: 70_000 + (hashString(`tvdb-of:${id}`) % 400_000),
    tvrage_id: null,
    wikidata_id: `Q${rng.int(1_000, 90_000_000)}`,
    ...social,
  };
}

export function tmdbReleaseDates(id: number): JsonObject {
  const rng = new Rng(`tmdb:release:${id}`);
  const date = tmdbMovieDetails(id).release_date;
  return {
    id,
    results: rng.sample(Object.keys(CERTIFICATIONS), rng.int(1, 4)).map((country) => ({
      iso_3166_1: country,
      release_dates: [{
        certification: rng.pick(CERTIFICATIONS[country] ?? ['']),
        descriptors: [],
        iso_639_1: '',
        note: '',
        release_date: `${typeof date === 'string' ? date : '2000-01-01'}T00:00:00.000Z`,
        type: 3,
      }],
    })),
  };
}

export function tmdbContentRatings(id: number): JsonObject {
  const rng = new Rng(`tmdb:ratings:${id}`);
  const ratings: Record<string, readonly string[]> = { US: ['TV-14', 'TV-MA', 'TV-PG'], DE: ['12', '16'], GB: ['15', '18'], BR: ['14', '16'] };
  return {
    results: rng.sample(Object.keys(ratings), rng.int(1, 4)).map((c) => ({ descriptors: [], iso_3166_1: c, rating: rng.pick(ratings[c] ?? ['']) })),
    id,
  };
}

/** Resolves an id to its details body; the fake passes one that prefers fixtures. */
export type DetailsResolver = (kind: TmdbKind, id: number) => JsonObject;
export const generatedDetails: DetailsResolver = (kind, id) => (kind === 'movie' ? tmdbMovieDetails(id) : tmdbTvDetails(id));

export function summaryOf(resolve: DetailsResolver, kind: TmdbKind, id: number, mediaType: boolean): JsonObject {
  const details = resolve(kind, id);
  return kind === 'movie' ? tmdbMovieSummary(details, mediaType) : tmdbTvSummary(details, mediaType);
}

/** `/{kind}/{id}/recommendations` (the fake serves `similar` as the recommendations of id + 1). */
export function tmdbRecommendations(kind: TmdbKind, id: number, resolve: DetailsResolver = generatedDetails, page = 1): JsonObject {
  return tmdbPagedList(`recommendations:${kind}:${id}`, page, 40, resolve, () => kind);
}

// ---------------------------------------------------------------------------------------------
// Paged lists

export function listId(seed: string, index: number): number {
  return 100 + (hashString(`${seed}#${index}`) % 1_500_000);
}

/** `{page, results, total_pages, total_results}` of any items; pages past the end have no results. */
export function tmdbPaged(page: number, totalResults: number, item: (index: number) => JsonObject, perPage = PER_PAGE): JsonObject {
  const totalPages = Math.min(MAX_PAGES, Math.ceil(totalResults / perPage));
  const results: JsonObject[] = [];
  if (page <= totalPages) for (let i = (page - 1) * perPage; i < Math.min(totalResults, page * perPage); i++) results.push(item(i));
  return { page, results, total_pages: totalPages, total_results: totalResults };
}

/** `{page, results, total_pages, total_results}`; pages past the end are 200 with no results. */
export function tmdbPagedList(
  seed: string,
  page: number,
  totalResults: number,
  resolve: DetailsResolver = generatedDetails,
  kindOf: (index: number) => TmdbKind | 'mixed' = () => 'movie',
): JsonObject {
  const totalPages = Math.min(MAX_PAGES, Math.ceil(totalResults / PER_PAGE));
  const results: JsonObject[] = [];
  if (page <= totalPages) {
    const from = (page - 1) * PER_PAGE;
    const to = Math.min(totalResults, from + PER_PAGE);
    for (let i = from; i < to; i++) {
      const k = kindOf(i);
      const mixed = k === 'mixed';
      const kind: TmdbKind = mixed ? (hashString(`${seed}@${i}`) % 3 === 0 ? 'tv' : 'movie') : k;
      results.push(summaryOf(resolve, kind, listId(seed, i), mixed));
    }
  }
  return { page, results, total_pages: totalPages, total_results: totalResults };
}

/**
 * `/search/movie` and `/search/tv`. The result set is seeded from the query (plus `extraSeed`,
 * e.g. the year filter); queries containing "zzz" find nothing.
 */
export function tmdbSearch(kind: TmdbKind, query: string, page: number, extraSeed = '', resolve: DetailsResolver = generatedDetails): JsonObject {
  const seed = `search:${kind}:${query.trim().toLowerCase()}:${extraSeed}`;
  const total = query.toLowerCase().includes('zzz') ? 0 : 1 + (hashString(seed) % 180);
  return tmdbPagedList(seed, page, total, resolve, () => kind);
}

/** Popular/top/trending style lists: 500 pages, 10000 results. `kind: 'all'` mixes with media_type. */
export function tmdbChart(name: string, kind: TmdbKind | 'all', page: number, resolve: DetailsResolver = generatedDetails, nowMs: number = Date.now()): JsonObject {
  const trending = name.startsWith('trending');
  const body = tmdbPagedList(`chart:${name}:${kind}`, page, 10_000, resolve, () => (kind === 'all' ? 'mixed' : kind));
  if (trending && kind !== 'all') {
    const results = Array.isArray(body.results) ? body.results : [];
    body.results = results.map((r) => (r !== null && typeof r === 'object' && !Array.isArray(r) ? { ...r, media_type: kind } : r));
  }
  if (name === 'upcoming' || name === 'now_playing') {
    const dates = name === 'upcoming' ? { maximum: daysFrom(nowMs, 35), minimum: daysFrom(nowMs, 5) } : { maximum: daysFrom(nowMs, 3), minimum: daysFrom(nowMs, -38) };
    return { dates, ...body };
  }
  return body;
}

/** `/discover/{kind}`: seeded from the filter params (everything except page). */
export function tmdbDiscover(kind: TmdbKind, filters: string, page: number, resolve: DetailsResolver = generatedDetails): JsonObject {
  const seed = `discover:${kind}:${filters}`;
  const total = 20 + (hashString(seed) % 9_000);
  return tmdbPagedList(seed, page, total, resolve, () => kind);
}

export function tmdbCollection(id: number, resolve: DetailsResolver = generatedDetails): JsonObject {
  const rng = new Rng(`tmdb:collection:${id}`);
  const name = `${titleFor(rng)} Collection`;
  const parts = Array.from({ length: rng.int(2, 5) }, (_, i) => {
    const summary = summaryOf(resolve, 'movie', listId(`collection:${id}`, i), true);
    return { ...summary, name: summary.title ?? '', original_name: summary.original_title ?? '' };
  });
  return {
    id,
    name,
    original_language: 'en',
    original_name: name,
    overview: overviewFor(rng, 1),
    poster_path: rng.imagePath(),
    backdrop_path: rng.imagePath(),
    parts,
  };
}

export function tmdbList(id: string, resolve: DetailsResolver = generatedDetails): JsonObject {
  const rng = new Rng(`tmdb:list:${id}`);
  const count = rng.int(5, 30);
  return {
    created_by: personName(rng).toLowerCase().replace(' ', ''),
    description: overviewFor(rng, 1),
    favorite_count: rng.int(0, 50),
    id,
    items: Array.from({ length: count }, (_, i) => summaryOf(resolve, hashString(`list:${id}:${i}`) % 3 === 0 ? 'tv' : 'movie', listId(`list:${id}`, i), true)),
    item_count: count,
    iso_639_1: 'en',
    name: `${titleFor(rng)} Favourites`,
    poster_path: null,
  };
}

export const PROVIDERS = ['StreamHaus', 'Flickbox', 'Harbor+', 'CineVault', 'Northlight Play', 'RentReel', 'Pixelcast', 'Orbit TV', 'Mosaic', 'Lanternflix', 'Bluewave Go', 'Cinemark+'];
export const PROVIDER_REGIONS = ['US', 'GB', 'DE', 'FR', 'CA', 'AU', 'JP', 'ES', 'IT', 'NL'];

export function tmdbWatchProviders(kind: TmdbKind): JsonObject {
  const rng = new Rng(`tmdb:providers:${kind}`);
  return {
    results: PROVIDERS.map((name, i) => {
      const priorities: JsonObject = {};
      for (const region of rng.sample(PROVIDER_REGIONS, rng.int(3, PROVIDER_REGIONS.length))) priorities[region] = rng.int(1, 40);
      return { display_priorities: priorities, display_priority: i + 1, logo_path: rng.imagePath(), provider_name: name, provider_id: 2 + i * 7 };
    }),
  };
}

export const TMDB_EXTERNAL_SOURCES = ['imdb_id', 'facebook_id', 'instagram_id', 'tvdb_id', 'tiktok_id', 'twitter_id', 'wikidata_id', 'youtube_id'] as const;

/** `/find/{external_id}`: one deterministic match (movie or tv), or nothing for "missing" ids. */
export function tmdbFind(externalId: string, source: string, resolve: DetailsResolver = generatedDetails): JsonObject {
  const body: Record<string, Json> = { movie_results: [], person_results: [], tv_results: [], tv_episode_results: [], tv_season_results: [] };
  const digits = Number(externalId.replace(/\D/g, ''));
  if (externalId === '' || !Number.isFinite(digits) || digits >= 900_000_000) return body;
  const h = hashString(`find:${source}:${externalId}`);
  const kind: TmdbKind = source === 'tvdb_id' || h % 2 === 1 ? 'tv' : 'movie';
  const summary = summaryOf(resolve, kind, 100 + (h % 1_500_000), true);
  if (kind === 'tv') body.tv_results = [summary];
  else body.movie_results = [summary];
  return body;
}

export function tmdbGenres(kind: TmdbKind): JsonObject {
  return { genres: [...(kind === 'movie' ? TMDB_MOVIE_GENRES : TMDB_TV_GENRES)] };
}

export function tmdbConfiguration(): JsonObject {
  return {
    change_keys: ['adult', 'air_date', 'also_known_as', 'alternative_titles', 'biography', 'birthday', 'budget', 'cast', 'certifications', 'character_names', 'created_by', 'crew', 'deathday', 'episode', 'episode_number', 'episode_run_time', 'freebase_id', 'freebase_mid', 'general', 'genres', 'guest_stars', 'homepage', 'images', 'imdb_id', 'languages', 'name', 'network', 'origin_country', 'original_name', 'original_title', 'overview', 'parts', 'place_of_birth', 'plot_keywords', 'production_code', 'production_companies', 'production_countries', 'releases', 'revenue', 'runtime', 'season', 'season_number', 'season_regular', 'spoken_languages', 'status', 'tagline', 'title', 'translations', 'tvdb_id', 'tvrage_id', 'type', 'video', 'videos'],
    images: {
      base_url: 'http://image.tmdb.org/t/p/',
      secure_base_url: 'https://image.tmdb.org/t/p/',
      backdrop_sizes: ['w300', 'w780', 'w1280', 'original'],
      logo_sizes: ['w45', 'w92', 'w154', 'w185', 'w300', 'w500', 'original'],
      poster_sizes: ['w92', 'w154', 'w185', 'w342', 'w500', 'w780', 'original'],
      profile_sizes: ['w45', 'w185', 'h632', 'original'],
      still_sizes: ['w92', 'w185', 'w300', 'original'],
    },
  };
}
