import type { Origin } from './key.ts';
import type { Freshness } from './policy.ts';

/**
 * One cached upstream answer. The body is kept gzip-compressed (about 4x more entries per MB) and
 * sent as it is to clients that accept gzip. Everything a hit needs is computed once, here. Entries
 * are immutable: expiring one replaces it with a copy (the renderer memoises headers per object).
 */
export interface CacheEntry {
  readonly status: number;
  readonly contentType: string;
  readonly gzipBody: Uint8Array<ArrayBuffer>;
  /** Length of the decoded body, for stats and for identity responses. */
  readonly identityLength: number;
  /** Strong validators, one per representation (RFC 9110: encodings are distinct representations). */
  readonly etag: string;
  readonly etagGzip: string;
  readonly storedAt: number;
  readonly freshUntil: number;
  readonly staleUntil: number;
  /** A cached upstream 404. */
  readonly negative: boolean;
  /** Where it came from: enough to fetch it again without a request. */
  readonly origin: Origin;
  /** Records it is about: the origin's plus those named in the body (a season's series). */
  readonly records: readonly string[];
}

export interface EntryBody {
  status: number;
  contentType: string;
  body: Uint8Array<ArrayBuffer>;
  /** The same body already gzip-compressed (as the upstream sent it): stored as it is. */
  gzipBody?: Uint8Array<ArrayBuffer>;
}

export function createEntry(answer: EntryBody, freshness: Freshness, now: number, gzipLevel: number, origin: Origin, records: readonly string[]): CacheEntry {
  const { body } = answer;
  const hash = Bun.hash(body).toString(36);
  const tag = `${hash}-${body.byteLength.toString(36)}`;
  return {
    status: answer.status,
    contentType: answer.contentType,
    // Compressing again would cost a deflate per miss (CPU and a few hundred KiB of zlib state).
    gzipBody: answer.gzipBody ?? Bun.gzipSync(body, { level: gzipLevel as 1 }),
    identityLength: body.byteLength,
    etag: `"${tag}"`,
    etagGzip: `"${tag}-gz"`,
    storedAt: now,
    freshUntil: now + freshness.freshMs,
    staleUntil: now + freshness.freshMs + freshness.staleMs,
    negative: answer.status === 404,
    origin,
    records,
  };
}

/** The same entry, stale from `now` on (its stale window unchanged). */
export function expiredCopy(entry: CacheEntry, now: number): CacheEntry {
  return entry.freshUntil <= now ? entry : { ...entry, freshUntil: now };
}

/** Bytes an entry costs in memory: its body plus a fixed allowance for the object and headers. */
export const ENTRY_OVERHEAD_BYTES = 256;

export function entrySize(entry: CacheEntry, key: string): number {
  let records = 0;
  for (const record of entry.records) records += record.length * 2 + 16;
  return entry.gzipBody.byteLength + key.length * 2 + entry.contentType.length * 2 + records + ENTRY_OVERHEAD_BYTES;
}
