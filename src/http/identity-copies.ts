import type { CacheEntry } from '../cache/entry.ts';
import { SecondChanceMap, type BoundedTableFigures } from '../cache/second-chance-map.ts';

/** Share of CACHE_MAX_BYTES kept for decoded copies; the memory tier gets the rest. */
export const IDENTITY_COPIES_SHARE = 1 / 8;
/** Per-copy allowance beside the body (the slot, the key text). */
const COPY_OVERHEAD_BYTES = 96;

/**
 * Decoded bodies for clients that do not accept gzip (curl, scripts, some drop-in clients). Entries
 * are stored gzip; without this every identity hit would gunzip again, which costs more than the
 * rest of the hit path together. Copies are keyed by the identity ETag (a hash of the decoded bytes),
 * so a refreshed entry with new bytes never meets an old copy, and identical bodies share one.
 * Bounded in bytes, least recently used first, and counted inside CACHE_MAX_BYTES.
 */
export class IdentityCopies {
  private readonly copies: SecondChanceMap<Uint8Array<ArrayBuffer>>;

  constructor(maxBytes: number) {
    this.copies = new SecondChanceMap(maxBytes);
  }

  body(entry: CacheEntry): Uint8Array<ArrayBuffer> {
    const known = this.copies.get(entry.etag);
    if (known !== undefined) return known;
    const decoded = Bun.gunzipSync(entry.gzipBody);
    this.copies.set(entry.etag, decoded, decoded.byteLength + entry.etag.length * 2 + COPY_OVERHEAD_BYTES);
    return decoded;
  }

  get figures(): BoundedTableFigures {
    return this.copies.figures;
  }
}
