import { SETTLING_WINDOW_MS } from './policy.ts';

/**
 * A season or episode is "unsettled" while upstream data is still moving: an episode airs within the
 * settling window (or in the future, or has no date yet), or carries a placeholder name such as
 * "TBA" or "Episode 8". Such bodies are cached for hours instead of a day, so new names and stills
 * reach clients soon.
 */
export function isUnsettled(body: unknown, now: number): boolean {
  return episodesOf(body).some((episode) => isUnsettledEpisode(episode, now));
}

interface EpisodeLike {
  name?: unknown;
  air_date?: unknown; // TMDB
  aired?: unknown; // TVDB
}

const PLACEHOLDER_NAME = /^(|tba|tbd|to be announced|episode\s*#?\s*\d+)$/i;

function isUnsettledEpisode(episode: EpisodeLike, now: number): boolean {
  const name = typeof episode.name === 'string' ? episode.name.trim() : '';
  if (PLACEHOLDER_NAME.test(name)) return true;
  const date = episode.air_date ?? episode.aired;
  if (typeof date !== 'string' || date === '') return true;
  const airedAt = Date.parse(date);
  if (Number.isNaN(airedAt)) return true;
  return airedAt > now - SETTLING_WINDOW_MS;
}

/** The episodes in a TMDB season/episode body or a TVDB season/episode/episode-list envelope. */
function episodesOf(body: unknown): EpisodeLike[] {
  if (!isRecord(body)) return [];
  const root = isRecord(body.data) ? body.data : body; // TVDB wraps in {status, data}
  if (Array.isArray(root.episodes)) return root.episodes.filter(isRecord);
  // A single episode: TMDB has episode_number, TVDB has seasonNumber/number.
  if ('episode_number' in root || ('aired' in root && 'number' in root)) return [root];
  return [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
