import { LRUCache } from 'lru-cache';
import { recordId } from '../cache/key.ts';
import { UpstreamFailure } from '../upstreams/errors.ts';
import { FeedFollower, type FollowerOptions } from './follower.ts';

/** TVDB refuses `since` older than about 3 months: a longer gap is read from the oldest it allows. */
const KEPT_MS = 89 * 86_400_000;
/** Each poll reads again this far before the watermark: TVDB lists some changes late. */
const OVERLAP_MS = 5 * 60_000;
/** Pages read in one poll, at most (100,000 records); the next poll reads on from where this one got. */
const MAX_PAGES = 200;

/** TVDB entity types and the records they change. */
const RECORD_TYPE: Record<string, string> = {
  series: 'series',
  episodes: 'episode',
  seasons: 'season',
  movies: 'movie',
  people: 'person',
  artwork: 'artwork',
  characters: 'character',
  companies: 'company',
  lists: 'list',
  awards: 'award',
};

interface Update {
  entityType?: unknown;
  recordId?: unknown;
  method?: unknown;
  seriesId?: unknown;
  mergeToId?: unknown;
  timeStamp?: unknown;
}

const positive = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value > 0;

/**
 * Follows `/updates?since=`: every record TVDB lists as changed since the watermark (less an overlap),
 * page by page. An update or create marks the record's entries stale (an episode's also marks its
 * series'), and schedules the settle marks, because TVDB lists an id before its data endpoints serve
 * the new body; a delete, or a merge into another record, evicts them.
 */
export class TvdbUpdatesFollower extends FeedFollower {
  /** Updates already handled (the overlap reads some twice). */
  private readonly handled = new LRUCache<string, true>({ max: 200_000 });

  constructor(options: FollowerOptions) {
    super('tvdb', options);
  }

  protected async poll(from: number, now: number): Promise<number> {
    let since = from - OVERLAP_MS;
    if (now - since > KEPT_MS) {
      this.gap(now - since, KEPT_MS);
      since = now - KEPT_MS;
    }
    const sinceSeconds = Math.floor(since / 1000);
    let reached = from;
    for (let page = 0; page < MAX_PAGES; page++) {
      const { status, body } = await this.fetchJson('/updates', `page=${page}&since=${sinceSeconds}`);
      if (status !== 200) throw new UpstreamFailure('tvdb', 'invalid_response', `TVDB /updates answered ${status}`);
      const envelope = body as { data?: Update[] | null; links?: { next?: unknown } } | null;
      const updates = Array.isArray(envelope?.data) ? envelope.data : [];
      for (const update of updates) {
        await this.apply(update, now);
        if (positive(update.timeStamp)) reached = Math.max(reached, update.timeStamp * 1000);
      }
      if (updates.length === 0 || !envelope?.links?.next) return Math.max(reached, now - OVERLAP_MS);
    }
    // More than MAX_PAGES: the next poll goes on from the last change read.
    return reached;
  }

  private async apply(update: Update, now: number): Promise<void> {
    const type = typeof update.entityType === 'string' ? RECORD_TYPE[update.entityType] : undefined;
    if (type === undefined || !positive(update.recordId)) return;
    const seen = `${update.entityType}:${update.recordId}:${String(update.timeStamp)}:${String(update.method)}`;
    if (this.handled.has(seen)) return;
    this.handled.set(seen, true);
    this.counts.idsSeen++;
    const record = recordId('tvdb', type, update.recordId);
    if (update.method === 'delete' || positive(update.mergeToId)) {
      await this.mark([record], 'delete', now);
      return;
    }
    const records = [record];
    if (type === 'episode' && positive(update.seriesId)) records.push(recordId('tvdb', 'series', update.seriesId));
    await this.mark(records, 'expire', now);
  }
}
