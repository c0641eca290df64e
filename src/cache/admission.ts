import { UpstreamErrorResponse, UpstreamFailure } from '../upstreams/errors.ts';
import type { UpstreamResponse } from '../upstreams/types.ts';
import { createEntry, type CacheEntry } from './entry.ts';
import { recordsInBody, type Origin } from './key.ts';
import { UNSETTLED_FRESH_MS, type Freshness, type Policy } from './policy.ts';
import { isUnsettled } from './settling.ts';

export interface AdmissionRules {
  policy: Policy;
  negativeTtlMs: number;
  gzipLevel: number;
}

/**
 * Decides what an upstream answer becomes. Only JSON 2xx answers and JSON 404s are stored. Every
 * other answer is thrown, so it reaches the waiting clients but never the cache:
 * - 401/403: the relay's own credential is wrong -> UpstreamFailure('auth_rejected');
 * - a 2xx that is not JSON (an HTML error page, a truncated body) -> UpstreamFailure('invalid_response');
 * - a 3xx -> UpstreamFailure('redirect'): followed by nobody, its Location never shown;
 * - any other status -> UpstreamErrorResponse, passed to the client as it came.
 */
export function admit(origin: Origin, response: UpstreamResponse, rules: AdmissionRules, now: number): CacheEntry {
  const { status } = response;
  const { upstream } = origin;
  if (status === 401 || status === 403) {
    throw new UpstreamFailure(upstream, 'auth_rejected', "Upstream rejected the relay's credentials");
  }
  if (status >= 300 && status < 400) {
    throw new UpstreamFailure(upstream, 'redirect', `Upstream answered ${status}, a redirect`);
  }
  const parsed = needsParse(origin) ? parseJson(response) : looksLikeJson(response);
  if (status >= 200 && status < 300) {
    if (parsed === INVALID) throw new UpstreamFailure(upstream, 'invalid_response', 'Upstream returned an invalid response');
    return createEntry(response, freshnessFor(origin, rules.policy, parsed, now), now, rules.gzipLevel, origin, recordsOf(origin, parsed));
  }
  if (status === 404 && parsed !== INVALID && rules.negativeTtlMs > 0) {
    // No stale window: a 404 is answered for CACHE_NEGATIVE_TTL and then asked again.
    const freshness: Freshness = { freshMs: rules.negativeTtlMs, staleMs: 0 };
    return createEntry(response, freshness, now, rules.gzipLevel, origin, origin.records);
  }
  throw new UpstreamErrorResponse(upstream, response);
}

function recordsOf(origin: Origin, body: unknown): readonly string[] {
  const found = recordsInBody(origin.bodyRecords, body);
  if (found.length === 0) return origin.records;
  return [...new Set([...origin.records, ...found])];
}

function freshnessFor(origin: Origin, policy: Policy, body: unknown, now: number): Freshness {
  const base = policy[origin.family];
  if (origin.settles && isUnsettled(body, now)) {
    return { freshMs: Math.min(base.freshMs, UNSETTLED_FRESH_MS), staleMs: base.staleMs };
  }
  return base;
}

const INVALID = Symbol('invalid');
/** A body that was checked for its JSON shape but not parsed (nothing needed its contents). */
const UNPARSED = Symbol('unparsed');

/** Whether admission reads the body's contents: for the records it names, or to see if it is settled. */
function needsParse(origin: Origin): boolean {
  return origin.settles || (origin.bodyRecords?.length ?? 0) > 0;
}

/**
 * The cheap check for bodies nobody needs parsed: a JSON content type and an object or array from its
 * first byte to its last. Catches what upstreams really send instead of JSON (an HTML error page, a
 * body cut short) without JSON.parse, whose object graph (about ten times the body) was most of the
 * garbage a miss left behind.
 */
function looksLikeJson(response: UpstreamResponse): typeof UNPARSED | typeof INVALID {
  if (!/\bjson\b/i.test(response.contentType)) return INVALID;
  const body = response.body;
  let first = 0;
  let last = body.length - 1;
  while (first <= last && isSpace(body[first] as number)) first++;
  while (last >= first && isSpace(body[last] as number)) last--;
  if (first > last) return INVALID;
  const open = body[first];
  const close = body[last];
  return (open === 0x7b && close === 0x7d) || (open === 0x5b && close === 0x5d) ? UNPARSED : INVALID;
}

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

function parseJson(response: UpstreamResponse): unknown {
  if (!/\bjson\b/i.test(response.contentType)) return INVALID;
  try {
    return JSON.parse(new TextDecoder().decode(response.body));
  } catch {
    return INVALID;
  }
}
