/**
 * How long each family of routes stays fresh, and how long after that a stale copy may still be
 * answered (while a refresh runs, or while the upstream is failing). One table, chosen per route in
 * the route table: never by matching substrings of a URL.
 */
export const ROUTE_FAMILIES = ['details', 'seasons', 'search', 'images', 'lists', 'reference'] as const;
export type RouteFamily = (typeof ROUTE_FAMILIES)[number];

export interface Freshness {
  /** Milliseconds an entry is answered without asking upstream. */
  freshMs: number;
  /** Milliseconds after the fresh period during which the entry may still be answered stale. */
  staleMs: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const DEFAULT_POLICY: Readonly<Record<RouteFamily, Freshness>> = Object.freeze({
  // Movie/show/person/collection records: change rarely.
  details: { freshMs: 24 * HOUR, staleMs: 30 * DAY },
  // Seasons and episodes: still change while a season airs (see UNSETTLED_FRESH_MS).
  seasons: { freshMs: 24 * HOUR, staleMs: 14 * DAY },
  search: { freshMs: 24 * HOUR, staleMs: 7 * DAY },
  images: { freshMs: 7 * DAY, staleMs: 90 * DAY },
  // Trending, popular, now playing, discover...: change hourly upstream.
  lists: { freshMs: 1 * HOUR, staleMs: 1 * DAY },
  // Genres, configuration, watch providers, TVDB type lists.
  reference: { freshMs: 1 * DAY, staleMs: 30 * DAY },
});

/**
 * With the change feeds on (CHANGES_POLL_INTERVAL), changes to movies, shows, people and their
 * seasons and episodes arrive through the feeds within minutes, so their entries may stay fresh for a
 * week. The week is the ceiling for what the feeds miss (both upstreams are known to miss some edits).
 */
export const FEED_POLICY: Readonly<Partial<Record<RouteFamily, Freshness>>> = Object.freeze({
  details: { freshMs: 7 * DAY, staleMs: 30 * DAY },
  seasons: { freshMs: 7 * DAY, staleMs: 14 * DAY },
});

/** Fresh period for a season/episode body that is still airing or carries placeholder data. */
export const UNSETTLED_FRESH_MS = 6 * HOUR;
/** Episodes that aired less than this long ago may still get names, overviews and stills. */
export const SETTLING_WINDOW_MS = 14 * DAY;
/** Default fresh period of a cached upstream 404. */
export const DEFAULT_NEGATIVE_TTL_MS = 1 * HOUR;

export type Policy = Readonly<Record<RouteFamily, Freshness>>;
