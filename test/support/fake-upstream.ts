/**
 * Fake TMDB v3 + TheTVDB v4 upstreams for tests and benchmarks: two real HTTP servers on
 * 127.0.0.1 (port 0) that record every request and can inject faults.
 *
 *   const up = await startFakeUpstream();
 *   await fetch(`${up.tmdbBaseUrl}/movie/550?api_key=${up.options.tmdbApiKey}`);
 *   up.addFault({ upstream: 'tmdb', pathPrefix: '/3/movie', times: 1, fault: { kind: 'status', status: 503 } });
 *   await up.stop();
 *
 * Special ids: >= 900000000 is "missing" (404) on both; 424242 is the unsettled show/season (see
 * generate.ts). Fault `pathPrefix` is matched against the path as received ('/3/movie/550') and
 * also against the path below the base ('/movie/550').
 *
 * Edits drive the change feeds (TMDB /movie/changes etc., TVDB /updates) and the bodies:
 *
 *   up.editRecord('tmdb', 'movie', 550);                 // /movie/550/* now serve revision 1
 *   up.editRecord('tvdb', 'series', 78878, { dataDelayMs: 60_000 }); // listed now, served in 1 min
 *   up.editRecord('tvdb', 'episodes', 31410001, { method: 'delete' }); // 404 from now on
 */
import { EDIT_TYPES, type EditOptions, EditStore, type EditUpstream } from './fake-upstream-edits.ts';
import { type Answer, type IncomingRequest, type RouteHandler, TMDB_CONTENT_TYPE, TVDB_CONTENT_TYPE, answer, base64url } from './fake-upstream-http.ts';
import { TMDB_ERRORS, createTmdbHandler, tmdbStatusBody } from './fake-upstream-tmdb.ts';
import { TvdbTokenStore, createTvdbHandler, tvdbFailure, tvdbStatusMessage } from './fake-upstream-tvdb.ts';

export type UpstreamName = EditUpstream;
export type { EditMethod, EditOptions } from './fake-upstream-edits.ts';

export interface RecordedRequest {
  upstream: UpstreamName;
  method: string;
  /** Path as received, e.g. '/3/movie/550' or '/v4/series/78878/extended' (no query). */
  path: string;
  /** Exactly as received, without '?'. */
  rawQuery: string;
  /** Decoded; the first value wins when a name repeats. */
  query: Record<string, string>;
  /** Lower-cased names. */
  headers: Record<string, string>;
  /** '' for GET. */
  body: string;
  /** Date.now() when received. */
  at: number;
}

export type Fault =
  | { kind: 'status'; status: number; body?: string; headers?: Record<string, string> }
  | { kind: 'rate-limit'; retryAfter: string }
  | { kind: 'hang' }
  | { kind: 'reset' }
  | { kind: 'html' }
  | { kind: 'delay'; ms: number }
  /** Exactly these bytes and headers (no gzip applied): bombs, broken gzip, huge or streamed bodies. */
  | { kind: 'raw'; status?: number; headers: Record<string, string>; body: Uint8Array | (() => ReadableStream<Uint8Array>) };

export interface FaultRule {
  upstream?: UpstreamName;
  pathPrefix?: string;
  /** Default: unlimited. */
  times?: number;
  fault: Fault;
}

export interface FakeUpstreamOptions {
  /** Default 'tmdb-test-key-0123456789abcdef0' (accepted as ?api_key=). */
  tmdbApiKey?: string;
  /** Default a JWT-looking 'eyJ...' string (accepted as Authorization: Bearer). */
  tmdbAccessToken?: string;
  /** Default 'tvdb-test-key'. */
  tvdbApiKey?: string;
  /** When set, /login requires it (400 'InvalidValueType: pin required' if absent). */
  tvdbPin?: string;
  /** Default 30 days; goes into the JWT exp. */
  tvdbTokenTtlSeconds?: number;
  /** Added to every answer; a [min, max] pair picks uniformly per request. Default 0. */
  latencyMs?: number | [number, number];
  /** Default true: gzip bodies when the request's accept-encoding includes gzip. */
  gzip?: boolean;
  /** Default off; beyond N TMDB requests in a rolling second: 429 code 25 with Retry-After: 1. */
  tmdbRateLimitPerSecond?: number;
  /** Clock for token expiry and the unsettled season (ms). Default Date.now. */
  now?: () => number;
  /** Extension (used by the CLI): fixed ports instead of 0. */
  tmdbPort?: number;
  tvdbPort?: number;
}

export interface ResolvedFakeUpstreamOptions {
  tmdbApiKey: string;
  tmdbAccessToken: string;
  tvdbApiKey: string;
  tvdbPin: string | undefined;
  tvdbTokenTtlSeconds: number;
  latencyMs: number | [number, number];
  gzip: boolean;
  tmdbRateLimitPerSecond: number | undefined;
  now: () => number;
  tmdbPort: number;
  tvdbPort: number;
}

export interface FakeUpstream {
  /** 'http://127.0.0.1:<port>/3' */
  tmdbBaseUrl: string;
  /** 'http://127.0.0.1:<port>/v4' */
  tvdbBaseUrl: string;
  options: ResolvedFakeUpstreamOptions;
  /** Every request received, both upstreams, in order. */
  requests: RecordedRequest[];
  calls(upstream?: UpstreamName, pathPrefix?: string): RecordedRequest[];
  /** Like calls() but without TVDB POST /login. */
  dataCalls(upstream?: UpstreamName): RecordedRequest[];
  /** A relay's environment for this fake: both upstreams' keys and base URLs. */
  relayEnv(): Record<string, string>;
  logins(): RecordedRequest[];
  /** Clears recordings, faults and the max-in-flight high-water marks (not edits: see clearEdits). */
  reset(): void;
  /**
   * Edits a record: from `at + dataDelayMs` on, every body of it (all its paths and variants)
   * differs from before (text marked " (rev N)", new image file names, ...), or 404s after a
   * delete; the change feeds list it from `at`. Types are the feeds' own: TMDB 'movie' | 'tv' |
   * 'person'; TVDB 'series' | 'movies' | 'people' | 'episodes' | 'seasons' | 'artwork'.
   * Returns the record's revision counting this edit. Throws on an unknown type or a bad id.
   */
  editRecord(upstream: UpstreamName, type: string, id: number, options?: EditOptions): number;
  /** editRecord for many ids at once (same time and options), e.g. to fill several feed pages. */
  editRecords(upstream: UpstreamName, type: string, ids: readonly number[], options?: number | EditOptions): void;
  /** The revision the data endpoints serve now (0: unedited, or every edit still delayed). */
  revisionOf(upstream: UpstreamName, type: string, id: number): number;
  /** Forgets every edit: bodies and feeds are as if nothing was ever edited. */
  clearEdits(): void;
  addFault(rule: FaultRule): void;
  clearFaults(): void;
  /** Every TVDB token issued so far now gets 401 Unauthorized. */
  revokeTvdbTokens(): void;
  inFlight(upstream?: UpstreamName): number;
  maxInFlight(upstream?: UpstreamName): number;
  stop(): Promise<void>;
}

export const DEFAULT_TMDB_API_KEY = 'tmdb-test-key-0123456789abcdef0';
export const DEFAULT_TMDB_ACCESS_TOKEN = [
  base64url(JSON.stringify({ alg: 'HS256' })),
  base64url(JSON.stringify({ aud: DEFAULT_TMDB_API_KEY, nbf: 1_700_000_000, sub: 'fake-upstream', scopes: ['api_read'], version: 1 })),
  'ZmFrZS11cHN0cmVhbS1yZWFkLWFjY2Vzcy10b2tlbg',
].join('.');
export const DEFAULT_TVDB_API_KEY = 'tvdb-test-key';
const THIRTY_DAYS = 30 * 24 * 60 * 60;
const BASE_PATH: Record<UpstreamName, string> = { tmdb: '/3', tvdb: '/v4' };

function resolveOptions(o: FakeUpstreamOptions): ResolvedFakeUpstreamOptions {
  return {
    tmdbApiKey: o.tmdbApiKey ?? DEFAULT_TMDB_API_KEY,
    tmdbAccessToken: o.tmdbAccessToken ?? DEFAULT_TMDB_ACCESS_TOKEN,
    tvdbApiKey: o.tvdbApiKey ?? DEFAULT_TVDB_API_KEY,
    tvdbPin: o.tvdbPin,
    tvdbTokenTtlSeconds: o.tvdbTokenTtlSeconds ?? THIRTY_DAYS,
    latencyMs: o.latencyMs ?? 0,
    gzip: o.gzip ?? true,
    tmdbRateLimitPerSecond: o.tmdbRateLimitPerSecond,
    now: o.now ?? Date.now,
    tmdbPort: o.tmdbPort ?? 0,
    tvdbPort: o.tvdbPort ?? 0,
  };
}

/** Splits req.url into path and raw query without normalising either. */
function splitUrl(url: string): { path: string; rawQuery: string } {
  const afterScheme = url.indexOf('://');
  const pathStart = url.indexOf('/', afterScheme < 0 ? 0 : afterScheme + 3);
  let target = pathStart < 0 ? '/' : url.slice(pathStart);
  const hash = target.indexOf('#');
  if (hash >= 0) target = target.slice(0, hash);
  const q = target.indexOf('?');
  return q < 0 ? { path: target, rawQuery: '' } : { path: target.slice(0, q), rawQuery: target.slice(q + 1) };
}

async function readRequest(upstream: UpstreamName, req: Request): Promise<RecordedRequest & { params: URLSearchParams }> {
  const { path, rawQuery } = splitUrl(req.url);
  const params = new URLSearchParams(rawQuery);
  const query: Record<string, string> = {};
  for (const [k, v] of params) if (!(k in query)) query[k] = v;
  const headers: Record<string, string> = {};
  req.headers.forEach((value, name) => {
    headers[name.toLowerCase()] = value;
  });
  let body = '';
  try {
    body = req.method === 'GET' || req.method === 'HEAD' ? '' : await req.text();
  } catch {
    body = '';
  }
  return { upstream, method: req.method, path, rawQuery, query, headers, body, at: Date.now(), params };
}

function latencyOf(latency: number | [number, number]): number {
  if (typeof latency === 'number') return latency;
  const [min, max] = latency;
  return min + Math.random() * (max - min);
}

/** Erroring the body before any byte is written makes Bun drop the connection without a status line. */
function resetResponse(): Response {
  return new Response(new ReadableStream({ start: (controller) => controller.error(undefined) }));
}

const HTML_ERROR_PAGE = `<!DOCTYPE html>
<html><head><title>502 Bad Gateway</title></head>
<body><h1>502 Bad Gateway</h1><p>The upstream server returned an invalid response.</p><hr><center>openresty</center></body>
</html>
`;

export async function startFakeUpstream(options: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const resolved = resolveOptions(options);
  const requests: RecordedRequest[] = [];
  let faults: { rule: FaultRule; remaining: number }[] = [];
  const inFlightCount: Record<UpstreamName, number> = { tmdb: 0, tvdb: 0 };
  const maxCount: Record<UpstreamName, number> = { tmdb: 0, tvdb: 0 };
  let maxTotal = 0;
  const tmdbWindow: number[] = [];
  /** Resolvers of pending waits (latency, delay, hang); stop() wakes them all. */
  const sleepers = new Set<() => void>();
  let stopped = false;
  const tokens = new TvdbTokenStore();
  const edits = new EditStore();

  const handlers: Record<UpstreamName, RouteHandler> = {
    tmdb: createTmdbHandler({ apiKey: resolved.tmdbApiKey, accessToken: resolved.tmdbAccessToken, now: () => resolved.now(), edits }),
    tvdb: createTvdbHandler({ apiKey: resolved.tvdbApiKey, pin: resolved.tvdbPin, tokenTtlSeconds: resolved.tvdbTokenTtlSeconds, now: () => resolved.now(), tokens, edits }),
  };

  function editRecord(upstream: UpstreamName, type: string, id: number, options: EditOptions = {}): number {
    edits.add(upstream, type, id, options, resolved.now());
    return edits.history(upstream, type, id).length;
  }

  /** Resolves after ms (Infinity: never), or early when the client goes away or stop() runs. */
  function wait(ms: number, signal: AbortSignal): Promise<void> {
    if (ms <= 0 || stopped) return Promise.resolve();
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = () => {
        if (timer !== undefined) clearTimeout(timer);
        sleepers.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      if (Number.isFinite(ms)) timer = setTimeout(done, ms);
      sleepers.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  function takeFault(upstream: UpstreamName, path: string): Fault | null {
    const below = path.startsWith(BASE_PATH[upstream]) ? path.slice(BASE_PATH[upstream].length) : path;
    const index = faults.findIndex(({ rule }) =>
      (rule.upstream === undefined || rule.upstream === upstream)
      && (rule.pathPrefix === undefined || path.startsWith(rule.pathPrefix) || below.startsWith(rule.pathPrefix)));
    const match = faults[index];
    if (match === undefined) return null;
    match.remaining -= 1;
    if (match.remaining <= 0) faults.splice(index, 1);
    return match.rule.fault;
  }

  function rateLimited(): boolean {
    const limit = resolved.tmdbRateLimitPerSecond;
    if (limit === undefined) return false;
    const t = performance.now();
    while (tmdbWindow.length > 0 && (tmdbWindow[0] ?? 0) <= t - 1000) tmdbWindow.shift();
    if (tmdbWindow.length >= limit) return true;
    tmdbWindow.push(t);
    return false;
  }

  function faultAnswer(upstream: UpstreamName, fault: Fault): Answer | null {
    const contentType = upstream === 'tmdb' ? TMDB_CONTENT_TYPE : TVDB_CONTENT_TYPE;
    switch (fault.kind) {
      case 'status': {
        const body = fault.body ?? JSON.stringify(upstream === 'tmdb' ? tmdbStatusBody(fault.status) : tvdbFailure(tvdbStatusMessage(fault.status)));
        return answer(fault.status, body, { 'content-type': contentType, ...fault.headers });
      }
      case 'rate-limit': {
        const body = upstream === 'tmdb' ? TMDB_ERRORS.rateLimited : tvdbFailure(tvdbStatusMessage(429));
        return answer(429, body, { 'content-type': contentType, 'retry-after': fault.retryAfter });
      }
      case 'html':
        return answer(200, HTML_ERROR_PAGE, { 'content-type': 'text/html; charset=utf-8' });
      default:
        return null;
    }
  }

  function toResponse(result: Answer, acceptEncoding: string, isHead: boolean): Response {
    const headers = new Headers(result.headers);
    let body: string | Uint8Array = result.body;
    if (resolved.gzip && /\bgzip\b/i.test(acceptEncoding) && result.body.length > 0) {
      body = Bun.gzipSync(Buffer.from(result.body));
      headers.set('content-encoding', 'gzip');
      headers.set('vary', headers.has('vary') ? `${headers.get('vary')}, Accept-Encoding` : 'Accept-Encoding');
    }
    return new Response(isHead ? null : body, { status: result.status, headers });
  }

  async function answerFor(upstream: UpstreamName, incoming: IncomingRequest, signal: AbortSignal): Promise<Response> {
    const fault = takeFault(upstream, incoming.path);
    if (fault?.kind === 'hang') {
      await wait(Number.POSITIVE_INFINITY, signal);
      return resetResponse(); // only reached after stop() or a client abort; nobody is listening
    }
    await wait(latencyOf(resolved.latencyMs), signal);
    if (fault?.kind === 'reset') return resetResponse();
    if (fault?.kind === 'delay') await wait(fault.ms, signal);
    if (fault?.kind === 'raw') {
      const body = fault.body instanceof Uint8Array ? fault.body : fault.body();
      return new Response(body, { status: fault.status ?? 200, headers: fault.headers });
    }
    const acceptEncoding = incoming.headers['accept-encoding'] ?? '';
    const isHead = incoming.method === 'HEAD';
    const injected = fault === null ? null : faultAnswer(upstream, fault);
    if (injected !== null) return toResponse(injected, acceptEncoding, isHead);
    if (upstream === 'tmdb' && rateLimited()) {
      return toResponse(answer(429, TMDB_ERRORS.rateLimited, { 'content-type': TMDB_CONTENT_TYPE, 'retry-after': '1' }), acceptEncoding, isHead);
    }
    let result: Answer;
    try {
      result = handlers[upstream](incoming);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      result = answer(500, { fake_upstream_error: message }, { 'content-type': 'application/json' });
    }
    return toResponse(result, acceptEncoding, isHead);
  }

  async function handle(upstream: UpstreamName, req: Request): Promise<Response> {
    inFlightCount[upstream] += 1;
    maxCount[upstream] = Math.max(maxCount[upstream], inFlightCount[upstream]);
    maxTotal = Math.max(maxTotal, inFlightCount.tmdb + inFlightCount.tvdb);
    try {
      const { params, ...recorded } = await readRequest(upstream, req);
      requests.push(recorded);
      return await answerFor(upstream, { ...recorded, params }, req.signal);
    } finally {
      inFlightCount[upstream] -= 1;
    }
  }

  const serve = (upstream: UpstreamName) =>
    Bun.serve({
      hostname: '127.0.0.1',
      port: upstream === 'tmdb' ? resolved.tmdbPort : resolved.tvdbPort,
      idleTimeout: 0, // never let Bun time out a hung or slow answer on its own
      fetch: (req) => handle(upstream, req),
      error: (error) => new Response(JSON.stringify({ fake_upstream_error: error.message }), { status: 500, headers: { 'content-type': 'application/json' } }),
    });
  const servers = { tmdb: serve('tmdb'), tvdb: serve('tvdb') };

  const calls = (upstream?: UpstreamName, pathPrefix?: string) =>
    requests.filter((r) => (upstream === undefined || r.upstream === upstream) && (pathPrefix === undefined || r.path.startsWith(pathPrefix)));
  const isLogin = (r: RecordedRequest) => r.upstream === 'tvdb' && r.method === 'POST' && /^\/v4\/login\/?$/.test(r.path);

  const tmdbBaseUrl = `http://127.0.0.1:${servers.tmdb.port}/3`;
  const tvdbBaseUrl = `http://127.0.0.1:${servers.tvdb.port}/v4`;
  return {
    tmdbBaseUrl,
    tvdbBaseUrl,
    relayEnv: () => ({ TMDB_API_KEY: resolved.tmdbApiKey, TMDB_BASE_URL: tmdbBaseUrl, TVDB_API_KEY: resolved.tvdbApiKey, TVDB_BASE_URL: tvdbBaseUrl }),
    options: resolved,
    requests,
    calls,
    dataCalls: (upstream) => calls(upstream).filter((r) => !isLogin(r)),
    logins: () => requests.filter(isLogin),
    reset: () => {
      requests.length = 0;
      faults = [];
      tmdbWindow.length = 0;
      maxCount.tmdb = inFlightCount.tmdb;
      maxCount.tvdb = inFlightCount.tvdb;
      maxTotal = inFlightCount.tmdb + inFlightCount.tvdb;
    },
    addFault: (rule) => {
      if (rule.times !== undefined && rule.times <= 0) return; // nothing to consume
      faults.push({ rule, remaining: rule.times ?? Number.POSITIVE_INFINITY });
    },
    clearFaults: () => {
      faults = [];
    },
    editRecord,
    editRecords: (upstream, type, ids, options) => {
      const resolvedOptions: EditOptions = typeof options === 'number' ? { at: options } : options ?? {};
      const at = resolvedOptions.at ?? resolved.now(); // one time for the batch, even if the clock moves
      for (const id of ids) edits.add(upstream, type, id, { ...resolvedOptions, at }, at);
    },
    revisionOf: (upstream, type, id) => {
      if (!EDIT_TYPES[upstream].includes(type)) throw new TypeError(`revisionOf: ${upstream} has no type '${type}'`);
      return edits.state(upstream, type, id, resolved.now()).revision;
    },
    clearEdits: () => edits.clear(),
    revokeTvdbTokens: () => tokens.revokeAll(),
    inFlight: (upstream) => (upstream === undefined ? inFlightCount.tmdb + inFlightCount.tvdb : inFlightCount[upstream]),
    maxInFlight: (upstream) => (upstream === undefined ? maxTotal : maxCount[upstream]),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      for (const wake of [...sleepers]) wake();
      await Promise.all([servers.tmdb.stop(true), servers.tvdb.stop(true)]);
    },
  };
}
