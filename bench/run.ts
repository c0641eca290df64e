/**
 * `bun run bench [--only hot,replay,memory,overload,tiers,feeds] [--duration 10] [--requests 600000] [--fleet-requests 200000] [--binary <path>] [--write]`
 *
 * Starts the fake upstream (30-80 ms latency) and the relay as shipped (the compiled binary, built
 * first), then measures: cache-hit throughput and latency vs nginx proxy_cache and a bare Bun.serve
 * (wrk, 64 connections), a Zipf workload replay (hit rate, upstream calls vs raw-query keying), and
 * memory with 50k cached detail bodies. Prints one markdown report; --write also puts it into
 * BENCHMARKS.md between the results markers.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { benchHotPath, type HotPathReport } from './hot-path.ts';
import { commandExists, spawnUntil, type Started } from './lib/processes.ts';
import { benchMemory, type MemoryReport } from './memory.ts';
import { benchOverload, type OverloadReport } from './overload.ts';
import { benchReplay, type ReplayReport } from './replay.ts';
import { benchTiers, renderTiers, type TiersReport } from './tiers.ts';
import { benchFeedsSim, renderFeedsSim, type FeedsSimReport } from './feeds-sim.ts';

export interface FakeInfo {
  tmdbBaseUrl: string;
  tmdbApiKey: string;
  relayEnv: Record<string, string>;
}

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? fallback : (args[at + 1] ?? fallback);
};
const only = new Set(flag('only', 'hot,replay,memory,overload,tiers,feeds').split(','));
const duration = Number(flag('duration', '10'));
const requests = Number(flag('requests', '600000'));
const memoryEntries = Number(flag('entries', '50000'));

async function startFake(latency: string): Promise<Started & { info: FakeInfo }> {
  const started = await spawnUntil(['bun', 'test/support/fake-upstream-cli.ts', '--latency', latency], 'tmdbBaseUrl');
  const line = JSON.parse(started.readyLine) as { tmdbBaseUrl: string; tvdbBaseUrl: string; tmdbApiKey: string; tvdbApiKey: string };
  return {
    ...started,
    info: {
      tmdbBaseUrl: line.tmdbBaseUrl,
      tmdbApiKey: line.tmdbApiKey,
      relayEnv: { TMDB_API_KEY: line.tmdbApiKey, TMDB_BASE_URL: line.tmdbBaseUrl, TVDB_API_KEY: line.tvdbApiKey, TVDB_BASE_URL: line.tvdbBaseUrl },
    },
  };
}

function build(): string[] {
  // --binary <path>: measure another build (e.g. .bench/ab-<sha>/dist/metadata-relay from bench:ab).
  const binary = flag('binary', '');
  if (binary !== '') return [binary];
  const result = Bun.spawnSync(['bun', 'run', 'build'], { stdout: 'ignore', stderr: 'pipe' });
  if (result.exitCode !== 0) throw new Error(`build failed: ${result.stderr.toString()}`);
  return ['./dist/metadata-relay'];
}

const relayCommand = build();
let hot: HotPathReport | null = null;
let replay: ReplayReport | null = null;
let memory: MemoryReport | null = null;
let overload: OverloadReport | null = null;
let tiers: TiersReport | null = null;
let feeds: FeedsSimReport | null = null;

const fake = await startFake('30-80');
try {
  if (only.has('hot')) {
    if (!commandExists('wrk')) throw new Error('wrk is needed: apt-get install -y wrk (and nginx for the comparison)');
    hot = await benchHotPath(fake.info, relayCommand, duration);
  }
  if (only.has('overload')) overload = await benchOverload(fake.info, relayCommand, 2_000);
  if (only.has('replay')) replay = await benchReplay(fake.info, relayCommand, { titles: 10_000, requests, zipfExponent: 1.0, seed: 42, windowSize: 100_000 });
  if (only.has('tiers')) tiers = await benchTiers(fake.info, relayCommand, { durationSeconds: duration, fleetRequests: Number(flag('fleet-requests', '200000')) });
} finally {
  await fake.stop();
}
if (only.has('feeds')) feeds = await benchFeedsSim(relayCommand);
if (only.has('memory')) {
  const fastFake = await startFake('0');
  try {
    memory = await benchMemory(fastFake.info, relayCommand, memoryEntries);
  } finally {
    await fastFake.stop();
  }
}

const report = renderReport();
console.log(report);
if (args.includes('--write')) {
  const file = 'BENCHMARKS.md';
  const text = readFileSync(file, 'utf8');
  const start = '<!-- results:start -->';
  const end = '<!-- results:end -->';
  writeFileSync(file, text.slice(0, text.indexOf(start) + start.length) + '\n' + report + '\n' + text.slice(text.indexOf(end)));
}

function renderReport(): string {
  const lines: string[] = [];
  const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  lines.push(`Run: \`bun run bench ${args.join(' ')}\`, ${new Date().toISOString().slice(0, 16)}Z, ${cpus().length} cores (${cpus()[0]?.model ?? 'cpu'}), Bun ${Bun.version}.`, '');
  if (hot) {
    const relay = hot.rows[0]?.result;
    lines.push(`### Cache-hit throughput: \`GET ${hot.path}\` (${hot.bodyBytes} B JSON, ${hot.gzipBytes} B gzip), wrk -t1 -c64 -d${duration}s, Accept-Encoding: gzip unless the row says identity`, '');
    lines.push('| server | req/s | p50 | p99 | relay (warn) / this | non-2xx |', '|---|---:|---:|---:|---:|---:|');
    for (const row of hot.rows) {
      const ratio = relay ? (relay.requestsPerSecond / row.result.requestsPerSecond).toFixed(2) : '-';
      lines.push(`| ${row.name} | ${Math.round(row.result.requestsPerSecond).toLocaleString('en')} | ${row.result.p50Ms.toFixed(2)} ms | ${row.result.p99Ms.toFixed(2)} ms | ${ratio}x | ${row.result.non2xx + row.result.socketErrors} |`);
    }
    const rate = (name: string) => hot.rows.find((row) => row.name.startsWith(name))?.result.requestsPerSecond;
    const versus = (a: number | undefined, b: number | undefined) => (a && b ? `${(a / b).toFixed(2)}x` : '-');
    lines.push('', `Relay / nginx, same client: gzip ${versus(rate('relay (LOG_LEVEL=warn)'), rate('nginx proxy_cache (1 worker)'))}, identity ${versus(rate('relay, identity'), rate('nginx proxy_cache, identity'))}.`, '');
  }
  if (replay) {
    const last = replay.windows.at(-1);
    lines.push(`### Workload replay: ${replay.options.requests.toLocaleString('en')} requests, ${replay.options.titles.toLocaleString('en')} titles, Zipf s=${replay.options.zipfExponent}, 3 client styles, 64 in flight, upstream 30-80 ms`, '');
    lines.push('| requests | hit rate (HIT+STALE+COALESCED) | upstream calls per 1000 requests |', '|---|---:|---:|');
    for (const w of replay.windows) lines.push(`| ${w.from.toLocaleString('en')}-${w.to.toLocaleString('en')} | ${w.hitRatePct.toFixed(1)}% | ${w.upstreamPer1000.toFixed(1)} |`);
    lines.push('', '| measure | value |', '|---|---:|');
    if (last) lines.push(`| hit rate after warm-up (last window) | ${last.hitRatePct.toFixed(1)}% |`);
    lines.push(`| upstream calls per 1000 client requests, whole run | ${replay.upstreamPer1000Overall.toFixed(1)} |`);
    lines.push(`| relay upstream calls, whole run | ${replay.upstreamCalls.toLocaleString('en')} |`);
    lines.push(`| distinct canonical keys in the stream (the floor for any cache) | ${replay.distinctCanonicalKeys.toLocaleString('en')} |`);
    lines.push(`| distinct raw URLs (what raw-query keying fetches at least) | ${replay.distinctRawUrls.toLocaleString('en')} |`);
    lines.push(`| raw-query keying / relay upstream calls | ${(replay.distinctRawUrls / replay.upstreamCalls).toFixed(2)}x |`);
    lines.push(`| answers by status | ${Object.entries(replay.statuses).map(([s, n]) => `${s}: ${n.toLocaleString('en')}`).join(', ')} |`);
    lines.push(`| replay time | ${replay.seconds.toFixed(1)} s |`, '');
  }
  if (memory) {
    lines.push(`### Memory: ${memory.entries.toLocaleString('en')} cached movie detail bodies (append_to_response=credits,alternative_titles)`, '');
    lines.push('| measure | value |', '|---|---:|');
    lines.push(`| raw JSON of the cached bodies | ${mib(memory.uncompressedBytes)} |`);
    lines.push(`| stored bytes (gzip bodies + per-entry allowance) | ${mib(memory.storedBytes)} (${(memory.storedBytes / memory.uncompressedBytes).toFixed(2)}x raw) |`);
    lines.push(`| RSS before / after fill | ${mib(memory.rssBeforeBytes)} / ${mib(memory.rssAfterBytes)} |`);
    lines.push(`| RSS growth | ${mib(memory.rssAfterBytes - memory.rssBeforeBytes)} (${((memory.rssAfterBytes - memory.rssBeforeBytes) / memory.uncompressedBytes).toFixed(2)}x raw) |`);
    lines.push(`| JS heap in use after fill | ${mib(memory.heapUsedBytes)} |`, '');
  }
  if (overload) {
    lines.push('### Upstream protection with the default budget (TMDB 40 req/s, burst 40, 16 in flight, queue wait 5 s)', '');
    lines.push('| measure | value |', '|---|---:|');
    lines.push(`| distinct misses fired at once | ${overload.misses.toLocaleString('en')} |`);
    lines.push(`| upstream calls made | ${overload.upstreamCalls} in ${overload.seconds.toFixed(1)} s |`);
    lines.push(`| peak upstream calls in any 1 s (sampled every 100 ms) | ${overload.peakPerSecond} |`);
    lines.push(`| client answers | 200: ${overload.answered200}, 503 with Retry-After: ${overload.answered503} |`);
    lines.push(`| client wait with the breaker open (dead upstream, timeout ${overload.timeoutMs / 1000} s), p50 / max of 200 | ${overload.breakerWaitP50Ms.toFixed(2)} ms / ${overload.breakerWaitMaxMs.toFixed(2)} ms |`, '');
  }
  if (tiers) lines.push(...renderTiers(tiers));
  if (feeds) lines.push(...renderFeedsSim(feeds));
  return lines.join('\n');
}
