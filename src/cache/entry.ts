import type { Freshness } from './policy.ts';

/**
 * One cached upstream answer. The body is kept gzip-compressed (about 4x more entries per MB) and
 * sent as it is to clients that accept gzip. Everything a hit needs is computed once, here.
 */
export interface CacheEntry {
  status: number;
  contentType: string;
  gzipBody: Uint8Array<ArrayBuffer>;
  /** Length of the decoded body, for stats and for identity responses. */
  identityLength: number;
  /** Strong validators, one per representation (RFC 9110: encodings are distinct representations). */
  etag: string;
  etagGzip: string;
  storedAt: number;
  freshUntil: number;
  staleUntil: number;
  /** A cached upstream 404. */
  negative: boolean;
}

export function createEntry(
  status: number,
  contentType: string,
  body: Uint8Array<ArrayBuffer>,
  freshness: Freshness,
  now: number,
  gzipLevel: number,
): CacheEntry {
  const hash = Bun.hash(body).toString(36);
  const tag = `${hash}-${body.byteLength.toString(36)}`;
  return {
    status,
    contentType,
    gzipBody: Bun.gzipSync(body, { level: gzipLevel as 1 }),
    identityLength: body.byteLength,
    etag: `"${tag}"`,
    etagGzip: `"${tag}-gz"`,
    storedAt: now,
    freshUntil: now + freshness.freshMs,
    staleUntil: now + freshness.freshMs + freshness.staleMs,
    negative: status === 404,
  };
}

/** Bytes an entry costs in memory: its body plus a fixed allowance for the object and headers. */
export const ENTRY_OVERHEAD_BYTES = 256;

export function entrySize(entry: CacheEntry, key: string): number {
  return entry.gzipBody.byteLength + key.length * 2 + entry.contentType.length * 2 + ENTRY_OVERHEAD_BYTES;
}
