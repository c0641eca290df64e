import type { UpstreamName } from '../upstreams/types.ts';
import type { RouteFamily } from './policy.ts';

/**
 * Where a cached answer comes from: enough to fetch it again without the request that first asked
 * for it (a background refresh, an operator's refresh, a change feed), and to know what it is about.
 * Built by the catalog from a validated request; the cache key is derived from it, never written by hand.
 */
export interface Origin {
  readonly upstream: UpstreamName;
  /** Upstream path below the base URL, every parameter encoded: `/movie/550`. */
  readonly path: string;
  /** Canonical query (sorted, re-encoded, only the endpoint's parameters), no leading `?`; may be ''. */
  readonly query: string;
  readonly family: RouteFamily;
  /** Season/episode bodies: fresh for hours while still airing. */
  readonly settles: boolean;
  /** The records this answer is about (`tmdb:movie:550`), known from the path alone. */
  readonly records: readonly string[];
  /** Records named inside the answer (a TVDB season names its series), read when it is stored. */
  readonly bodyRecords?: readonly BodyRecord[];
}

/** A record read from a JSON answer: the number at `path`, put into `record` for its `{}`. */
export interface BodyRecord {
  readonly path: readonly string[];
  readonly record: string;
}

/** The records `rules` find in a parsed answer (numbers only, so nothing odd can become a record id). */
export function recordsInBody(rules: readonly BodyRecord[] | undefined, body: unknown): string[] {
  if (rules === undefined) return [];
  const found: string[] = [];
  for (const rule of rules) {
    let value: unknown = body;
    for (const step of rule.path) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[step] : undefined;
    if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) found.push(rule.record.replace('{}', String(value)));
  }
  return found;
}

/** `tmdb:/movie/550?language=de-DE`: one string per distinct upstream request. */
export function keyOf(origin: Pick<Origin, 'upstream' | 'path' | 'query'>): string {
  return origin.query === '' ? `${origin.upstream}:${origin.path}` : `${origin.upstream}:${origin.path}?${origin.query}`;
}

/** The upstream request a key stands for, or null for a string that is not one of our keys. */
export function requestOfKey(key: string): Pick<Origin, 'upstream' | 'path' | 'query'> | null {
  const colon = key.indexOf(':');
  const upstream = key.slice(0, colon);
  if (upstream !== 'tmdb' && upstream !== 'tvdb') return null;
  const rest = key.slice(colon + 1);
  if (!rest.startsWith('/')) return null;
  const mark = rest.indexOf('?');
  return mark === -1 ? { upstream, path: rest, query: '' } : { upstream, path: rest.slice(0, mark), query: rest.slice(mark + 1) };
}

/** The key as it may appear in a log line: upstream and path, never the query (a search text is private). */
export function loggableKey(key: string): string {
  const mark = key.indexOf('?');
  return mark === -1 ? key : `${key.slice(0, mark)}?…`;
}

/** `tmdb:movie:550`: what an operator or a change feed names when it invalidates. */
export function recordId(upstream: UpstreamName, type: string, id: string | number): string {
  return `${upstream}:${type}:${id}`;
}
