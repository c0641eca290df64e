/**
 * Deterministic TheTVDB v4 records shaped like the recorded responses (`data` payloads; wrap them
 * with `tvdbEnvelope`). Seeded from ids, except the unsettled series/season (UNSETTLED_ID) whose
 * air dates are relative to `nowMs`.
 *
 * Id scheme for generated series: season ids are `seriesId * 100 + seasonNumber` (so a season id
 * resolves back to its series), except the unsettled season 424242 = series 424242, season 1.
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
  slugify,
  titleFor,
  tvdbTimestamp,
  unsettledSeason,
} from './generate-common.ts';

export const TVDB_PUBLIC_BASE = 'https://api4.thetvdb.com/v4';
export const TVDB_EPISODE_SEASON_TYPES = ['default', 'official', 'dvd', 'absolute', 'alternate', 'regional'] as const;
export const TVDB_LIST_PAGE_SIZE = 500;
export const TVDB_SEARCH_DEFAULT_LIMIT = 50;

const ARTWORK_HOST = 'https://artworks.thetvdb.com/banners/v4';
const OFFICIAL_TYPE: JsonObject = { id: 1, name: 'Aired Order', type: 'official', alternateName: null };
const LANGS = ['eng', 'deu', 'fra', 'spa', 'ita', 'jpn', 'por', 'rus'];
const COUNTRIES = ['usa', 'gbr', 'deu', 'fra', 'jpn', 'kor', 'esp', 'can'];
const NETWORKS = ['Northlight', 'Channel Nine', 'Meridian TV', 'Bluewave', 'Signal One', 'Harbor+'];
const CHARACTERS = ['The Captain', 'Detective Hale', 'Mara', 'The Stranger', 'Dr. Voss', 'Eli', 'Nora', 'Mayor Quint'];

/** Shared with generate-tvdb-entities.ts (TVDB names, so the generators' index has no clashes with TMDB's). */
export { ARTWORK_HOST as TVDB_ARTWORK_HOST, COUNTRIES as TVDB_COUNTRIES, LANGS as TVDB_LANGS, art as tvdbArt, character as tvdbCharacterOf, company as tvdbCompanyOf, statusOf as tvdbStatusOf };

export function tvdbEnvelope(data: Json, links?: JsonObject): JsonObject {
  return links === undefined ? { status: 'success', data } : { status: 'success', data, links };
}

/**
 * TVDB `links`: absolute URLs on api4.thetvdb.com, 0-based pages, `self` always carries `page`.
 * `params` are echoed in the given order, unencoded (TVDB echoes spaces as-is).
 */
export function tvdbLinks(path: string, params: [string, string][], page: number, pageSize: number, totalItems: number): JsonObject {
  const url = (p: number) => `${TVDB_PUBLIC_BASE}${path}?${[...params, ['page', String(p)]].map(([k, v]) => `${k}=${v}`).join('&')}`;
  const hasNext = (page + 1) * pageSize < totalItems;
  return { prev: page > 0 ? url(page - 1) : null, self: url(page), next: hasNext ? url(page + 1) : null, total_items: totalItems, page_size: pageSize };
}

// ---------------------------------------------------------------------------------------------
// Static lists

export const TVDB_SEASON_TYPES: readonly JsonObject[] = [
  OFFICIAL_TYPE,
  { id: 2, name: 'DVD Order', type: 'dvd', alternateName: null },
  { id: 3, name: 'Absolute Order', type: 'absolute', alternateName: null },
  { id: 4, name: 'Alternate Order', type: 'alternate', alternateName: null },
  { id: 5, name: 'Regional Order', type: 'regional', alternateName: null },
  { id: 6, name: 'Alternate DVD Order', type: 'altdvd', alternateName: null },
];

const GENRE_NAMES = [
  'Soap', 'Science Fiction', 'Reality', 'News', 'Mini-Series', 'Horror', 'Home and Garden', 'Game Show',
  'Food', 'Fantasy', 'Family', 'Drama', 'Documentary', 'Crime', 'Comedy', 'Children', 'Animation',
  'Adventure', 'Action', 'Sport', 'Suspense', 'Talk Show', 'Thriller', 'Travel', 'Western', 'Anime',
  'Romance', 'Musical', 'Mystery', 'History', 'War & Politics',
];
export const TVDB_GENRES: readonly JsonObject[] = GENRE_NAMES.map((name, i) => ({ id: i + 1, name, slug: slugify(name) }));

export function tvdbArtworkTypes(): JsonObject[] {
  const t = (id: number, name: string, recordType: string, slug: string, width: number, height: number, thumbWidth: number, thumbHeight: number): JsonObject =>
    ({ id, name, recordType, slug, imageFormat: name.startsWith('Clear') ? 'PNG' : 'JPG', width, height, thumbWidth, thumbHeight });
  return [
    t(1, 'Banner', 'series', 'banners', 758, 140, 758, 140),
    t(2, 'Poster', 'series', 'posters', 680, 1000, 340, 500),
    t(3, 'Background', 'series', 'backgrounds', 1920, 1080, 640, 360),
    t(5, 'Icon', 'series', 'icons', 1024, 1024, 512, 512),
    t(7, 'Poster', 'season', 'posters', 680, 1000, 340, 500),
    t(8, 'Background', 'season', 'backgrounds', 1920, 1080, 640, 360),
    t(11, '16:9 Screencap', 'episode', 'screencap', 640, 360, 320, 180),
    t(12, '4:3 Screencap', 'episode', 'screencap', 640, 480, 320, 240),
    t(13, 'Photo', 'actor', 'photo', 300, 450, 150, 225),
    t(14, 'Poster', 'movie', 'posters', 680, 1000, 340, 500),
    t(15, 'Background', 'movie', 'backgrounds', 1920, 1080, 640, 360),
    t(22, 'ClearArt', 'series', 'clearart', 1000, 562, 500, 281),
    t(23, 'ClearLogo', 'series', 'clearlogo', 800, 310, 400, 155),
    t(25, 'ClearLogo', 'movie', 'clearlogo', 800, 310, 400, 155),
  ];
}

export function tvdbLanguages(): JsonObject[] {
  const l = (id: string, name: string, nativeName: string): JsonObject => ({ id, name, nativeName, shortCode: null });
  return [
    l('ara', 'Arabic', 'العربية'), l('ces', 'Czech', 'čeština'), l('dan', 'Danish', 'dansk'), l('deu', 'German', 'Deutsch'),
    l('eng', 'English', 'English'), l('fra', 'French', 'français'), l('heb', 'Hebrew', 'עברית'), l('hin', 'Hindi', 'हिन्दी'),
    l('ita', 'Italian', 'italiano'), l('jpn', 'Japanese', '日本語'), l('kor', 'Korean', '한국어'), l('nld', 'Dutch', 'Nederlands'),
    l('pol', 'Polish', 'język polski'), l('por', 'Portuguese', 'Português'), l('rus', 'Russian', 'русский язык'),
    l('spa', 'Spanish', 'español'), l('swe', 'Swedish', 'svenska'), l('tur', 'Turkish', 'Türkçe'), l('zho', 'Chinese', '中文'),
  ];
}

// ---------------------------------------------------------------------------------------------
// Series plan: shared by series, seasons and episode lists so they agree

interface SeriesPlan {
  id: number;
  firstAired: string;
  seasons: SeasonPlan[];
  ended: boolean;
}

function seriesPlan(id: number, nowMs: number): SeriesPlan {
  if (id === UNSETTLED_ID) {
    const season = unsettledSeason(nowMs);
    return { id, firstAired: season.airDates[0] ?? daysFrom(nowMs, -52), seasons: [season], ended: false };
  }
  const rng = new Rng(`tvdb:plan:${id}`);
  const firstAired = pastDate(rng, 1990, 2014);
  const seasons: SeasonPlan[] = [];
  if (rng.chance(0.4)) {
    seasons.push({ number: 0, airDates: Array.from({ length: rng.int(1, 3) }, (_, i) => addDays(firstAired, 120 + i * 240)), forcedNames: {} });
  }
  const count = rng.int(1, 6);
  for (let n = 1; n <= count; n++) {
    const start = addDays(firstAired, 365 * (n - 1));
    seasons.push({ number: n, airDates: Array.from({ length: rng.int(6, 13) }, (_, i) => addDays(start, i * 7)), forcedNames: {} });
  }
  return { id, firstAired, seasons, ended: rng.chance(0.6) };
}

function orphanSeason(seasonId: number, number: number): SeasonPlan {
  const rng = new Rng(`tvdb:orphan:${seasonId}`);
  const start = pastDate(rng, 1995, 2015);
  return { number, airDates: Array.from({ length: rng.int(6, 13) }, (_, i) => addDays(start, i * 7)), forcedNames: {} };
}

export function tvdbSeasonId(seriesId: number, seasonNumber: number): number {
  return seriesId === UNSETTLED_ID && seasonNumber === 1 ? UNSETTLED_ID : seriesId * 100 + seasonNumber;
}

export function tvdbSeasonRef(seasonId: number): { seriesId: number; number: number } {
  if (seasonId === UNSETTLED_ID) return { seriesId: UNSETTLED_ID, number: 1 };
  return { seriesId: seasonId < 100 ? seasonId : Math.floor(seasonId / 100), number: seasonId % 100 };
}

export function tvdbEpisodeId(seriesId: number, seasonNumber: number, episodeNumber: number): number {
  return 1_000_000 + (hashString(`tvdb:epid:${seriesId}:${seasonNumber}:${episodeNumber}`) % 9_000_000);
}

function isPast(date: string | null, nowMs: number): boolean {
  return date !== null && Date.parse(`${date}T00:00:00Z`) <= nowMs;
}

function art(kind: string, ownerId: number, folder: string, rng: Rng): string {
  return `${ARTWORK_HOST}/${kind}/${ownerId}/${folder}/${rng.hex(13)}.jpg`;
}

function episodeRecord(plan: SeriesPlan, season: SeasonPlan, index: number, nowMs: number): JsonObject {
  const k = index + 1;
  const id = tvdbEpisodeId(plan.id, season.number, k);
  const rng = new Rng(`tvdb:ep:${plan.id}:${season.number}:${k}`);
  const aired = season.airDates[index] ?? null;
  const past = isPast(aired, nowMs);
  const name = season.forcedNames[k] ?? episodeTitle(rng);
  const overview = overviewFor(rng, 1);
  const runtime = rng.int(22, 60);
  const image = art('episode', id, 'screencap', rng);
  const translations = ['eng', ...rng.sample(LANGS.slice(1), rng.int(0, 4))];
  const lastUpdated = tvdbTimestamp(rng, pastDate(rng, 2021, 2023));
  const isLast = k === season.airDates.length;
  return {
    id,
    seriesId: plan.id,
    name,
    aired,
    runtime: past ? runtime : null,
    nameTranslations: translations,
    overview: past ? overview : null,
    overviewTranslations: past ? translations : [],
    image: past ? image : null,
    imageType: past ? 11 : null,
    isMovie: 0,
    seasons: null,
    number: k,
    seasonNumber: season.number,
    lastUpdated,
    finaleType: isLast && season.number > 0 && plan.ended ? 'season' : null,
    year: aired === null ? null : aired.slice(0, 4),
    ...(season.number === 0 ? { airsBeforeSeason: 1 + (k % 3), airsBeforeEpisode: 1 } : {}),
  };
}

function statusOf(ended: boolean): JsonObject {
  return ended
    ? { id: 2, name: 'Ended', recordType: 'series', keepUpdated: false }
    : { id: 1, name: 'Continuing', recordType: 'series', keepUpdated: true };
}

// ---------------------------------------------------------------------------------------------
// Series

export function tvdbSeriesBase(id: number, nowMs: number = Date.now()): JsonObject {
  const plan = seriesPlan(id, nowMs);
  const rng = new Rng(`tvdb:series:${id}`);
  const name = titleFor(rng);
  const dates = plan.seasons.filter((s) => s.number > 0).flatMap((s) => s.airDates);
  const past = dates.filter((d) => isPast(d, nowMs));
  const future = dates.filter((d) => !isPast(d, nowMs));
  const translations = ['eng', ...rng.sample(LANGS.slice(1), rng.int(0, 3))];
  return {
    id,
    name,
    slug: slugify(name),
    image: art('series', id, 'posters', rng),
    nameTranslations: translations,
    overviewTranslations: translations,
    aliases: rng.chance(0.4) ? [{ language: 'eng', name: titleFor(rng) }] : [],
    firstAired: plan.firstAired,
    lastAired: past[past.length - 1] ?? '',
    nextAired: future[0] ?? '',
    score: rng.int(100, 2_000_000),
    status: statusOf(plan.ended),
    originalCountry: rng.pick(COUNTRIES),
    originalLanguage: 'eng',
    defaultSeasonType: 1,
    isOrderRandomized: false,
    lastUpdated: tvdbTimestamp(rng, pastDate(rng, 2021, 2023)),
    averageRuntime: rng.int(22, 60),
    episodes: null,
    overview: overviewFor(rng, 2),
    year: plan.firstAired.slice(0, 4),
  };
}

function company(rng: Rng, kind: 'Network' | 'Production Company'): JsonObject {
  const name = kind === 'Network' ? rng.pick(NETWORKS) : `${titleFor(rng).replace(/^The /, '').split(' ')[0]} Productions`;
  const typeId = kind === 'Network' ? 1 : 3;
  return {
    id: rng.int(1, 20_000),
    name,
    slug: slugify(name),
    nameTranslations: ['eng'],
    overviewTranslations: [],
    aliases: [],
    country: rng.pick(COUNTRIES),
    primaryCompanyType: typeId,
    activeDate: null,
    inactiveDate: null,
    companyType: { companyTypeId: typeId, companyTypeName: kind },
    parentCompany: { id: null, name: null, relation: { id: null, typeName: null } },
    tagOptions: null,
  };
}

function artworkItem(rng: Rng, id: number, kind: string, ownerId: number, type: number, extended: boolean): JsonObject {
  const folder = type === 3 || type === 15 ? 'backgrounds' : type === 1 ? 'banners' : type === 23 || type === 25 ? 'clearlogo' : 'posters';
  const image = art(kind, ownerId, folder, rng);
  const [width, height] = folder === 'backgrounds' ? [1920, 1080] : folder === 'banners' ? [758, 140] : folder === 'clearlogo' ? [800, 310] : [680, 1000];
  const base: JsonObject = {
    id,
    image,
    thumbnail: image.replace(/\.jpg$/, '_t.jpg'),
    language: rng.chance(0.7) ? 'eng' : rng.pick([null, 'deu', 'fra', 'jpn']),
    type,
    score: rng.int(0, 100_100),
    width,
    height,
    includesText: rng.chance(0.5),
  };
  if (!extended) return base;
  return { ...base, thumbnailWidth: Math.round(width / 2), thumbnailHeight: Math.round(height / 2), updatedAt: 1_600_000_000 + rng.int(0, 90_000_000), status: { id: 0, name: null }, tagOptions: null };
}

function seriesArtworks(id: number): JsonObject[] {
  const rng = new Rng(`tvdb:artworks:${id}`);
  return Array.from({ length: rng.int(6, 20) }, (_, i) => artworkItem(rng, 60_000_000 + (hashString(`art:${id}:${i}`) % 9_000_000), 'series', id, rng.pick([1, 2, 2, 3, 3, 23]), true));
}

function character(rng: Rng, sort: number, owner: { seriesId?: number; movieId?: number }): JsonObject {
  const peopleId = rng.int(250_000, 9_000_000);
  const personNameValue = personName(rng);
  return {
    id: rng.int(60_000_000, 70_000_000),
    name: rng.pick(CHARACTERS),
    peopleId,
    seriesId: owner.seriesId ?? null,
    series: null,
    movie: null,
    movieId: owner.movieId ?? null,
    episodeId: null,
    type: 3,
    image: rng.chance(0.6) ? `${ARTWORK_HOST}/actor/${peopleId}/photo/${rng.hex(13)}.jpg` : null,
    sort,
    isFeatured: sort < 3,
    url: `https://thetvdb.com/people/${peopleId}-${slugify(personNameValue)}`,
    nameTranslations: null,
    overviewTranslations: null,
    aliases: null,
    peopleType: 'Actor',
    personName: personNameValue,
    tagOptions: null,
    personImgURL: `${ARTWORK_HOST}/person/${peopleId}/primary.jpg`,
  };
}

export function tvdbSeasonsOf(seriesId: number, nowMs: number = Date.now()): JsonObject[] {
  return seriesPlan(seriesId, nowMs).seasons.map((s) => seasonBaseFor(seriesId, s));
}

export interface SeriesExtendedOptions {
  meta?: string | undefined;
  short?: boolean | undefined;
}

/** `meta=translations` adds `translations`, `meta=episodes` adds `episodes`; `short` nulls artworks/characters. */
export function tvdbSeriesExtended(id: number, nowMs: number = Date.now(), options: SeriesExtendedOptions = {}): JsonObject {
  const base = tvdbSeriesBase(id, nowMs);
  const rng = new Rng(`tvdb:series-ext:${id}`);
  const network = company(rng, 'Network');
  const production = company(rng, 'Production Company');
  const body: JsonObject = {
    ...base,
    artworks: seriesArtworks(id),
    companies: [network, production],
    originalNetwork: network,
    latestNetwork: network,
    genres: rng.sample(TVDB_GENRES, rng.int(1, 3)),
    trailers: rng.chance(0.5) ? [{ id: rng.int(100_000, 900_000), name: 'Trailer', url: `https://www.youtube.com/watch?v=${rng.token(11)}`, language: 'eng', runtime: 0 }] : [],
    lists: [],
    remoteIds: [
      { id: `tt${1_000_000 + (hashString(`imdb:tvdb:${id}`) % 9_000_000)}`, type: 2, sourceName: 'IMDB' },
      { id: String(100 + (hashString(`tmdb-of:${id}`) % 250_000)), type: 12, sourceName: 'TheMovieDB.com' },
    ],
    characters: Array.from({ length: rng.int(6, 14) }, (_, i) => character(rng, i, { seriesId: id })),
    airsDays: { sunday: false, monday: false, tuesday: false, wednesday: false, thursday: false, friday: false, saturday: false, [rng.pick(['sunday', 'monday', 'thursday', 'friday'])]: true },
    airsTime: `${rng.int(18, 22)}:00`,
    seasons: tvdbSeasonsOf(id, nowMs),
    tags: [{ id: rng.int(100, 900), tag: 31, tagName: 'Geographic Location', name: 'Somewhere Fictional', helpText: null }],
    contentRatings: [{ id: rng.int(1, 900), name: rng.pick(['TV-14', 'TV-MA', 'TV-PG']), country: 'usa', description: '', contentType: '', order: 0, fullname: null }],
    seasonTypes: [OFFICIAL_TYPE],
  };
  if (options.meta === 'translations') body.translations = translationsFor(`series:${id}`, String(base.name), String(base.overview), base.nameTranslations);
  if (options.meta === 'episodes') body.episodes = tvdbSeriesEpisodes(id, nowMs);
  if (options.short === true) {
    body.artworks = null;
    body.characters = null;
  }
  return body;
}

function translationsFor(seed: string, name: string, overview: string, langs: Json | undefined): JsonObject {
  const languages = Array.isArray(langs) ? langs.filter((l): l is string => typeof l === 'string') : ['eng'];
  const rng = new Rng(`tvdb:translations:${seed}`);
  return {
    nameTranslations: languages.map((language) => ({ name: language === 'eng' ? name : `${name} (${language})`, language })),
    overviewTranslations: languages.map((language) => ({ overview: language === 'eng' ? overview : overviewFor(rng, 1), language })),
    aliases: [],
  };
}

/** Every episode of every season (specials first), in the official order. */
export function tvdbSeriesEpisodes(seriesId: number, nowMs: number = Date.now()): JsonObject[] {
  const plan = seriesPlan(seriesId, nowMs);
  return plan.seasons.flatMap((season) => season.airDates.map((_, i) => episodeRecord(plan, season, i, nowMs)));
}

/** `/series/{id}/artworks`: base record plus artworks, filtered by `lang` / `type` lists when given. */
export function tvdbSeriesArtworks(id: number, nowMs: number = Date.now(), lang?: string, type?: string): JsonObject {
  const langs = lang === undefined || lang === '' ? null : lang.split(',').map((s) => s.trim());
  const types = type === undefined || type === '' ? null : type.split(',').map((s) => Number(s.trim()));
  const artworks = seriesArtworks(id).filter((a) => (langs === null || langs.includes(String(a.language))) && (types === null || types.includes(Number(a.type))));
  return { ...tvdbSeriesBase(id, nowMs), artworks };
}

// ---------------------------------------------------------------------------------------------
// Seasons and episodes

function seasonBaseFor(seriesId: number, season: SeasonPlan): JsonObject {
  const id = tvdbSeasonId(seriesId, season.number);
  const rng = new Rng(`tvdb:season:${id}`);
  return {
    id,
    seriesId,
    type: OFFICIAL_TYPE,
    number: season.number,
    nameTranslations: [],
    overviewTranslations: rng.chance(0.5) ? ['eng'] : [],
    image: art('season', id, 'posters', rng),
    imageType: 7,
    companies: { studio: null, network: null, production: null, distributor: null, special_effects: null },
    lastUpdated: tvdbTimestamp(rng, pastDate(rng, 2021, 2023)),
    year: season.airDates[0]?.slice(0, 4) ?? null,
  };
}

function resolveSeason(seasonId: number, nowMs: number): { plan: SeriesPlan; season: SeasonPlan } {
  const ref = tvdbSeasonRef(seasonId);
  const plan = seriesPlan(ref.seriesId, nowMs);
  const season = plan.seasons.find((s) => s.number === ref.number) ?? orphanSeason(seasonId, ref.number);
  return { plan, season };
}

export function tvdbSeason(seasonId: number, nowMs: number = Date.now()): JsonObject {
  const { plan, season } = resolveSeason(seasonId, nowMs);
  return { ...seasonBaseFor(plan.id, season), id: seasonId };
}

export function tvdbSeasonExtended(seasonId: number, nowMs: number = Date.now()): JsonObject {
  const { plan, season } = resolveSeason(seasonId, nowMs);
  const rng = new Rng(`tvdb:season-ext:${seasonId}`);
  return {
    ...seasonBaseFor(plan.id, season),
    id: seasonId,
    name: season.number === 0 ? 'Specials' : `Season ${season.number}`,
    companies: { studio: [], network: [company(rng, 'Network')], production: [], distributor: [], special_effects: [] },
    episodes: season.airDates.map((_, i) => episodeRecord(plan, season, i, nowMs)),
    trailers: [],
    artwork: Array.from({ length: rng.int(1, 4) }, (_, i) => artworkItem(rng, 61_000_000 + (hashString(`sart:${seasonId}:${i}`) % 9_000_000), 'season', seasonId, 7, false)),
    tagOptions: null,
  };
}

/** `/episodes/{id}`: a standalone record seeded by the episode id (always settled, in the past). */
export function tvdbEpisode(id: number): JsonObject {
  const rng = new Rng(`tvdb:episode:${id}`);
  const seriesId = 70_000 + (id % 400_000);
  const seasonNumber = rng.int(1, 6);
  const aired = pastDate(rng, 1995, 2020);
  const translations = ['eng', ...rng.sample(LANGS.slice(1), rng.int(0, 4))];
  return {
    id,
    seriesId,
    name: episodeTitle(rng),
    aired,
    runtime: rng.int(22, 60),
    nameTranslations: translations,
    overview: overviewFor(rng, 1),
    overviewTranslations: translations,
    image: art('episode', id, 'screencap', rng),
    imageType: 11,
    isMovie: 0,
    seasons: [{ id: tvdbSeasonId(seriesId, seasonNumber), seriesId, type: OFFICIAL_TYPE }],
    number: rng.int(1, 12),
    seasonNumber,
    lastUpdated: tvdbTimestamp(rng, pastDate(rng, 2021, 2023)),
    finaleType: null,
    year: aired.slice(0, 4),
  };
}

export function tvdbEpisodeExtended(id: number, meta?: string): JsonObject {
  const base = tvdbEpisode(id);
  const rng = new Rng(`tvdb:episode-ext:${id}`);
  const seriesId = Number(base.seriesId);
  const body: JsonObject = {
    ...base,
    airsAfterSeason: null,
    airsBeforeEpisode: null,
    airsBeforeSeason: null,
    awards: [],
    characters: Array.from({ length: rng.int(2, 6) }, (_, i) => ({ ...character(rng, i, { seriesId }), episodeId: id })),
    companies: [company(rng, 'Network')],
    contentRatings: [],
    linkedMovie: null,
    networks: [company(rng, 'Network')],
    nominations: [],
    productionCode: rng.chance(0.5) ? `${rng.int(1, 9)}${rng.token(3, '0123456789')}` : '',
    remoteIds: [{ id: `tt${1_000_000 + (hashString(`imdb:ep:${id}`) % 9_000_000)}`, type: 2, sourceName: 'IMDB' }],
    studios: [],
    tagOptions: null,
    trailers: [],
  };
  if (meta === 'translations') body.translations = translationsFor(`episode:${id}`, String(base.name), String(base.overview), base.nameTranslations);
  return body;
}

// ---------------------------------------------------------------------------------------------
// Artwork, movies, people

export function tvdbArtwork(id: number, extended = false): JsonObject {
  const rng = new Rng(`tvdb:artwork:${id}`);
  const ownerId = 70_000 + (id % 400_000);
  const type = rng.pick([2, 3, 14, 15]);
  const kind = type >= 14 ? 'movie' : 'series';
  const item = artworkItem(rng, id, kind, ownerId, type, extended);
  return extended ? { ...item, ...(kind === 'movie' ? { movieId: ownerId } : { seriesId: ownerId }), tagOptions: [] } : item;
}

export function tvdbMovie(id: number): JsonObject {
  const rng = new Rng(`tvdb:movie:${id}`);
  const name = titleFor(rng);
  const translations = ['eng', ...rng.sample(LANGS.slice(1), rng.int(0, 6))];
  return {
    id,
    name,
    slug: slugify(name),
    image: art('movies', id, 'posters', rng),
    nameTranslations: translations,
    overviewTranslations: translations,
    aliases: [],
    score: rng.int(10, 500_000),
    runtime: rng.int(80, 170),
    status: { id: 5, name: 'Released', recordType: 'movie', keepUpdated: true },
    lastUpdated: tvdbTimestamp(rng, pastDate(rng, 2021, 2023)),
    year: pastDate(rng).slice(0, 4),
  };
}

export function tvdbMovieExtended(id: number): JsonObject {
  const base = tvdbMovie(id);
  const rng = new Rng(`tvdb:movie-ext:${id}`);
  const release = { country: 'global', date: `${String(base.year)}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`, detail: null };
  const country = rng.pick(COUNTRIES);
  return {
    ...base,
    trailers: [{ id: rng.int(100_000, 900_000), name: 'Trailer', url: `https://www.youtube.com/watch?v=${rng.token(11)}`, language: 'eng', runtime: 0 }],
    genres: rng.sample(TVDB_GENRES, rng.int(1, 3)),
    releases: [release],
    artworks: Array.from({ length: rng.int(2, 8) }, (_, i) => artworkItem(rng, 2_000_000 + (hashString(`mart:${id}:${i}`) % 9_000_000), 'movies', id, rng.pick([14, 15, 25]), false)),
    remoteIds: [
      { id: `tt${1_000_000 + (hashString(`imdb:movie:${id}`) % 9_000_000)}`, type: 2, sourceName: 'IMDB' },
      { id: String(100 + (hashString(`tmdb-movie-of:${id}`) % 900_000)), type: 10, sourceName: 'TheMovieDB.com' },
    ],
    characters: Array.from({ length: rng.int(3, 10) }, (_, i) => character(rng, i, { movieId: id })),
    budget: `${rng.int(1, 200)}000000.00`,
    boxOffice: `${rng.int(1, 900)}000000.00`,
    boxOfficeUS: '',
    originalCountry: country,
    originalLanguage: 'eng',
    audioLanguages: null,
    subtitleLanguages: null,
    studios: null,
    awards: null,
    tagOptions: null,
    lists: [],
    contentRatings: null,
    companies: { studio: [], network: [], production: [company(rng, 'Production Company')], distributor: [], special_effects: [] },
    production_countries: [{ id: rng.int(200_000, 300_000), country, name: country.toUpperCase() }],
    inspirations: [],
    spoken_languages: ['eng'],
    first_release: release,
  };
}

export function tvdbPerson(id: number): JsonObject {
  const rng = new Rng(`tvdb:person:${id}`);
  return {
    id,
    name: personName(rng),
    image: `${ARTWORK_HOST}/person/${id}/primary.jpg`,
    score: rng.int(0, 5_000),
    nameTranslations: ['eng'],
    overviewTranslations: rng.chance(0.5) ? ['eng'] : [],
    aliases: [],
    lastUpdated: tvdbTimestamp(rng, pastDate(rng, 2021, 2023)),
  };
}

// ---------------------------------------------------------------------------------------------
// Search

export type SeriesResolver = (id: number) => JsonObject;

function searchItemForSeries(base: JsonObject): JsonObject {
  const id = Number(base.id);
  const image = typeof base.image === 'string' ? base.image : null;
  const status = base.status !== null && typeof base.status === 'object' && !Array.isArray(base.status) ? base.status.name ?? null : null;
  const aliases = Array.isArray(base.aliases) ? base.aliases.map((a) => (a !== null && typeof a === 'object' && !Array.isArray(a) ? (a.name ?? '') : String(a))) : [];
  return {
    objectID: `series-${id}`,
    aliases,
    country: base.originalCountry ?? null,
    id: `series-${id}`,
    image_url: image,
    name: base.name ?? '',
    first_air_time: base.firstAired ?? null,
    overview: base.overview ?? '',
    primary_language: base.originalLanguage ?? 'eng',
    primary_type: 'series',
    status,
    type: 'series',
    tvdb_id: String(id),
    year: base.year ?? null,
    slug: base.slug ?? '',
    overviews: { eng: base.overview ?? '' },
    translations: { eng: base.name ?? '' },
    network: NETWORKS[id % NETWORKS.length] ?? null,
    remote_ids: [{ id: `tt${1_000_000 + (hashString(`imdb:tvdb:${id}`) % 9_000_000)}`, type: 2, sourceName: 'IMDB' }],
    thumbnail: image === null ? null : image.replace(/\.jpg$/, '_t.jpg'),
  };
}

function searchItemForMovie(id: number): JsonObject {
  const base = tvdbMovie(id);
  const image = String(base.image);
  return {
    objectID: `movie-${id}`,
    aliases: [],
    country: 'usa',
    id: `movie-${id}`,
    image_url: image,
    name: base.name ?? '',
    first_air_time: `${String(base.year)}-01-01`,
    overview: overviewFor(new Rng(`tvdb:movie-overview:${id}`), 1),
    primary_language: 'eng',
    primary_type: 'movie',
    status: 'Released',
    type: 'movie',
    tvdb_id: String(id),
    year: base.year ?? null,
    slug: base.slug ?? '',
    translations: { eng: base.name ?? '' },
    thumbnail: image.replace(/\.jpg$/, '_t.jpg'),
  };
}

function searchItemForPerson(id: number): JsonObject {
  const base = tvdbPerson(id);
  return { objectID: `people-${id}`, aliases: [], id: `people-${id}`, image_url: base.image ?? null, name: base.name ?? '', primary_type: 'people', type: 'people', tvdb_id: String(id), translations: {} };
}

export interface TvdbSearchOptions {
  type?: string | undefined;
  year?: string | undefined;
  offset: number;
  limit: number;
}

/**
 * `/search` results seeded from query/type/year. Types: series, movie, people/person (anything
 * else finds nothing); without a type the results mix series and movies. Queries containing
 * "zzz" find nothing.
 */
export function tvdbSearch(query: string, options: TvdbSearchOptions, resolveSeries: SeriesResolver = (id) => tvdbSeriesBase(id)): { items: JsonObject[]; total: number } {
  const type = options.type ?? '';
  const seed = `tvdbsearch:${query.trim().toLowerCase()}:${type}:${options.year ?? ''}`;
  const knownType = type === '' || ['series', 'movie', 'people', 'person'].includes(type);
  const total = !knownType || query.toLowerCase().includes('zzz') ? 0 : 1 + (hashString(seed) % 120);
  const items: JsonObject[] = [];
  for (let i = options.offset; i < Math.min(total, options.offset + options.limit); i++) {
    const h = hashString(`${seed}#${i}`);
    const id = 70_000 + (h % 400_000);
    const kind = type === '' ? (h % 4 === 0 ? 'movie' : 'series') : type;
    if (kind === 'movie') items.push(searchItemForMovie(id));
    else if (kind === 'people' || kind === 'person') items.push(searchItemForPerson(id));
    else items.push(searchItemForSeries(resolveSeries(id)));
  }
  return { items, total };
}

/** `/search/remoteid/{id}`: one series match for any remote id. */
export function tvdbRemoteIdSearch(remoteId: string, resolveSeries: SeriesResolver = (id) => tvdbSeriesBase(id)): JsonObject[] {
  const id = 70_000 + (hashString(`remote:${remoteId}`) % 400_000);
  return [{ series: resolveSeries(id) }];
}
