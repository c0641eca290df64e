/**
 * Record edits for the fake upstreams: what a test changed, when, and what the data endpoints and
 * the change feeds (TMDB `/movie/changes` etc., TVDB `/updates`) make of it.
 *
 *   store.add('tvdb', 'series', 78878, { at: now - 60_000, dataDelayMs: 120_000 }, now);
 *   store.state('tvdb', 'series', 78878, now); // { revision: 0, ... } until at + dataDelayMs
 *
 * A record's revision is the number of its edits the data endpoints show at a given time (an edit
 * shows from `at + dataDelayMs`); `reviseBody` turns a revision-0 body into the revision-N body.
 * The feeds list an edit from `at`, whatever its delay (TVDB really lists changes before it
 * serves them).
 */
import { type Json, type JsonObject, Rng, hashString } from './generate-common.ts';

export type EditUpstream = 'tmdb' | 'tvdb';
export type EditMethod = 'create' | 'update' | 'delete';

export interface EditOptions {
  /** When the change happened (ms); default the fake's now(). */
  at?: number;
  /** The data endpoints keep the old body until at + dataDelayMs. Default 0. */
  dataDelayMs?: number;
  /** Default 'update' ('delete' when mergeToId is given: TVDB merges delete the duplicate). */
  method?: EditMethod;
  /** TVDB: the record this one was merged into (reported in the update record). */
  mergeToId?: number;
  /** TVDB episodes: the series, for the update record (default: the episode's own seriesId). */
  seriesId?: number;
}

export interface EditEntry {
  upstream: EditUpstream;
  type: string;
  id: number;
  at: number;
  /** at + dataDelayMs: from then on the data endpoints show this edit. */
  visibleAt: number;
  method: EditMethod;
  mergeToId: number | undefined;
  seriesId: number | undefined;
  /** Insertion order, to break ties between equal times. */
  seq: number;
}

/** What the data endpoints of one record show at some time. */
export interface RecordState {
  revision: number;
  deleted: boolean;
  /** `at` of the newest visible edit (for TVDB's lastUpdated), null when there is none. */
  lastAt: number | null;
}

export const EDIT_TYPES: Record<EditUpstream, readonly string[]> = {
  tmdb: ['movie', 'tv', 'person'],
  tvdb: ['series', 'movies', 'people', 'episodes', 'seasons', 'artwork'],
};

/** A record nobody edited (or not yet visibly). */
export const UNEDITED: RecordState = { revision: 0, deleted: false, lastAt: null };

const byTime = (a: EditEntry, b: EditEntry) => a.at - b.at || a.seq - b.seq;

export class EditStore {
  private readonly records = new Map<string, EditEntry[]>();
  private readonly all: EditEntry[] = [];
  private seq = 0;

  /** Throws on an unknown type or a bad id, so a test's typo fails loudly instead of never matching. */
  add(upstream: EditUpstream, type: string, id: number, options: EditOptions, nowMs: number): EditEntry {
    if (!EDIT_TYPES[upstream].includes(type)) throw new TypeError(`editRecord: ${upstream} has no type '${type}' (one of ${EDIT_TYPES[upstream].join(', ')})`);
    if (!Number.isSafeInteger(id) || id < 0) throw new TypeError(`editRecord: id must be a non-negative integer, got ${String(id)}`);
    const at = options.at ?? nowMs;
    const delay = options.dataDelayMs ?? 0;
    if (!Number.isFinite(at) || !Number.isFinite(delay) || delay < 0) throw new TypeError('editRecord: at and dataDelayMs must be finite (dataDelayMs >= 0)');
    const entry: EditEntry = {
      upstream,
      type,
      id,
      at,
      visibleAt: at + delay,
      method: options.method ?? (options.mergeToId === undefined ? 'update' : 'delete'),
      mergeToId: options.mergeToId,
      seriesId: options.seriesId,
      seq: this.seq++,
    };
    const key = recordKey(upstream, type, id);
    const list = this.records.get(key) ?? [];
    list.push(entry);
    this.records.set(key, list);
    this.all.push(entry);
    return entry;
  }

  /** Every edit of a record, oldest first (by `at`). */
  history(upstream: EditUpstream, type: string, id: number): EditEntry[] {
    return [...(this.records.get(recordKey(upstream, type, id)) ?? [])].sort(byTime);
  }

  state(upstream: EditUpstream, type: string, id: number, nowMs: number): RecordState {
    const list = this.records.get(recordKey(upstream, type, id));
    if (list === undefined) return UNEDITED;
    const visible = list.filter((e) => e.visibleAt <= nowMs);
    if (visible.length === 0) return UNEDITED;
    const newest = visible.reduce((a, b) => (b.visibleAt > a.visibleAt || (b.visibleAt === a.visibleAt && b.seq > a.seq) ? b : a));
    return { revision: visible.length, deleted: newest.method === 'delete', lastAt: newest.at };
  }

  /** The edits of one upstream, oldest first. */
  entries(upstream: EditUpstream): EditEntry[] {
    return this.all.filter((e) => e.upstream === upstream).sort(byTime);
  }

  clear(): void {
    this.records.clear();
    this.all.length = 0;
  }
}

function recordKey(upstream: EditUpstream, type: string, id: number): string {
  return `${upstream}:${type}:${id}`;
}

// ---------------------------------------------------------------------------------------------
// Revised bodies

/** Free text of a record: `name`, `title`, `overview`, ... get a " (rev N)" mark. */
const TEXT_KEYS = new Set(['title', 'name', 'overview', 'biography', 'content', 'description', 'character', 'tagline']);
/** Image paths and URLs get a new file name (a new upload). */
const IMAGE_KEYS = new Set(['file_path', 'poster_path', 'backdrop_path', 'profile_path', 'still_path', 'logo_path', 'image', 'thumbnail']);
/** Social handles change too, so bodies without text or images (external_ids) still differ. */
const HANDLE_KEYS = new Set(['facebook_id', 'instagram_id', 'twitter_id', 'tiktok_id', 'youtube_id']);
/** Reference data embedded in a record (genres, statuses, networks): the same for everyone, left alone. */
const REFERENCE_KEYS = new Set([
  'genres', 'spoken_languages', 'production_countries', 'production_companies', 'networks', 'network', 'status', 'type',
  'companies', 'originalNetwork', 'latestNetwork', 'tags', 'tagOptions', 'contentRatings', 'remoteIds', 'seasonTypes', 'award',
  'author_details', 'dates',
]);

/** The text a record's field has at a revision (revision 0: unchanged). */
export function revisedText(text: string, revision: number): string {
  return revision === 0 || text === '' || text === 'TBA' ? text : `${text} (rev ${revision})`;
}

function revisedImage(path: string, revision: number): string {
  return path.replace(/([^/]+)(\.(?:jpg|jpeg|png|svg))$/, (_, stem: string, ext: string) => `${new Rng(`rev:${revision}:${path}`).token(stem.length)}${ext}`);
}

function revisedHandle(key: string, value: string, revision: number): string {
  return key === 'youtube_id' ? `${value}${revision}` : `${value}_r${revision}`;
}

/** "YYYY-MM-DD hh:mm:ss" (TVDB's lastUpdated) in UTC. */
export function tvdbTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

function reviseValue(key: string, value: Json, revision: number, depth: number, lastAt: number | null): Json {
  if (typeof value === 'string') {
    if (TEXT_KEYS.has(key)) return revisedText(value, revision);
    if (IMAGE_KEYS.has(key)) return revisedImage(value, revision);
    if (HANDLE_KEYS.has(key) && value !== '') return revisedHandle(key, value, revision);
    if (key === 'wikidata_id') return value.replace(/^Q(\d+)$/, (_, n: string) => `Q${Number(n) + revision}`);
    if (key === 'lastUpdated' && depth === 0 && lastAt !== null) return tvdbTime(lastAt);
    return value;
  }
  if (key === 'descriptors' && Array.isArray(value)) return [...value, `Revision ${revision}`];
  if (REFERENCE_KEYS.has(key)) return value;
  return reviseNode(value, revision, depth + 1, lastAt);
}

function reviseNode(value: Json, revision: number, depth: number, lastAt: number | null): Json {
  if (Array.isArray(value)) return value.map((item) => reviseNode(item, revision, depth, lastAt));
  if (value === null || typeof value !== 'object') return value;
  const out: JsonObject = {};
  // A language or country entry's `name` names the language, not the record.
  const describesLanguage = 'english_name' in value;
  for (const [key, item] of Object.entries(value)) {
    out[key] = key === 'name' && describesLanguage ? item : reviseValue(key, item, revision, depth, lastAt);
  }
  return out;
}

/**
 * The body a record's endpoint serves at `revision`: its text marked " (rev N)", new image file
 * names, new social handles, an extra content-rating descriptor; TVDB's top-level lastUpdated
 * becomes the edit time. Reference data (genres, statuses, networks) and "TBA" stay as they are,
 * so an unsettled season stays unsettled.
 */
export function reviseBody(body: Json, state: RecordState): Json {
  if (state.revision === 0) return body;
  return reviseNode(body, state.revision, 0, state.lastAt);
}

/** A stable 24-hex id (TMDB's change item ids) for a seed. */
export function hexIdFor(seed: string): string {
  return `${hashString(seed).toString(16).padStart(8, '0')}${new Rng(seed).hex(16)}`;
}
