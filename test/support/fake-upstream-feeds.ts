/**
 * The change feeds of the fake upstreams, built from the edits a test made (fake-upstream-edits.ts):
 *
 *   TMDB `/movie/changes`, `/tv/changes`, `/person/changes`: ids changed in a window of UTC days
 *     (start_date..end_date inclusive, default the last 24 hours, at most 14 days apart), 100 a page.
 *   TMDB `/{kind}/{id}/changes`: that record's changes in the window, as `{changes: [{key, items}]}`.
 *   TVDB `/updates?since=&type=&action=&page=`: update records since a unix time (at most 90 days
 *     back), oldest first, 500 a page, with absolute links.
 *
 * Only edits appear: an untouched fake reports no changes, so a test sees exactly what it did.
 * The feeds list an edit from its `at`, also while its data is still delayed.
 */
import { type EditEntry, hexIdFor, revisedText } from './fake-upstream-edits.ts';
import type { JsonObject } from './generate-common.ts';
import { TVDB_LIST_PAGE_SIZE, tvdbLinks } from './generate-tvdb.ts';

const DAY_MS = 86_400_000;
export const TMDB_CHANGES_PAGE_SIZE = 100;
/** TMDB refuses windows whose end is more than this many days after the start. */
export const TMDB_CHANGES_MAX_DAYS = 14;
/** TVDB refuses `since` older than "3 months": the fake says 90 days. */
export const TVDB_UPDATES_MAX_AGE_S = 90 * 86_400;

export const TMDB_FEED_ERRORS = {
  invalidDateRange: { success: false, status_code: 20, status_message: 'Invalid date range: Should be a range no longer than 14 days.' },
  invalidDate: { success: false, status_code: 23, status_message: 'Invalid date: Format needs to be year-month-day.' },
} as const satisfies Record<string, JsonObject>;

export type TmdbFeed = { ok: JsonObject } | { status: number; error: JsonObject };
export type TvdbFeed = { ok: JsonObject[]; links: JsonObject } | { status: number; message: string };

/** [from, to) in ms. */
interface Window {
  from: number;
  to: number;
}

/** Midnight UTC of a strict YYYY-MM-DD (null when malformed or not a real day, e.g. 2025-02-30). */
function parseDay(text: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  const ms = Date.parse(`${text}T00:00:00Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().startsWith(text) ? ms : null;
}

const dayOf = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;

/**
 * The window of start_date/end_date: both absent is the last 24 hours up to now; a missing
 * start is the day before the end, a missing end is today.
 */
function changesWindow(query: Record<string, string>, nowMs: number): Window | { status: number; error: JsonObject } {
  const { start_date: startText, end_date: endText } = query;
  if ((startText === undefined || startText === '') && (endText === undefined || endText === '')) return { from: nowMs - DAY_MS, to: nowMs + 1 };
  const end = endText === undefined || endText === '' ? dayOf(nowMs) : parseDay(endText);
  const start = startText === undefined || startText === '' ? (end === null ? null : end - DAY_MS) : parseDay(startText);
  if (start === null || end === null) return { status: 400, error: TMDB_FEED_ERRORS.invalidDate };
  if (end - start > TMDB_CHANGES_MAX_DAYS * DAY_MS) return { status: 422, error: TMDB_FEED_ERRORS.invalidDateRange };
  return { from: start, to: end + DAY_MS };
}

/** `/movie/changes` etc.: each changed id once (at its newest change in the window), oldest first. */
export function tmdbChangesList(entries: readonly EditEntry[], type: string, query: Record<string, string>, page: number, nowMs: number): TmdbFeed {
  const window = changesWindow(query, nowMs);
  if ('error' in window) return window;
  const newest = new Map<number, number>();
  for (const e of entries) if (e.type === type && e.at >= window.from && e.at < window.to) newest.set(e.id, Math.max(newest.get(e.id) ?? e.at, e.at));
  const ids = [...newest.entries()].sort((a, b) => a[1] - b[1] || a[0] - b[0]).map(([id]) => id);
  const from = (page - 1) * TMDB_CHANGES_PAGE_SIZE;
  const results = ids.slice(from, from + TMDB_CHANGES_PAGE_SIZE).map((id) => ({ id, adult: false }));
  return { ok: { results, page, total_pages: Math.ceil(ids.length / TMDB_CHANGES_PAGE_SIZE), total_results: ids.length } };
}

/** The text fields a TMDB record's change items describe, with their revision-0 values. */
export interface ChangedText {
  key: string;
  text: string;
}

/** "2023-04-08 16:35:05 UTC". */
function tmdbTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

const ACTIONS: Record<EditEntry['method'], string> = { create: 'added', update: 'updated', delete: 'deleted' };

function changeItem(entry: EditEntry, revision: number, field: ChangedText): JsonObject {
  const item: JsonObject = {
    id: hexIdFor(`change:${entry.upstream}:${entry.type}:${entry.id}:${revision}:${field.key}`),
    action: ACTIONS[entry.method],
    time: tmdbTime(entry.at),
    iso_639_1: 'en',
    iso_3166_1: 'US',
  };
  if (entry.method !== 'delete') item.value = revisedText(field.text, revision);
  if (entry.method !== 'create') item.original_value = revisedText(field.text, revision - 1);
  return item;
}

/** `/{kind}/{id}/changes`: one entry per changed field, one item per edit in the window. */
export function tmdbRecordChanges(history: readonly EditEntry[], fields: readonly ChangedText[], query: Record<string, string>, nowMs: number): TmdbFeed {
  const window = changesWindow(query, nowMs);
  if ('error' in window) return window;
  const inWindow = history.map((entry, i) => ({ entry, revision: i + 1 })).filter(({ entry }) => entry.at >= window.from && entry.at < window.to);
  if (inWindow.length === 0) return { ok: { changes: [] } };
  return { ok: { changes: fields.map((field) => ({ key: field.key, items: inWindow.map(({ entry, revision }) => changeItem(entry, revision, field)) })) } };
}

// ---------------------------------------------------------------------------------------------
// TVDB /updates

const METHOD_INT: Record<EditEntry['method'], number> = { create: 1, update: 2, delete: 3 };

function updateRecord(entry: EditEntry, seriesIdOf: (episodeId: number) => number | null): JsonObject {
  const record: JsonObject = {
    recordType: '',
    recordId: entry.id,
    methodInt: METHOD_INT[entry.method],
    method: entry.method,
    extraInfo: '',
    userId: 0,
    timeStamp: Math.floor(entry.at / 1000),
    entityType: entry.type,
  };
  const seriesId = entry.seriesId ?? (entry.type === 'episodes' ? seriesIdOf(entry.id) : null);
  if (seriesId !== null) record.seriesId = seriesId;
  if (entry.mergeToId !== undefined) {
    record.mergeToId = entry.mergeToId;
    record.mergeToEntityType = entry.type;
  }
  return record;
}

function pageParam(raw: string | undefined): number | null {
  if (raw === undefined || raw === '') return 0;
  return /^\d{1,9}$/.test(raw) ? Number(raw) : null;
}

/** `/updates`: the TVDB edits since `since` (seconds), filtered by `type` (entityType) and `action` (method). */
export function tvdbUpdates(entries: readonly EditEntry[], query: Record<string, string>, nowMs: number, seriesIdOf: (episodeId: number) => number | null): TvdbFeed {
  const { since: sinceText, type, action } = query;
  if (sinceText === undefined || sinceText === '') return { status: 400, message: 'InvalidValueType: since is required' };
  if (!/^\d{1,12}$/.test(sinceText)) return { status: 400, message: 'InvalidValueType: since must be a unix time in seconds' };
  const since = Number(sinceText);
  if (since < Math.floor(nowMs / 1000) - TVDB_UPDATES_MAX_AGE_S) return { status: 400, message: 'InvalidValueType: since greater than 3 months ago' };
  const page = pageParam(query.page);
  if (page === null) return { status: 400, message: 'InvalidValueType: page must be an integer' };
  const matching = entries.filter((e) =>
    Math.floor(e.at / 1000) >= since
    && (type === undefined || type === '' || e.type === type)
    && (action === undefined || action === '' || e.method === action));
  const echo: [string, string][] = [['since', sinceText]];
  if (type !== undefined && type !== '') echo.push(['type', type]);
  if (action !== undefined && action !== '') echo.push(['action', action]);
  const pageItems = matching.slice(page * TVDB_LIST_PAGE_SIZE, (page + 1) * TVDB_LIST_PAGE_SIZE);
  return { ok: pageItems.map((e) => updateRecord(e, seriesIdOf)), links: tvdbLinks('/updates', echo, page, TVDB_LIST_PAGE_SIZE, matching.length) };
}

