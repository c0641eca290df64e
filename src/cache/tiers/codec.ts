import type { CacheEntry } from '../entry.ts';
import type { BodyRecord, Origin } from '../key.ts';
import { ROUTE_FAMILIES, type RouteFamily } from '../policy.ts';

/**
 * An entry as one binary value for a second tier (SQLite row, Redis string):
 *
 *   "MR" | version (1 byte) | 0 | header length (u32 LE) | header (JSON) | gzip body
 *
 * The header holds everything but the body, including the key it was written under and a hash of the
 * body, so a value that is corrupt, truncated, written by something else or under another key is
 * recognised and refused (CorruptValue), never served.
 */
const MAGIC_0 = 0x4d; // M
const MAGIC_1 = 0x52; // R
export const CODEC_VERSION = 1;
const PREFIX_BYTES = 8;
const MAX_HEADER_BYTES = 64 * 1024;

export class CorruptValue extends Error {
  constructor(reason: string) {
    super(`corrupt cache value: ${reason}`);
    this.name = 'CorruptValue';
  }
}

interface Header {
  k: string;
  s: number;
  t: string;
  n: number;
  e: string;
  g: string;
  at: number;
  f: number;
  u: number;
  o: Origin;
  r: string[];
  b: number;
  h: string;
}

export function encodeEntry(key: string, entry: CacheEntry): Uint8Array {
  const header: Header = {
    k: key,
    s: entry.status,
    t: entry.contentType,
    n: entry.identityLength,
    e: entry.etag,
    g: entry.etagGzip,
    at: entry.storedAt,
    f: entry.freshUntil,
    u: entry.staleUntil,
    o: entry.origin,
    r: [...entry.records],
    b: entry.gzipBody.byteLength,
    h: bodyHash(entry.gzipBody),
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(PREFIX_BYTES + json.byteLength + entry.gzipBody.byteLength);
  out[0] = MAGIC_0;
  out[1] = MAGIC_1;
  out[2] = CODEC_VERSION;
  new DataView(out.buffer).setUint32(4, json.byteLength, true);
  out.set(json, PREFIX_BYTES);
  out.set(entry.gzipBody, PREFIX_BYTES + json.byteLength);
  return out;
}

/** The entry stored under `key`, or CorruptValue. */
export function decodeEntry(key: string, value: Uint8Array): CacheEntry {
  if (value.byteLength < PREFIX_BYTES) throw new CorruptValue('too short');
  if (value[0] !== MAGIC_0 || value[1] !== MAGIC_1) throw new CorruptValue('not ours');
  if (value[2] !== CODEC_VERSION) throw new CorruptValue(`version ${value[2]}`);
  const headerLength = new DataView(value.buffer, value.byteOffset, value.byteLength).getUint32(4, true);
  if (headerLength > MAX_HEADER_BYTES || PREFIX_BYTES + headerLength > value.byteLength) throw new CorruptValue('header length');
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(value.subarray(PREFIX_BYTES, PREFIX_BYTES + headerLength)));
  } catch {
    throw new CorruptValue('header is not JSON');
  }
  if (!isHeader(header)) throw new CorruptValue('header fields');
  if (header.k !== key) throw new CorruptValue('written under another key');
  const body = value.slice(PREFIX_BYTES + headerLength) as Uint8Array<ArrayBuffer>;
  if (body.byteLength !== header.b) throw new CorruptValue('truncated body');
  if (bodyHash(body) !== header.h) throw new CorruptValue('body hash');
  return {
    status: header.s,
    contentType: header.t,
    gzipBody: body,
    identityLength: header.n,
    etag: header.e,
    etagGzip: header.g,
    storedAt: header.at,
    freshUntil: header.f,
    staleUntil: header.u,
    negative: header.s === 404,
    origin: header.o,
    records: header.r,
  };
}

function bodyHash(body: Uint8Array): string {
  return Bun.hash(body).toString(36);
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function isHeader(v: unknown): v is Header {
  if (typeof v !== 'object' || v === null) return false;
  const h = v as Record<string, unknown>;
  return (
    isString(h.k) && isNumber(h.s) && isString(h.t) && isNumber(h.n) && isString(h.e) && isString(h.g) &&
    isNumber(h.at) && isNumber(h.f) && isNumber(h.u) && isNumber(h.b) && isString(h.h) &&
    Array.isArray(h.r) && h.r.every(isString) && isOrigin(h.o)
  );
}

function isOrigin(v: unknown): v is Origin {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    (o.upstream === 'tmdb' || o.upstream === 'tvdb') && isString(o.path) && o.path.startsWith('/') && isString(o.query) &&
    (ROUTE_FAMILIES as readonly string[]).includes(o.family as RouteFamily) && typeof o.settles === 'boolean' &&
    Array.isArray(o.records) && o.records.every(isString) && (o.bodyRecords === undefined || (Array.isArray(o.bodyRecords) && o.bodyRecords.every(isBodyRecord)))
  );
}

function isBodyRecord(v: unknown): v is BodyRecord {
  const r = v as Record<string, unknown> | null;
  return typeof r === 'object' && r !== null && Array.isArray(r.path) && r.path.every(isString) && isString(r.record);
}
