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
  meter?: UpstreamMeter;
}

/**
 * The one place that calls fetch. Reads the whole body under the same deadline as the headers, so
 * an upstream that stalls mid-body is a timeout too. Bun decodes gzip for us; the bytes returned are
 * the JSON as the upstream meant it, and its Content-Encoding/Length headers are deliberately dropped.
 */
/**
 * No retry here on purpose: Bun's fetch already retries once when a pooled keep-alive socket turns
 * out to be closed (the one reset worth retrying), and a 429, 5xx or timeout is never retried.
 * A retry of our own on top would make that up to four attempts. test/protection checks the count.
 */
export async function requestUpstream(request: UpstreamRequest): Promise<UpstreamResponse> {
  const signal = AbortSignal.timeout(request.timeoutMs);
  const started = performance.now();
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: { accept: 'application/json', 'accept-encoding': 'gzip', ...request.headers },
      body: request.body,
      signal,
      redirect: 'manual',
    });
    const body = new Uint8Array(await response.arrayBuffer());
    request.meter?.record(response.status, performance.now() - started);
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      body,
      retryAfter: response.headers.get('retry-after'),
    };
  } catch (error) {
    request.meter?.record(null, performance.now() - started);
    throw classifyFetchError(request.upstream, error, signal);
  }
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
