import zlib from 'node:zlib';
import { collectSoon } from '../collector.ts';
import { UpstreamFailure } from './errors.ts';
import type { UpstreamMeter } from './meter.ts';
import type { UpstreamName, UpstreamResponse } from './types.ts';

export interface UpstreamRequest {
  upstream: UpstreamName;
  method: 'GET' | 'POST';
  /** Full URL, possibly holding a credential: never logged, never put into an error. */
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** Largest body accepted, on the wire and decoded. */
  maxBodyBytes: number;
  meter?: UpstreamMeter;
}

/**
 * The one place that calls fetch. Reads the whole body under the same deadline as the headers, so
 * an upstream that stalls mid-body is a timeout too.
 *
 * The body is bounded twice: on the wire (counted while it streams in; a declared Content-Length
 * past the bound is refused before reading) and decoded (gzip/deflate are decoded here, with the
 * bound as the decoder's output limit, so a small gzip bomb cannot expand in memory). Past either
 * bound the call fails as 'too_large'; a body that does not decode fails as 'undecodable'. Neither
 * counts as an outage: the upstream answered.
 *
 * No retry here on purpose: Bun's fetch already retries once when a pooled keep-alive socket turns
 * out to be closed (the one reset worth retrying), and a 429, 5xx or timeout is never retried.
 * A retry of our own on top would make that up to four attempts. test/protection checks the count.
 */
export async function requestUpstream(request: UpstreamRequest): Promise<UpstreamResponse> {
  const signal = AbortSignal.timeout(request.timeoutMs);
  const started = performance.now();
  let status: number | null = null;
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: { accept: 'application/json', 'accept-encoding': 'gzip', ...request.headers },
      body: request.body,
      signal,
      redirect: 'manual',
      decompress: false,
    });
    status = response.status;
    const wire = await readBounded(request.upstream, response, request.maxBodyBytes);
    const encoding = response.headers.get('content-encoding');
    const body = decode(request.upstream, wire, encoding, request.maxBodyBytes);
    request.meter?.record(status, performance.now() - started);
    return {
      status,
      contentType: response.headers.get('content-type') ?? '',
      body,
      ...(body !== wire && isGzip(encoding) && singleMember(wire, body) ? { gzipBody: wire } : {}),
      retryAfter: response.headers.get('retry-after'),
    };
  } catch (error) {
    request.meter?.record(error instanceof UpstreamFailure ? status : null, performance.now() - started);
    if (error instanceof UpstreamFailure) throw error;
    throw classifyFetchError(request.upstream, error, signal);
  }
}

function tooLarge(upstream: UpstreamName, maxBytes: number): UpstreamFailure {
  return new UpstreamFailure(upstream, 'too_large', `Upstream answer larger than ${maxBytes} bytes`);
}

/** The raw body, at most `maxBytes`, read chunk by chunk so an oversized one is cut off early. */
async function readBounded(upstream: UpstreamName, response: Response, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    // Bun's fetch may have buffered part of it already.
    await response.body?.cancel().catch(() => {});
    collectSoon();
    throw tooLarge(upstream, maxBytes);
  }
  if (response.body === null) return new Uint8Array(0);
  // A declared length within the bound and no chunked framing (which would override it): one read
  // into one buffer, no chunks to copy together. Checked again after the read all the same.
  if (Number.isSafeInteger(declared) && declared >= 0 && response.headers.get('transfer-encoding') === null) {
    const whole = new Uint8Array(await response.arrayBuffer());
    if (whole.byteLength > maxBytes) {
      collectSoon();
      throw tooLarge(upstream, maxBytes);
    }
    return whole;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      collectSoon();
      throw tooLarge(upstream, maxBytes);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array<ArrayBuffer>;
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

/** Decodes the content-encoding (we ask for gzip only), never past `maxBytes` of output. */
function decode(upstream: UpstreamName, wire: Uint8Array<ArrayBuffer>, encoding: string | null, maxBytes: number): Uint8Array<ArrayBuffer> {
  const coding = encoding?.trim().toLowerCase() ?? '';
  if (coding === '' || coding === 'identity') return wire;
  if (wire.byteLength === 0) return wire;
  try {
    const options = { maxOutputLength: maxBytes };
    if (isGzip(coding)) return asBytes(zlib.gunzipSync(wire, options));
    if (coding === 'deflate') return asBytes(zlib.inflateSync(wire, options));
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
      collectSoon();
      throw tooLarge(upstream, maxBytes);
    }
    throw new UpstreamFailure(upstream, 'undecodable', `Upstream sent a ${coding} body that does not decode`);
  }
  throw new UpstreamFailure(upstream, 'undecodable', 'Upstream sent a body in an encoding the relay did not ask for');
}

/**
 * Whether Bun.gunzipSync, which the renderer uses for identity clients, gives `body` back from `wire`.
 * A gzip body may be several members in a row (zlib above reads them all); Bun.gunzipSync stops after
 * the first, so only a body it decodes whole is kept as it came. The trailer says it without decoding
 * again: the last member's ISIZE is the whole body's length (below the body bound, far under 4 GiB)
 * only if every member before it is empty, and an empty member ends with a zero CRC and a zero ISIZE
 * right before the next member's magic, which one scan of the bytes rules out.
 */
function singleMember(wire: Uint8Array<ArrayBuffer>, body: Uint8Array): boolean {
  const n = wire.byteLength;
  if (n < 18) return false;
  const isize = ((wire[n - 4] as number) | ((wire[n - 3] as number) << 8) | ((wire[n - 2] as number) << 16) | ((wire[n - 1] as number) << 24)) >>> 0;
  if (isize !== body.byteLength) return false;
  if (body.byteLength === 0) return true;
  return Buffer.from(wire.buffer, wire.byteOffset, n).indexOf(EMPTY_MEMBER_END) < 0;
}

/** An empty member's trailer (CRC32 0, ISIZE 0) followed by the magic and method of another member. */
const EMPTY_MEMBER_END = Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0x1f, 0x8b, 0x08]);

function isGzip(encoding: string | null): boolean {
  const coding = encoding?.trim().toLowerCase();
  return coding === 'gzip' || coding === 'x-gzip';
}

function asBytes(buffer: Buffer): Uint8Array<ArrayBuffer> {
  return new Uint8Array(buffer.buffer as ArrayBuffer, buffer.byteOffset, buffer.byteLength);
}

function classifyFetchError(upstream: UpstreamName, error: unknown, signal: AbortSignal): UpstreamFailure {
  const name = error instanceof Error ? error.name : '';
  const code = (error as { code?: unknown } | null)?.code;
  if (signal.aborted || name === 'TimeoutError' || name === 'AbortError') {
    return new UpstreamFailure(upstream, 'timeout', 'Upstream timed out');
  }
  if (code === 'ECONNRESET' || code === 'EPIPE') {
    return new UpstreamFailure(upstream, 'reset', 'Upstream closed the connection');
  }
  return new UpstreamFailure(upstream, 'unreachable', 'Upstream unreachable');
}
