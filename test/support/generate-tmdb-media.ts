/**
 * TMDB v3 sub-resources of movies, shows, seasons and episodes that generate-tmdb.ts does not
 * cover: translations, reviews, lists, watch providers, aggregate credits, episode groups,
 * screened_theatrically, and the season/episode credits, external ids, images and videos.
 *
 * Review and episode group ids carry their owner in the first 8 hex digits (`/review/{id}` and
 * `/tv/episode_group/{id}` resolve back to the movie or show that listed them); any other 24-hex
 * id maps to an owner derived from its hash.
 */
import { type JsonObject, MISSING_ID_MIN, Rng, hashString, overviewFor, pastDate, personName } from './generate-common.ts';
import {
  CHARACTER_NAMES,
  NETWORK_NAMES,
  PROVIDERS,
  PROVIDER_REGIONS,
  type TmdbKind,
  castMember,
  crewMember,
  imdbIdFor,
  posterOrNull,
  tmdbPaged,
} from './generate-tmdb.ts';
import { tmdbTranslationList } from './generate-tmdb-people.ts';

/** 24 hex digits whose first 8 are `owner` (plus a kind digit), the rest seeded. */
export function ownedHexId(owner: number, kind: number, seed: string): string {
  return `${owner.toString(16).padStart(8, '0')}${kind.toString(16)}${new Rng(seed).hex(15)}`;
}

/** The owner encoded by ownedHexId, or one derived from the hash for foreign ids. */
export function ownerOfHexId(hex: string): { owner: number; kind: number } {
  const owner = Number.parseInt(hex.slice(0, 8), 16);
  const kind = Number.parseInt(hex.slice(8, 9), 16);
  if (owner > 0 && owner < MISSING_ID_MIN && kind <= 1) return { owner, kind };
  const h = hashString(`hex-owner:${hex}`);
  return { owner: 100 + (h % 1_500_000), kind: h % 2 };
}

// ---------------------------------------------------------------------------------------------
// Translations

export function tmdbMovieTranslations(id: number, details: JsonObject): JsonObject {
  const title = String(details.title ?? '');
  const own = { homepage: details.homepage ?? '', overview: details.overview ?? '', runtime: details.runtime ?? 0, tagline: details.tagline ?? '', title };
  const other = (lang: string, rng: Rng): JsonObject => ({ homepage: '', overview: overviewFor(rng, 1), runtime: own.runtime, tagline: '', title: rng.chance(0.6) ? `${title} (${lang})` : '' });
  return { id, translations: tmdbTranslationList(`movie:${id}`, own, other) };
}

export function tmdbTvTranslations(id: number, details: JsonObject): JsonObject {
  const name = String(details.name ?? '');
  const own = { name, overview: details.overview ?? '', homepage: details.homepage ?? '', tagline: details.tagline ?? '' };
  const other = (lang: string, rng: Rng): JsonObject => ({ name: rng.chance(0.6) ? `${name} (${lang})` : '', overview: overviewFor(rng, 1), homepage: '', tagline: '' });
  return { id, translations: tmdbTranslationList(`tv:${id}`, own, other) };
}

/** Seasons and episodes: `{id, translations: [{..., data: {name, overview}}]}`. */
export function tmdbPartTranslations(seed: string, id: number, part: JsonObject): JsonObject {
  const name = String(part.name ?? '');
  const other = (lang: string, rng: Rng): JsonObject => ({ name: rng.chance(0.5) ? `${name} (${lang})` : '', overview: overviewFor(rng, 1) });
  return { id, translations: tmdbTranslationList(seed, { name, overview: part.overview ?? '' }, other) };
}

// ---------------------------------------------------------------------------------------------
// Reviews and lists

const AUTHORS = ['cinephile42', 'nightowl', 'filmfan_ada', 'quietcritic', 'reelbruno', 'tidewatcher', 'popcornvera'];

function review(kind: TmdbKind, mediaId: number, index: number): JsonObject {
  const id = ownedHexId(mediaId, kind === 'movie' ? 0 : 1, `review:${kind}:${mediaId}:${index}`);
  const rng = new Rng(`tmdb:review:${id}`);
  const username = rng.pick(AUTHORS);
  const created = `${pastDate(rng, 2012, 2023)}T${String(rng.int(0, 23)).padStart(2, '0')}:${String(rng.int(10, 59))}:07.${rng.int(100, 999)}Z`;
  return {
    author: username,
    author_details: { name: rng.chance(0.5) ? personName(rng) : '', username, avatar_path: posterOrNull(rng, 0.5), rating: rng.chance(0.8) ? rng.int(1, 10) : null },
    content: overviewFor(rng, 3),
    created_at: created,
    id,
    updated_at: created,
    url: `https://www.themoviedb.org/review/${id}`,
  };
}

function reviewCount(kind: TmdbKind, id: number): number {
  return new Rng(`tmdb:review-count:${kind}:${id}`).int(0, 30);
}

/** `/{kind}/{id}/reviews`, 20 a page. */
export function tmdbReviews(kind: TmdbKind, id: number, page: number): JsonObject {
  return { id, ...tmdbPaged(page, reviewCount(kind, id), (i) => review(kind, id, i)) };
}

/** `/review/{id}`: the review with its media; `title` names the media (from its details). */
export function tmdbReview(hex: string, mediaTitle: (kind: TmdbKind, id: number) => string): JsonObject {
  const { owner, kind: kindDigit } = ownerOfHexId(hex);
  const kind: TmdbKind = kindDigit === 0 ? 'movie' : 'tv';
  const count = Math.max(1, reviewCount(kind, owner));
  const index = hashString(hex) % count;
  const { url: _url, id: _id, ...base } = review(kind, owner, index);
  return { id: hex, ...base, iso_639_1: 'en', media_id: owner, media_title: mediaTitle(kind, owner), media_type: kind, url: `https://www.themoviedb.org/review/${hex}` };
}

/** `/{kind}/{id}/lists`: user lists that contain the title, 20 a page. */
export function tmdbListsOf(kind: TmdbKind, id: number, page: number): JsonObject {
  const total = new Rng(`tmdb:lists-count:${kind}:${id}`).int(0, 120);
  return {
    id,
    ...tmdbPaged(page, total, (i) => {
      const rng = new Rng(`tmdb:lists:${kind}:${id}:${i}`);
      return {
        description: rng.chance(0.4) ? overviewFor(rng, 1) : '',
        favorite_count: rng.int(0, 40),
        id: 1_000 + (hashString(`list:${kind}:${id}:${i}`) % 8_500_000),
        item_count: rng.int(1, 500),
        iso_639_1: 'en',
        ...(kind === 'movie' ? { list_type: 'movie' } : { iso_3166_1: 'US' }),
        name: rng.pick(['Favourites', 'Watchlist', 'Must See', 'Weekend Picks', 'Rewatch', 'My Movies']),
        poster_path: null,
      };
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// Watch providers of one title

/** `/{kind}/{id}/watch/providers` (and a season's): offers by country. */
export function tmdbTitleWatchProviders(kind: TmdbKind, id: number, seed = `${kind}:${id}`): JsonObject {
  const rng = new Rng(`tmdb:title-providers:${seed}`);
  const results: JsonObject = {};
  for (const region of rng.sample(PROVIDER_REGIONS, rng.int(2, 6))) {
    const offer = (): JsonObject[] => rng.sample(PROVIDERS, rng.int(1, 3)).map((name) => ({
      logo_path: `/${new Rng(`provider-logo:${name}`).token(27)}.jpg`,
      provider_id: 2 + PROVIDERS.indexOf(name) * 7,
      provider_name: name,
      display_priority: rng.int(1, 40),
    }));
    const entry: JsonObject = { link: `https://www.themoviedb.org/${kind}/${id}/watch?locale=${region}` };
    if (rng.chance(0.7)) entry.flatrate = offer();
    if (rng.chance(0.5)) entry.rent = offer();
    if (rng.chance(0.5) || entry.flatrate === undefined) entry.buy = offer();
    results[region] = entry;
  }
  return { id, results };
}

// ---------------------------------------------------------------------------------------------
// Credits across episodes

/** `/tv/{id}/aggregate_credits` and a season's: every role with its episode count. */
export function tmdbAggregateCredits(seed: string, id: number, episodeCount: number): JsonObject {
  const rng = new Rng(`tmdb:aggregate:${seed}`);
  const most = Math.max(1, episodeCount);
  const cast = Array.from({ length: rng.int(6, 16) }, (_, order) => {
    const { character: _c, credit_id: _id, order: _o, ...person } = castMember(rng, order, false);
    const count = rng.int(1, most);
    return { ...person, roles: [{ credit_id: rng.hex(24), character: rng.pick(CHARACTER_NAMES), episode_count: count }], total_episode_count: count, order };
  });
  const crew = Array.from({ length: rng.int(3, 10) }, () => {
    const { job, department, credit_id: _id, ...person } = crewMember(rng);
    const count = rng.int(1, most);
    return { ...person, jobs: [{ credit_id: rng.hex(24), job: job ?? '', episode_count: count }], department: department ?? '', total_episode_count: count };
  });
  return { cast, crew, id };
}

/** `/tv/{id}/season/{n}/credits`: the season's regular cast and crew. */
export function tmdbSeasonCredits(seed: string, id: number): JsonObject {
  const rng = new Rng(`tmdb:season-credits:${seed}`);
  return {
    cast: Array.from({ length: rng.int(4, 12) }, (_, i) => castMember(rng, i, false)),
    crew: Array.from({ length: rng.int(2, 8) }, () => crewMember(rng)),
    id,
  };
}

/** `/tv/{id}/season/{n}/episode/{m}/credits`: the season's regulars plus the episode's own crew and guests. */
export function tmdbEpisodeCredits(seasonSeed: string, episode: JsonObject): JsonObject {
  const regular = tmdbSeasonCredits(seasonSeed, Number(episode.id ?? 0));
  return { cast: regular.cast ?? [], crew: episode.crew ?? [], guest_stars: episode.guest_stars ?? [], id: episode.id ?? 0 };
}

// ---------------------------------------------------------------------------------------------
// Season and episode ids, images

export function tmdbSeasonExternalIds(tvId: number, season: JsonObject): JsonObject {
  const rng = new Rng(`tmdb:season-ext:${tvId}:${String(season.season_number)}`);
  return { id: season.id ?? 0, freebase_mid: null, freebase_id: null, tvdb_id: rng.int(10_000, 900_000), tvrage_id: null, wikidata_id: rng.chance(0.5) ? `Q${rng.int(1_000, 90_000_000)}` : null };
}

export function tmdbEpisodeExternalIds(tvId: number, episode: JsonObject): JsonObject {
  const key = `${tvId}:${String(episode.season_number)}:${String(episode.episode_number)}`;
  const rng = new Rng(`tmdb:episode-ext:${key}`);
  return {
    id: episode.id ?? 0,
    imdb_id: imdbIdFor('episode', hashString(key)),
    freebase_mid: null,
    freebase_id: null,
    tvdb_id: rng.int(100_000, 9_000_000),
    tvrage_id: rng.chance(0.4) ? rng.int(1_000, 2_000_000) : null,
    wikidata_id: rng.chance(0.3) ? `Q${rng.int(1_000, 90_000_000)}` : null,
  };
}

/** One TMDB image entry. */
export function tmdbImage(rng: Rng, ratio: number, width: number, lang: string | null, ext: 'jpg' | 'png' = 'jpg'): JsonObject {
  return { aspect_ratio: ratio, height: Math.round(width / ratio), iso_639_1: lang, file_path: rng.imagePath(ext), vote_average: rng.chance(0.6) ? rng.float(5, 6, 3) : 0, vote_count: rng.int(0, 30), width };
}

export function tmdbSeasonImages(seed: string, id: number): JsonObject {
  const rng = new Rng(`tmdb:season-images:${seed}`);
  return { id, posters: Array.from({ length: rng.int(1, 10) }, () => tmdbImage(rng, 0.667, rng.pick([1000, 2000]), rng.chance(0.7) ? 'en' : null)) };
}

export function tmdbEpisodeImages(seed: string, id: number): JsonObject {
  const rng = new Rng(`tmdb:episode-images:${seed}`);
  return { id, stills: Array.from({ length: rng.int(1, 5) }, () => tmdbImage(rng, 1.778, rng.pick([1280, 1920]), null)) };
}

// ---------------------------------------------------------------------------------------------
// Episode groups and theatrical screenings

const GROUP_KINDS: readonly [number, string][] = [[1, 'Original air date'], [2, 'Absolute'], [3, 'DVD'], [4, 'Digital'], [5, 'Story arc'], [6, 'Production'], [7, 'TV']];

/** A show's episodes as seasons hold them (the handler passes fixture seasons when there are some). */
export type SeasonEpisodes = { season_number: number; episodes: JsonObject[] }[];

function groupNetwork(tvId: number): JsonObject {
  const rng = new Rng(`tmdb:group-network:${tvId}`);
  return { id: rng.int(1, 9_000), logo_path: rng.imagePath('png'), name: rng.pick(NETWORK_NAMES), origin_country: 'US' };
}

function groupSummary(tvId: number, index: number, seasons: SeasonEpisodes): JsonObject {
  const id = ownedHexId(tvId, 1, `group:${tvId}:${index}`);
  const rng = new Rng(`tmdb:group:${id}`);
  const [type, label] = rng.pick(GROUP_KINDS);
  return {
    description: rng.chance(0.5) ? `${label} order of the show.` : '',
    episode_count: seasons.reduce((sum, s) => sum + s.episodes.length, 0),
    group_count: seasons.length,
    id,
    name: `${label} Order`,
    network: groupNetwork(tvId),
    type,
  };
}

function groupCount(tvId: number): number {
  return new Rng(`tmdb:group-count:${tvId}`).int(1, 3);
}

/** `/tv/{id}/episode_groups`. */
export function tmdbEpisodeGroups(tvId: number, seasons: SeasonEpisodes): JsonObject {
  return { results: Array.from({ length: groupCount(tvId) }, (_, i) => groupSummary(tvId, i, seasons)), id: tvId };
}

/** `/tv/episode_group/{id}`: one group per season, episodes in order. */
export function tmdbEpisodeGroup(hex: string, seasonsOf: (tvId: number) => SeasonEpisodes): JsonObject {
  const { owner: tvId } = ownerOfHexId(hex);
  const seasons = seasonsOf(tvId);
  const index = hashString(hex) % groupCount(tvId);
  const summary: JsonObject = { ...groupSummary(tvId, index, seasons), id: hex };
  const groups = seasons.map((season, order) => ({
    id: new Rng(`tmdb:group-part:${hex}:${order}`).hex(24),
    name: season.season_number === 0 ? 'Specials' : `Part ${order + 1}`,
    order: order + 1,
    episodes: season.episodes.map((e, i) => {
      const { crew: _crew, guest_stars: _guests, ...episode } = e;
      return { ...episode, show_id: tvId, order: i };
    }),
    locked: true,
  }));
  return { description: summary.description ?? '', episode_count: summary.episode_count ?? 0, group_count: groups.length, groups, id: hex, name: summary.name ?? '', network: summary.network ?? null, type: summary.type ?? 1 };
}

/**
 * `/tv/{id}/screened_theatrically`: a few episodes. Nothing in it is text a revision could mark,
 * so an edited show toggles one episode in or out (revision N: the N-th episode).
 */
export function tmdbScreenedTheatrically(tvId: number, seasons: SeasonEpisodes, revision = 0): JsonObject {
  const rng = new Rng(`tmdb:screened:${tvId}`);
  const episodes = seasons.filter((s) => s.season_number > 0).flatMap((s) => s.episodes);
  let picked = rng.sample(episodes, rng.int(0, Math.min(3, episodes.length)));
  const toggled = revision > 0 ? episodes[revision % episodes.length] : undefined;
  if (toggled !== undefined) picked = picked.includes(toggled) ? picked.filter((e) => e !== toggled) : [...picked, toggled];
  return { id: tvId, results: picked.map((e) => ({ id: e.id ?? 0, episode_number: e.episode_number ?? 0, season_number: e.season_number ?? 0 })) };
}

