/**
 * The chaos phases. Each starts the relay binary against a fake upstream in this process (so faults
 * can be switched on and off mid-run), drives load on loopback, and returns what it saw: answers by
 * status, upstream calls, RSS, and checks against the targets of issue #13.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import { startFakeUpstream, type FakeUpstream } from '../../test/support/fake-upstream.ts';
import { startRedisServer } from '../../test/support/redis-server.ts';
import { mulberry32, zipfSampler } from '../workload.ts';
import { Load, type Planned } from './load.ts';
import { startRelayProcess, type RelayProcess } from './relay-process.ts';

export interface ChaosOptions {
  binary: string;
  /** The CI version: the same phases, shorter. */
  short: boolean;
  log: (line: string) => void;
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  /** A target still being worked towards: reported, but a miss does not fail the run (or CI). */
  target?: boolean;
}

export interface SoakWindow {
  atSeconds: number;
  requests: number;
  errors: number;
  lost: number;
  hitRatePct: number;
  rssMiB: number;
  heapMiB: number;
  entries: number;
}

export interface PhaseReport {
  name: string;
  what: string;
  seconds: number;
  answers: Record<string, number>;
  upstreamCalls: number;
  rssPeakMiB: number;
  rssEndMiB: number;
  checks: Check[];
  windows?: SoakWindow[];
}

const MiB = 1024 * 1024;
const GZIP = { 'accept-encoding': 'gzip' };
const IDENTITY = { 'accept-encoding': 'identity' };
const mib = (bytes: number) => Math.round((bytes / MiB) * 10) / 10;

/** The fake upstream of one phase, with the relay's environment for it. */
async function fakeFor(options: Parameters<typeof startFakeUpstream>[0] = {}) {
  const fake = await startFakeUpstream({ latencyMs: [1, 5], ...options });
  const env = fake.relayEnv();
  const secrets = [fake.options.tmdbApiKey, fake.options.tvdbApiKey];
  return { fake, env, secrets };
}

/** Data calls the fake received since the last drain; forgets them (a long run would pile them up). */
function drainCalls(fake: FakeUpstream): number {
  const calls = fake.dataCalls().length;
  fake.requests.length = 0;
  return calls;
}

/** Data calls received at or after `since` (ms since the epoch), without forgetting them. */
function callsSince(fake: FakeUpstream, since: number): number {
  return fake.dataCalls().filter((call) => call.at >= since).length;
}

/** Samples the relay's RSS every `everyMs` while running; `peak` since start. */
function rssSampler(relay: RelayProcess, everyMs = 250) {
  let peak = relay.rss();
  const timer = setInterval(() => (peak = Math.max(peak, relay.rss())), everyMs);
  return {
    get peak() {
      return peak;
    },
    reset: () => (peak = relay.rss()),
    stop: () => clearInterval(timer),
  };
}

interface Stats {
  cache: { hits: number; stale: number; coalesced: number; total_requests: number; size: number; memory_bytes: number; identity_copy_bytes: number };
  process: { heap_used_bytes: number };
}

async function statsOf(relay: RelayProcess): Promise<Stats> {
  return (await (await fetch(`${relay.baseUrl}/stats`)).json()) as Stats;
}

function check(name: string, ok: boolean, detail: string): Check {
  return { name, ok, detail };
}

/** Checks every phase makes: nothing lost, the process alive, no secret anywhere, every log line JSON. */
function commonChecks(load: Load | null, relay: RelayProcess, expectAlive = true): Check[] {
  const checks: Check[] = [];
  if (load) {
    checks.push(check('no lost request', load.lost === 0, load.lost === 0 ? `${load.total.toLocaleString('en')} answered` : `${load.lost} without an answer: ${load.lostErrors.slice(0, 3).join('; ')}`));
    checks.push(check('no key in any answer', load.leaks === 0, `${load.leaks} answers with a key`));
  }
  if (expectAlive) checks.push(check('process alive', relay.alive(), relay.alive() ? 'running' : `exited ${relay.exitCode()}`));
  checks.push(check('no key in the log', relay.leakedLines === 0, `${relay.lineCount} lines, ${relay.leakedLines} with a key`));
  checks.push(check('every log line is JSON', relay.nonJsonLines.length === 0, relay.nonJsonLines.length === 0 ? 'yes' : relay.nonJsonLines.slice(0, 2).join(' | ')));
  return checks;
}

// ---------------------------------------------------------------------------------------------
// Soak: memory held to its bound under Zipf traffic and unique-key churn

export const SOAK_CACHE_MAX_BYTES = 32 * MiB;
/** Issue #13's bound: RSS at most CACHE_MAX_BYTES x 1.5 + 150 MB in steady state. */
export const SOAK_RSS_BOUND = SOAK_CACHE_MAX_BYTES * 1.5 + 150 * MiB;

export async function soak(options: ChaosOptions): Promise<PhaseReport> {
  const seconds = options.short ? 30 : 300;
  const windowSeconds = options.short ? 10 : 30;
  const { fake, env, secrets } = await fakeFor();
  const relay = await startRelayProcess(options.binary, {
    ...env,
    CACHE_MAX_BYTES: '32MiB',
    // About memory, not the upstream budget: every churned key is filled.
    TMDB_RATE_LIMIT: '10000',
    TMDB_RATE_BURST: '10000',
  }, secrets);
  const random = mulberry32(13);
  const popular = zipfSampler(20_000, 1, random);
  const plan = (i: number): Planned => {
    const headers = random() < 0.25 ? IDENTITY : GZIP;
    const pick = random();
    if (pick < 0.6) return { kind: 'zipf', path: `/tmdb/movies/${1 + popular()}?append_to_response=credits,images,videos`, headers };
    if (pick < 0.9) return { kind: 'churn', path: `/tmdb/movies/${1_000_000 + i}?append_to_response=credits`, headers };
    return { kind: 'churn', path: `/tmdb/movies/search?query=churn%20${i}&page=1`, headers };
  };
  const load = new Load(relay.baseUrl, plan, secrets).start(32);
  const rss = rssSampler(relay);
  const windows: SoakWindow[] = [];
  let upstreamCalls = 0;
  let last = await statsOf(relay);
  let lastTotal = 0;
  let lastErrors = 0;
  let lastLost = 0;
  const started = Date.now();
  try {
    for (let at = windowSeconds; at <= seconds; at += windowSeconds) {
      rss.reset();
      await Bun.sleep(started + at * 1000 - Date.now());
      upstreamCalls += drainCalls(fake);
      const stats = await statsOf(relay);
      const answered = stats.cache.total_requests - last.cache.total_requests;
      const served = stats.cache.hits + stats.cache.stale + stats.cache.coalesced - (last.cache.hits + last.cache.stale + last.cache.coalesced);
      const errors = errorCount(load);
      windows.push({
        atSeconds: at,
        requests: load.total - lastTotal,
        errors: errors - lastErrors,
        lost: load.lost - lastLost,
        hitRatePct: answered === 0 ? 0 : Math.round((served / answered) * 1000) / 10,
        rssMiB: mib(rss.peak),
        heapMiB: mib(stats.process.heap_used_bytes),
        entries: stats.cache.size,
      });
      options.log(`soak ${at}s: ${JSON.stringify(windows.at(-1))}`);
      last = stats;
      lastTotal = load.total;
      lastErrors = errors;
      lastLost = load.lost;
    }
  } finally {
    await load.stop();
    rss.stop();
  }
  upstreamCalls += drainCalls(fake);
  // Steady state: after the first third of the run (the cache fills up to its bound in the first).
  const steady = windows.slice(Math.ceil(windows.length / 3));
  const steadyPeak = Math.max(...steady.map((w) => w.rssMiB));
  const peak = Math.max(...windows.map((w) => w.rssMiB));
  const first = steady[0] as SoakWindow;
  const checks = [
    { ...check('steady RSS within CACHE_MAX_BYTES x 1.5 + 150 MB (issue #13 target)', steadyPeak * MiB <= SOAK_RSS_BOUND, `${steadyPeak} MiB (target ${mib(SOAK_RSS_BOUND)} MiB)`), target: true },
    check('memory bounded: steady RSS under twice that target', steadyPeak * MiB <= 2 * SOAK_RSS_BOUND, `${steadyPeak} MiB (limit ${mib(2 * SOAK_RSS_BOUND)} MiB)`),
    check('RSS not growing in steady state (last window within 25% of the first)', steady.length < 2 || (steady.at(-1) as SoakWindow).rssMiB <= first.rssMiB * 1.25, steady.map((w) => w.rssMiB).join(' -> ') + ' MiB'),
    check('no error answers', errorCount(load) === 0, `${errorCount(load)} answers other than 200/404`),
    ...commonChecks(load, relay),
  ];
  const report: PhaseReport = {
    name: 'soak',
    what: `${seconds} s, 32 clients in a closed loop: 60% Zipf(1) over 20,000 movie details, 30% unique ids, 10% unique searches, a quarter of clients without gzip; CACHE_MAX_BYTES=32MiB`,
    seconds,
    answers: load.answers(),
    upstreamCalls,
    rssPeakMiB: peak,
    rssEndMiB: mib(relay.rss()),
    checks,
    windows,
  };
  await relay.terminate();
  await fake.stop();
  return report;
}

function errorCount(load: Load): number {
  let errors = 0;
  for (const [status, n] of Object.entries(load.answers())) if (status !== '200' && status !== '404' && status !== 'lost') errors += n;
  return errors;
}

// ---------------------------------------------------------------------------------------------
// Outages: the upstream answers 500, hangs, answers 429, or is gone; cached keys keep answering

const HOT_IDS = 200;

function hotAndMisses(missShare: number, random = mulberry32(7)) {
  return (i: number): Planned =>
    random() < missShare
      ? { kind: 'miss', path: `/tmdb/movies/${2_000_000 + i}` }
      : { kind: 'hot', path: `/tmdb/movies/${1 + Math.floor(random() * HOT_IDS)}`, headers: random() < 0.25 ? IDENTITY : GZIP };
}

async function warm(relay: RelayProcess, paths: string[]): Promise<void> {
  for (let i = 0; i < paths.length; i += 32) {
    await Promise.all(paths.slice(i, i + 32).map(async (path) => {
      const response = await fetch(relay.baseUrl + path, { headers: GZIP });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`warm-up of ${path} answered ${response.status}`);
    }));
  }
}

/** Ids never asked before: a recovery probe must reach the upstream, not the cache. */
let probeIds = 3_000_000;

/** Until a new miss answers 200 (the breaker's probe went through), at most `timeoutMs`. */
async function recovery(relay: RelayProcess, timeoutMs: number): Promise<number | null> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const response = await fetch(`${relay.baseUrl}/tmdb/movies/${probeIds++}`).catch(() => null);
    await response?.arrayBuffer();
    if (response?.status === 200) return Date.now() - started;
    await Bun.sleep(100);
  }
  return null;
}

export async function outages(options: ChaosOptions): Promise<PhaseReport[]> {
  const seconds = options.short ? 4 : 20;
  const { fake, env, secrets } = await fakeFor();
  const tmdbPort = Number(new URL(fake.tmdbBaseUrl).port);
  const tvdbPort = Number(new URL(fake.tvdbBaseUrl).port);
  let current = fake;
  const relay = await startRelayProcess(options.binary, {
    ...env,
    // Entries go stale at once, so every hot answer during an outage is stale-if-error at work.
    CACHE_TTL_DETAILS: '1s/1d',
    UPSTREAM_TIMEOUT_MS: '2000',
    BREAKER_COOLDOWN: '2s',
  }, secrets);
  await warm(relay, Array.from({ length: HOT_IDS }, (_, i) => `/tmdb/movies/${1 + i}`));
  await Bun.sleep(1_100);
  drainCalls(current);

  const reports: PhaseReport[] = [];
  // Calls in the first moment of an outage are the ones already in flight or admitted when it began
  // (up to UPSTREAM_MAX_CONCURRENCY); what counts is what the relay sends once it knows.
  const settleMs = 500;
  const scenarios: { name: string; what: string; start: () => Promise<void> | void; end: () => Promise<void> | void; maxCalls: (s: number) => number }[] = [
    {
      name: 'upstream 500',
      what: 'TMDB answers every request with 500',
      start: () => current.addFault({ upstream: 'tmdb', fault: { kind: 'status', status: 500 } }),
      end: () => current.clearFaults(),
      // The breaker is open by then: one probe per 2 s cool-down.
      maxCalls: (s) => Math.ceil(s / 2) + 1,
    },
    {
      name: 'upstream hangs',
      what: 'TMDB accepts connections and never answers (UPSTREAM_TIMEOUT_MS=2000)',
      start: () => current.addFault({ upstream: 'tmdb', fault: { kind: 'hang' } }),
      end: () => current.clearFaults(),
      // Slots free only when the first calls time out (2 s), which opens the breaker: then one probe per cool-down.
      maxCalls: (s) => 16 + Math.ceil(s / 2) + 1,
    },
    {
      name: 'upstream 429',
      what: 'TMDB answers every request with 429, Retry-After: 2',
      start: () => current.addFault({ upstream: 'tmdb', fault: { kind: 'rate-limit', retryAfter: '2' } }),
      end: () => current.clearFaults(),
      // One probe after each 2 s pause.
      maxCalls: (s) => Math.ceil(s / 2) + 1,
    },
    {
      name: 'upstream killed',
      what: 'the TMDB and TVDB servers are stopped (connection refused), then started again on the same ports',
      start: () => current.stop(),
      end: async () => {
        current = await startFakeUpstream({ latencyMs: [1, 5], tmdbPort, tvdbPort });
      },
      maxCalls: () => 0,
    },
  ];
  try {
    for (const scenario of scenarios) {
      const load = new Load(relay.baseUrl, hotAndMisses(0.2), secrets);
      const rss = rssSampler(relay);
      await scenario.start();
      const began = Date.now();
      load.start(16);
      await Bun.sleep(seconds * 1000);
      await load.stop();
      const killed = scenario.name === 'upstream killed';
      const later = killed ? 0 : callsSince(current, began + settleMs);
      const calls = killed ? 0 : drainCalls(current);
      await scenario.end();
      const recoveredMs = await recovery(relay, 10_000);
      drainCalls(current);
      rss.stop();
      const hot = load.counts('hot');
      const miss = load.counts('miss');
      const hotOk = hot.statuses['200'] ?? 0;
      const hotAll = Object.values(hot.statuses).reduce((a, b) => a + b, 0) + hot.lost;
      const missClear = Object.entries(miss.statuses).every(([status]) => Number(status) >= 500 || status === '200');
      reports.push({
        name: scenario.name,
        what: `${scenario.what}, ${seconds} s; 16 clients, 80% on ${HOT_IDS} cached (stale) keys, 20% new misses`,
        seconds,
        answers: load.answers(),
        upstreamCalls: calls,
        rssPeakMiB: mib(rss.peak),
        rssEndMiB: mib(relay.rss()),
        checks: [
          check('every cached key answered 200 (stale)', hotOk === hotAll, `${hotOk.toLocaleString('en')} of ${hotAll.toLocaleString('en')}`),
          // At worst a miss waits for a slot while the first calls time out, then its own call does.
          check('misses get a clear 5xx within two upstream deadlines', missClear && miss.maxMs < 4_500, `miss answers ${JSON.stringify(miss.statuses)}, slowest ${Math.round(miss.maxMs)} ms`),
          check('upstream spared once the relay knows', later <= scenario.maxCalls(seconds), `${later} calls after the first ${settleMs} ms (at most ${scenario.maxCalls(seconds)}), ${calls} in all`),
          check('recovers by itself', recoveredMs !== null, recoveredMs === null ? 'no 200 within 10 s' : `first new miss 200 after ${recoveredMs} ms`),
          ...commonChecks(load, relay),
        ],
      });
      options.log(`outage ${scenario.name}: ${JSON.stringify(reports.at(-1)?.checks.map((c) => [c.name, c.ok]))}`);
    }
  } finally {
    await relay.terminate();
    await current.stop();
  }
  return reports;
}

// ---------------------------------------------------------------------------------------------
// The second tier (Redis) killed and restarted under load

export async function secondTierKilled(options: ChaosOptions): Promise<PhaseReport> {
  const seconds = options.short ? 6 : 30;
  const { fake, env, secrets } = await fakeFor();
  const redis = await startRedisServer();
  const relay = await startRelayProcess(options.binary, { ...env, CACHE_STORE: redis.url, TMDB_RATE_LIMIT: '10000', TMDB_RATE_BURST: '10000' }, secrets);
  try {
    await warm(relay, Array.from({ length: HOT_IDS }, (_, i) => `/tmdb/movies/${1 + i}`));
    drainCalls(fake);
    const load = new Load(relay.baseUrl, hotAndMisses(0.25), secrets).start(16);
    const rss = rssSampler(relay);
    await Bun.sleep((seconds * 1000) / 3);
    await redis.kill();
    await Bun.sleep((seconds * 1000) / 3);
    await redis.restart();
    await Bun.sleep((seconds * 1000) / 3);
    await load.stop();
    rss.stop();
    let state = '';
    for (let i = 0; i < 50 && state !== 'up'; i++) {
      state = ((await (await fetch(`${relay.baseUrl}/health`)).json()) as { cache_store: { state: string } }).cache_store.state;
      if (state !== 'up') await Bun.sleep(100);
    }
    const answers = load.answers();
    const all = Object.values(answers).reduce((a, b) => a + b, 0);
    const slowest = Math.max(load.counts('hot').maxMs, load.counts('miss').maxMs);
    return {
      name: 'second tier killed',
      what: `CACHE_STORE=redis; redis-server killed (SIGKILL) a third into ${seconds} s of load and started again a third later; 16 clients, 75% cached keys, 25% misses`,
      seconds,
      answers,
      upstreamCalls: drainCalls(fake),
      rssPeakMiB: mib(rss.peak),
      rssEndMiB: mib(relay.rss()),
      checks: [
        check('every request answered 200', (answers['200'] ?? 0) === all, `${(answers['200'] ?? 0).toLocaleString('en')} of ${all.toLocaleString('en')}`),
        check('no request waits much past the tier deadline (100 ms)', slowest < 400, `slowest ${Math.round(slowest)} ms`),
        check('the tier is used again after the restart', state === 'up', `/health cache_store.state = ${state}`),
        ...commonChecks(load, relay),
      ],
    };
  } finally {
    await relay.terminate();
    await redis.stop();
    await fake.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Hostile upstream bodies

/** Gzip of `bytes` zeros, compressed as a stream (never holding the decoded bytes). */
async function gzipBomb(bytes: number): Promise<Uint8Array> {
  const gzip = createGzip({ level: 9 });
  const parts: Buffer[] = [];
  gzip.on('data', (part: Buffer) => parts.push(part));
  const done = new Promise((resolve) => gzip.on('end', resolve));
  const zeros = Buffer.alloc(MiB);
  for (let written = 0; written < bytes; written += MiB) {
    if (!gzip.write(zeros)) await new Promise((resolve) => gzip.once('drain', resolve));
  }
  gzip.end();
  await done;
  return new Uint8Array(Buffer.concat(parts));
}

function streamed(totalBytes: number, chunkBytes: number, pauseMs: number): () => ReadableStream<Uint8Array> {
  return () => {
    let sent = 0;
    const chunk = new TextEncoder().encode(`"${'x'.repeat(chunkBytes - 3)}",`);
    return new ReadableStream({
      async pull(controller) {
        if (sent === 0) controller.enqueue(new TextEncoder().encode('['));
        if (sent >= totalBytes) {
          controller.enqueue(new TextEncoder().encode('0]'));
          controller.close();
          return;
        }
        if (pauseMs > 0) await Bun.sleep(pauseMs);
        controller.enqueue(chunk);
        sent += chunk.byteLength;
      },
    });
  };
}

export async function hostileBodies(options: ChaosOptions): Promise<PhaseReport[]> {
  const { fake, env, secrets } = await fakeFor();
  const relay = await startRelayProcess(options.binary, { ...env, UPSTREAM_TIMEOUT_MS: '3000', BREAKER_COOLDOWN: '2s' }, secrets);
  const json = { 'content-type': 'application/json;charset=utf-8' };
  const bombBytes = options.short ? 256 * MiB : 1024 * MiB;
  const bomb = await gzipBomb(bombBytes);
  const valid = Bun.gzipSync(new TextEncoder().encode(JSON.stringify({ id: 1, text: 'z'.repeat(20_000) })));
  const kinds: { name: string; what: string; expect: number[]; body: () => { status?: number; headers: Record<string, string>; body: Uint8Array | (() => ReadableStream<Uint8Array>) } }[] = [
    { name: 'huge body', what: '200 MB of JSON streamed without Content-Length', expect: [502], body: () => ({ headers: json, body: streamed(200 * MiB, 64 * 1024, 0) }) },
    { name: 'huge declared', what: 'Content-Length: 200 MB', expect: [502], body: () => ({ headers: { ...json, 'content-length': String(200 * MiB) }, body: streamed(200 * MiB, 64 * 1024, 0) }) },
    { name: 'gzip bomb', what: `${mib(bomb.byteLength)} MiB of gzip that decodes to ${mib(bombBytes)} MiB`, expect: [502], body: () => ({ headers: { ...json, 'content-encoding': 'gzip' }, body: bomb }) },
    // Timeouts are outages: once five have happened the breaker opens and the rest get 503 at once.
    { name: 'trickle', what: '1 KiB every 500 ms, never ending in time (UPSTREAM_TIMEOUT_MS=3000)', expect: [504, 503], body: () => ({ headers: json, body: streamed(10 * MiB, 1024, 500) }) },
    { name: 'invalid gzip', what: 'Content-Encoding: gzip, bytes that are not gzip', expect: [502], body: () => ({ headers: { ...json, 'content-encoding': 'gzip' }, body: new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8]) }) },
    { name: 'truncated gzip', what: 'a gzip body cut after 40 bytes', expect: [502], body: () => ({ headers: { ...json, 'content-encoding': 'gzip' }, body: valid.slice(0, 40) }) },
    { name: 'redirect', what: '302 with a Location off the upstream host', expect: [502], body: () => ({ status: 302, headers: { location: 'http://elsewhere.invalid/?api_key=stolen' }, body: new Uint8Array(0) }) },
  ];
  const reports: PhaseReport[] = [];
  try {
    for (const [index, kind] of kinds.entries()) {
      // A kind that opened the breaker (the trickle's timeouts) must not decide the next one's answers.
      await recovery(relay, 40_000);
      drainCalls(fake);
      await Bun.sleep(500);
      const before = relay.rss();
      const entriesBefore = (await statsOf(relay)).cache.size;
      const ids = Array.from({ length: 8 }, (_, i) => 4_000_000 + index * 100 + i);
      for (const id of ids) fake.addFault({ upstream: 'tmdb', pathPrefix: `/3/movie/${id}`, fault: { kind: 'raw', ...kind.body() } });
      const rss = rssSampler(relay, 50);
      // 8 distinct keys at once, each asked by a gzip and an identity client, twice.
      const plan = (i: number): Planned => ({ kind: 'hostile', path: `/tmdb/movies/${ids[i % 8]}`, headers: i % 2 === 0 ? GZIP : IDENTITY });
      const load = new Load(relay.baseUrl, plan, secrets);
      await load.burst(16);
      await load.burst(16);
      rss.stop();
      fake.clearFaults();
      await Bun.sleep(options.short ? 2_000 : 3_000); // the collector runs; what was freed leaves RSS
      const after = relay.rss();
      const entriesAfter = (await statsOf(relay)).cache.size;
      const statuses = load.counts('hostile').statuses;
      const expected = Object.keys(statuses).every((status) => kind.expect.includes(Number(status)));
      reports.push({
        name: kind.name,
        what: kind.what,
        seconds: 0,
        answers: load.answers(),
        upstreamCalls: drainCalls(fake),
        rssPeakMiB: mib(rss.peak),
        rssEndMiB: mib(after),
        checks: [
          check(`answered ${kind.expect.join('/')} with a JSON error`, expected, JSON.stringify(statuses)),
          check('nothing cached', entriesAfter === entriesBefore, `${entriesAfter - entriesBefore} new entries`),
          check('memory returns to baseline (within 64 MiB)', after - before <= 64 * MiB, `RSS ${mib(before)} -> peak ${mib(rss.peak)} -> ${mib(after)} MiB`),
          check('peak stays bounded (within 320 MiB of baseline)', rss.peak - before <= 320 * MiB, `peak +${mib(rss.peak - before)} MiB`),
          ...commonChecks(load, relay),
        ],
      });
      options.log(`hostile ${kind.name}: ${JSON.stringify(reports.at(-1)?.checks.map((c) => [c.name, c.ok, c.detail]))}`);
    }
  } finally {
    await relay.terminate();
    await fake.stop();
  }
  return reports;
}

// ---------------------------------------------------------------------------------------------
// TVDB token revoked under load

export async function tvdbRevocation(options: ChaosOptions): Promise<PhaseReport> {
  const seconds = options.short ? 4 : 20;
  const { fake, env, secrets } = await fakeFor();
  const relay = await startRelayProcess(options.binary, { ...env, TVDB_RATE_LIMIT: '10000', TVDB_RATE_BURST: '10000' }, secrets);
  try {
    const random = mulberry32(3);
    const plan = (i: number): Planned =>
      random() < 0.3 ? { kind: 'miss', path: `/tvdb/series/${5_000_000 + i}` } : { kind: 'hot', path: `/tvdb/series/${70_000 + Math.floor(random() * 50)}` };
    const load = new Load(relay.baseUrl, plan, secrets).start(16);
    await Bun.sleep((seconds * 1000) / 2);
    fake.revokeTvdbTokens();
    await Bun.sleep((seconds * 1000) / 2);
    await load.stop();
    const answers = load.answers();
    const all = Object.values(answers).reduce((a, b) => a + b, 0);
    const logins = fake.logins().length;
    return {
      name: 'TVDB token revoked',
      what: `every TVDB token the relay holds starts getting 401 halfway through ${seconds} s of load (16 clients, 70% cached series, 30% misses)`,
      seconds,
      answers,
      upstreamCalls: drainCalls(fake),
      rssPeakMiB: mib(relay.rss()),
      rssEndMiB: mib(relay.rss()),
      checks: [
        check('every request answered 200', (answers['200'] ?? 0) === all, `${(answers['200'] ?? 0).toLocaleString('en')} of ${all.toLocaleString('en')}`),
        check('one new login, not one per request', logins <= 2, `${logins} logins in all`),
        ...commonChecks(load, relay),
      ],
    };
  } finally {
    await relay.terminate();
    await fake.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// SIGTERM under load: every request already taken is answered

export async function sigterm(options: ChaosOptions): Promise<PhaseReport> {
  const { fake, env, secrets } = await fakeFor();
  const relay = await startRelayProcess(options.binary, { ...env }, secrets);
  fake.addFault({ upstream: 'tmdb', pathPrefix: '/3/movie', fault: { kind: 'delay', ms: 500 } });
  const plan = (i: number): Planned => ({ kind: 'in-flight', path: `/tmdb/movies/${6_000_000 + i}` });
  const load = new Load(relay.baseUrl, plan, secrets);
  const inFlight = load.burst(32);
  // SIGTERM once all 32 are with the upstream (the fake records a request as it arrives).
  for (const deadline = Date.now() + 10_000; fake.dataCalls().length < 32 && Date.now() < deadline; ) await Bun.sleep(5);
  const t0 = Date.now();
  const exited = relay.terminate(15_000);
  await inFlight;
  const code = await exited;
  const exitMs = Date.now() - t0;
  const answers = load.answers();
  const report: PhaseReport = {
    name: 'SIGTERM under load',
    what: '32 misses in flight (upstream 500 ms) when SIGTERM arrives',
    seconds: exitMs / 1000,
    answers,
    upstreamCalls: drainCalls(fake),
    rssPeakMiB: 0,
    rssEndMiB: 0,
    checks: [
      check('every request in flight answered 200', (answers['200'] ?? 0) === 32, JSON.stringify(answers)),
      check('exits 0 once drained', code === 0, `exit ${code} after ${exitMs} ms`),
      ...commonChecks(load, relay, false),
    ],
  };
  await fake.stop();
  return report;
}

// ---------------------------------------------------------------------------------------------
// kill -9 and restart with the SQLite tier: the re-warm cost

export async function killAndRestart(options: ChaosOptions): Promise<PhaseReport> {
  const keys = options.short ? 500 : 3_000;
  const { fake, env, secrets } = await fakeFor();
  const dir = mkdtempSync(join(tmpdir(), 'relay-chaos-sqlite-'));
  const relayEnv = { ...env, CACHE_STORE: `sqlite:${join(dir, 'cache.db')}`, TMDB_RATE_LIMIT: '10000', TMDB_RATE_BURST: '10000' };
  const paths = Array.from({ length: keys }, (_, i) => `/tmdb/movies/${7_000_000 + i}?append_to_response=credits`);
  try {
    const first = await startRelayProcess(options.binary, relayEnv, secrets);
    await warm(first, paths);
    const filled = drainCalls(fake);
    await Bun.sleep(1_000); // the tier's batched writes land
    await first.kill();
    const second = await startRelayProcess(options.binary, relayEnv, secrets);
    const load = new Load(second.baseUrl, (i) => ({ kind: 'rewarm', path: paths[i % keys] as string }), secrets);
    for (let i = 0; i < keys; i += 32) await load.burst(Math.min(32, keys - i));
    const rewarm = drainCalls(fake);
    const answers = load.answers();
    const report: PhaseReport = {
      name: 'kill -9 and restart (SQLite tier)',
      what: `${keys.toLocaleString('en')} keys filled, the relay killed with SIGKILL, started again on the same file, the same keys asked again`,
      seconds: 0,
      answers,
      upstreamCalls: rewarm,
      rssPeakMiB: mib(second.rss()),
      rssEndMiB: mib(second.rss()),
      checks: [
        check('every key answered 200 after the restart', (answers['200'] ?? 0) === keys, JSON.stringify(answers)),
        check('re-warm costs at most 5% of the keys in upstream calls', rewarm <= keys * 0.05, `${rewarm} upstream calls for ${keys} keys (memory-only: ${filled})`),
        ...commonChecks(load, second),
      ],
    };
    await second.terminate();
    return report;
  } finally {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
