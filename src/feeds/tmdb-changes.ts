import { recordId } from '../cache/key.ts';
import { UpstreamFailure } from '../upstreams/errors.ts';
import { FeedFollower, type FollowerOptions } from './follower.ts';

/** TMDB's change lists: which ids changed on a day (UTC), 100 a page. */
const KINDS = ['movie', 'tv', 'person'] as const;
type Kind = (typeof KINDS)[number];
const DAY_MS = 86_400_000;
/** TMDB keeps changes for 14 days: a longer gap cannot be caught up on. */
const KEPT_MS = 14 * DAY_MS;
/** Pages read per list and day in one poll, at most (10,000 ids); the next poll reads on from there. */
const MAX_PAGES = 100;
/** Ids remembered per day, at most. */
const MAX_SEEN_PER_DAY = 200_000;
/** An id still in a day's list is marked again after this many poll intervals (2 h at 10 min). */
const REMARK_POLLS = 12;

/**
 * Follows `/movie/changes`, `/tv/changes` and `/person/changes`. TMDB's lists give ids per day, not
 * times, so each poll reads every day from the watermark's to today's (at most 14). An id is marked the
 * first time a day's list shows it; the settle marks (15 and 60 minutes later by default) catch more
 * edits of the same sitting; and an id that stays in the day's list is marked again every 12 poll
 * intervals (2 h by default), because the list cannot say whether it changed again. That bounds how
 * long a second edit on the same day waits, at the cost of one refresh per 2 h for a title that is
 * both changed today and asked for. A TV change covers the whole show: its seasons, episodes and images
 * all carry the show's record.
 */
export class TmdbChangesFollower extends FeedFollower {
  /** When each id was last marked, per kind and day ("2026-12-01"). */
  private readonly seen = new Map<string, Map<number, number>>();
  /** The page a list cut short at MAX_PAGES goes on from, per kind and day. */
  private readonly resumeAt = new Map<string, number>();
  private readonly remarkMs: number;

  constructor(options: FollowerOptions) {
    super('tmdb', options);
    this.remarkMs = REMARK_POLLS * options.pollMs;
  }

  protected async poll(from: number, now: number): Promise<number> {
    let start = from;
    if (now - from > KEPT_MS) {
      this.gap(now - from, KEPT_MS);
      start = now - KEPT_MS + DAY_MS;
    }
    const days = daysBetween(start, now);
    let unfinished: string | null = null;
    for (const kind of KINDS) {
      for (const day of days) {
        const finished = await this.readDay(kind, day, now);
        if (!finished && (unfinished === null || day < unfinished)) unfinished = day;
      }
    }
    this.forgetBefore(days[0] as string);
    // A day cut short keeps the watermark on it, so a restart reads it again too.
    return unfinished === null ? now : Date.parse(`${unfinished}T00:00:00Z`);
  }

  /** Reads one day's list, at most MAX_PAGES of it; false when it was cut short there. */
  private async readDay(kind: Kind, day: string, now: number): Promise<boolean> {
    const seenKey = `${kind}:${day}`;
    let seen = this.seen.get(seenKey);
    if (seen === undefined) this.seen.set(seenKey, (seen = new Map()));
    const first = this.resumeAt.get(seenKey) ?? 1;
    for (let page = first; page < first + MAX_PAGES; page++) {
      const { status, body } = await this.fetchJson(`/${kind}/changes`, `end_date=${day}&page=${page}&start_date=${day}`);
      if (status !== 200) throw new UpstreamFailure('tmdb', 'invalid_response', `TMDB /${kind}/changes answered ${status}`);
      const list = body as { results?: { id?: unknown }[]; total_pages?: unknown } | null;
      for (const item of list?.results ?? []) {
        const id = item?.id;
        // TMDB's lists do carry null ids now and then.
        if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) continue;
        const markedAt = seen.get(id);
        if (markedAt !== undefined && now - markedAt < this.remarkMs) continue;
        if (markedAt === undefined) this.counts.idsSeen++;
        if (markedAt !== undefined || seen.size < MAX_SEEN_PER_DAY) seen.set(id, now);
        await this.mark([recordId('tmdb', kind, id)], 'expire', now);
      }
      const totalPages = typeof list?.total_pages === 'number' ? list.total_pages : 1;
      if (page >= totalPages) {
        this.resumeAt.delete(seenKey);
        return true;
      }
    }
    this.resumeAt.set(seenKey, first + MAX_PAGES);
    return false;
  }

  private forgetBefore(firstDay: string): void {
    for (const table of [this.seen, this.resumeAt]) {
      for (const key of table.keys()) if (key.slice(key.indexOf(':') + 1) < firstDay) table.delete(key);
    }
  }
}

/** The UTC days (YYYY-MM-DD) from `from`'s to `to`'s, inclusive. */
export function daysBetween(from: number, to: number): string[] {
  const days: string[] = [];
  for (let at = Math.floor(from / DAY_MS) * DAY_MS; at <= to; at += DAY_MS) days.push(new Date(at).toISOString().slice(0, 10));
  return days;
}
