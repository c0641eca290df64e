/**
 * Canonical queries. The incumbent keyed on the raw query string, so `a=1&b=2` and `b=2&a=1`, or `%2C`
 * and `,`, or `+` and `%20`, were different cache entries and different upstream calls. Here every
 * variant of one request becomes one string, used both as (part of) the cache key and as the query
 * sent upstream. Only the parameters an endpoint knows are kept: anything else (`?cb=123`) would make
 * a new key and a new upstream call per value, a way around the cache and the budget.
 */
import { SecondChanceMap, type BoundedTableFigures } from './second-chance-map.ts';

export class QueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueryError';
  }
}

/** Parameters that are never forwarded: the relay adds its own credential. */
const DROPPED = new Set(['api_key']);
/** Parameter names the upstream APIs use: letters, digits, `_`, `.`, `-` (e.g. vote_average.gte). */
const PARAM_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
/** Control characters (C0, DEL, C1) have no business in a query value. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const MAX_VALUE_LENGTH = 512;

/** Comma lists whose order and duplicates carry no meaning. */
const SET_VALUED = new Set(['append_to_response', 'include_image_language', 'include_video_language']);

export interface CanonicalQuery {
  /** Sorted, re-encoded `name=value&...`: part of the cache key and the query sent upstream. */
  text: string;
  /** The same parameters decoded, for validation against the route's query schema. */
  params: Readonly<Record<string, string>>;
}

/** Which parameter names an endpoint keeps; `id` names the scope in the memo. */
export interface QueryScope {
  readonly id: string;
  readonly allowed: ReadonlySet<string>;
}

export function canonicalQuery(rawQuery: string, maxParams = 32, allowed?: ReadonlySet<string>): string {
  return parseQuery(rawQuery, maxParams, allowed).text;
}

/**
 * Every parameter is checked (name, characters, length, no repeats) whether it is kept or not, so a
 * hostile query is refused the same way on every route; then names outside `allowed` are dropped.
 */
export function parseQuery(rawQuery: string, maxParams = 32, allowed?: ReadonlySet<string>): CanonicalQuery {
  if (rawQuery === '') return EMPTY;
  const pairs: [string, string][] = [];
  const seen = new Set<string>();
  const parts = rawQuery.split('&');
  if (parts.length > maxParams) throw new QueryError(`Too many query parameters (at most ${maxParams})`);
  for (const part of parts) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decodeComponent(eq === -1 ? part : part.slice(0, eq));
    const value = eq === -1 ? '' : decodeComponent(part.slice(eq + 1)).trim();
    if (DROPPED.has(name.toLowerCase())) continue;
    if (!PARAM_NAME.test(name)) throw new QueryError(`Query parameter name '${printable(name)}' is not allowed`);
    if (CONTROL.test(value)) throw new QueryError(`Query parameter '${name}' contains control characters`);
    if (value.length > MAX_VALUE_LENGTH) throw new QueryError(`Query parameter '${name}' is longer than ${MAX_VALUE_LENGTH} characters`);
    if (seen.has(name)) throw new QueryError(`Query parameter '${printable(name)}' is given more than once`);
    seen.add(name);
    if (allowed !== undefined && !allowed.has(name)) continue;
    const normalised = SET_VALUED.has(name) ? normaliseList(value) : value;
    if (normalised === '') continue;
    pairs.push([name, normalised]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return {
    text: pairs.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('&'),
    params: Object.freeze(Object.fromEntries(pairs)),
  };
}

const EMPTY: CanonicalQuery = Object.freeze({ text: '', params: Object.freeze({}) });

/**
 * parseQuery with a memory: clients repeat the same raw query strings (Mydia always writes its
 * parameters the same way), so the hit path mostly skips decoding, sorting and encoding. Bounded;
 * only successful parses are remembered.
 */
export class QueryCanonicalizer {
  private readonly memo: SecondChanceMap<CanonicalQuery>;

  /** Bounded in bytes (raw plus canonical text, roughly): 4 MiB by default; least recently used go first. */
  constructor(
    private readonly maxParams: number,
    maxBytes = 4 * 1024 * 1024,
  ) {
    this.memo = new SecondChanceMap(maxBytes);
  }

  parse(rawQuery: string, scope: QueryScope): CanonicalQuery {
    const memoKey = `${scope.id}?${rawQuery}`;
    const known = this.memo.get(memoKey);
    if (known !== undefined) return known;
    const parsed = parseQuery(rawQuery, this.maxParams, scope.allowed);
    this.memo.set(memoKey, parsed, 4 * (memoKey.length + parsed.text.length) + 128);
    return parsed;
  }

  /** The memo's figures, for /stats. */
  get figures(): BoundedTableFigures {
    return this.memo.figures;
  }
}

/** "credits, images,credits" -> "credits,images" */
export function normaliseList(value: string): string {
  const items = new Set<string>();
  for (const item of value.split(',')) {
    const trimmed = item.trim();
    if (trimmed !== '') items.add(trimmed);
  }
  return [...items].sort().join(',');
}

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    throw new QueryError('Query string is not valid percent-encoding');
  }
}

/** Names echoed in errors are shortened and stripped of control characters. */
function printable(name: string): string {
  const clean = name.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 40 ? `${clean.slice(0, 40)}...` : clean;
}
