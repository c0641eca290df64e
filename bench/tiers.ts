/**
 * The second tier measured (issue #9), all in one run against one fake upstream and one redis-server
 * started here:
 * 1. memory hits with CACHE_STORE unset, sqlite and redis: the tier must cost the hit path nothing;
 * 2. second-tier hits: a hot set that does not fit in a 1 MiB memory tier but fits in the second tier,
 *    latency and throughput, against the same relay with memory only (whose misses go upstream);
 * 3. a fleet of three relays behind a round-robin client on the Zipf workload, with and without Redis;
 * 4. re-warm: every relay restarted, the same requests again: upstream calls with SQLite / Redis vs
 *    memory only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedisServer, type RedisServer } from '../test/support/redis-server.ts';
import { startRelayProcess, type Started } from './lib/processes.ts';
import { pathsScript, runWrk, type LoadResult } from './lib/wrk.ts';
import { canonicalKeys, REPLAY_ENV, replayAgainst } from './replay.ts';
import type { FakeInfo } from './run.ts';
import { generateWorkload } from './workload.ts';

const HOT_PATH = '/tmdb/movies/550?append_to_response=credits,images,videos';
const GZIP = { 'accept-encoding': 'gzip', accept: 'application/json' };

export interface TiersReport {
  hit: { store: string; median: number; rounds: number[] }[];
  tierHits: { store: string; result: LoadResult; upstreamCalls: number; tierHitPct: number }[];
  tierKeys: number;
  fleet: { store: string; requests: number; upstreamCalls: number; distinctKeys: number; seconds: number }[];
  rewarm: { store: string; relays: number; requests: number; upstreamCalls: number; distinctKeys: number }[];
  durationSeconds: number;
}

type Relay = Started & { baseUrl: string };

interface Stats {
  upstreams: { tmdb: { calls: number } };
  cache_store: { hits: number; misses: number } | null;
}
const statsOf = async (relay: Relay) => (await (await fetch(`${relay.baseUrl}/stats`)).json()) as Stats;

export async function benchTiers(fake: FakeInfo, relayCommand: string[], options: { durationSeconds: number; fleetRequests: number }): Promise<TiersReport> {
  const dir = mkdtempSync(join(tmpdir(), 'relay-bench-tiers-'));
  const redis = await startRedisServer();
  const started: Relay[] = [];
  const start = async (env: Record<string, string>) => {
    const relay = await startRelayProcess(relayCommand, fake.relayEnv, env);
    started.push(relay);
    return relay;
  };
  const stop = async (relay: Relay) => {
    await relay.stop();
    started.splice(started.indexOf(relay), 1);
  };
  const stores = (tag: string): [string, Record<string, string>][] => [
    ['memory only', {}],
    ['sqlite', { CACHE_STORE: `sqlite:${join(dir, `${tag}.db`)}` }],
    ['redis', { CACHE_STORE: redis.url, CACHE_STORE_PREFIX: `${tag}:` }],
  ];
  try {
    // 1. Memory hits, alternating rounds so all three see the same noise.
    const hitRelays = await Promise.all(stores('hit').map(async ([name, env]) => ({ name, relay: await start(env) })));
    for (const { relay } of hitRelays) for (let i = 0; i < 3; i++) await (await fetch(relay.baseUrl + HOT_PATH, { headers: GZIP })).arrayBuffer();
    const rounds: Record<string, number[]> = {};
    for (let round = 0; round < 3; round++) {
      const order = round % 2 === 0 ? hitRelays : [...hitRelays].reverse();
      for (const { name, relay } of order) {
        const result = await runWrk(relay.baseUrl + HOT_PATH, { connections: 64, threads: 1, durationSeconds: options.durationSeconds, headers: GZIP });
        (rounds[name] ??= []).push(result.requestsPerSecond);
      }
    }
    for (const { relay } of hitRelays) await stop(relay);
    const hit = Object.entries(rounds).map(([store, values]) => ({ store, median: median(values), rounds: values }));

    // 2. Second-tier hits: 4,000 detail bodies (about 12 MiB of gzip) behind a 1 MiB memory tier.
    const tierKeys = 4_000;
    const paths = Array.from({ length: tierKeys }, (_, i) => `/tmdb/movies/${30_000 + i}?append_to_response=credits`);
    const script = pathsScript(paths, join(dir, 'tier-paths.lua'));
    const tierHits: TiersReport['tierHits'] = [];
    for (const [name, env] of stores('tier')) {
      const relay = await start({ ...env, ...REPLAY_ENV, CACHE_MAX_BYTES: '1MiB' });
      await fill(relay, paths);
      const before = await statsOf(relay);
      const result = await runWrk(`${relay.baseUrl}/`, { connections: 16, threads: 1, durationSeconds: options.durationSeconds, headers: GZIP, script });
      const after = await statsOf(relay);
      const tierLookups = (after.cache_store?.hits ?? 0) - (before.cache_store?.hits ?? 0);
      const requests = result.requestsPerSecond * options.durationSeconds;
      tierHits.push({ store: name, result, upstreamCalls: after.upstreams.tmdb.calls - before.upstreams.tmdb.calls, tierHitPct: (tierLookups / requests) * 100 });
      await stop(relay);
    }

    // 3. A fleet of three relays on the Zipf workload, round robin, with and without Redis.
    const targets = [...generateWorkload({ titles: 10_000, requests: options.fleetRequests, zipfExponent: 1.0, seed: 42 })];
    const distinctKeys = canonicalKeys(targets).size;
    const fleet: TiersReport['fleet'] = [];
    const rewarm: TiersReport['rewarm'] = [];
    for (const [name, env] of [stores('fleet')[0], stores('fleet')[2]] as [string, Record<string, string>][]) {
      const relays = await Promise.all([0, 1, 2].map(() => start({ ...env, ...REPLAY_ENV })));
      const run = await replayAgainst(relays.map((r) => r.baseUrl), targets, targets.length);
      fleet.push({ store: name, requests: targets.length, upstreamCalls: run.upstreamCalls, distinctKeys, seconds: run.seconds });
      // 4. Re-warm: every relay restarted, the first 50,000 requests again.
      for (const relay of relays) await stop(relay);
      const again = await Promise.all([0, 1, 2].map(() => start({ ...env, ...REPLAY_ENV })));
      const first = targets.slice(0, 50_000);
      const rerun = await replayAgainst(again.map((r) => r.baseUrl), first, first.length);
      rewarm.push({ store: name, relays: 3, requests: first.length, upstreamCalls: rerun.upstreamCalls, distinctKeys: canonicalKeys(first).size });
      for (const relay of again) await stop(relay);
    }
    // SQLite is one machine's: one relay, filled, restarted on its file, the same requests again.
    {
      const env = stores('rewarm')[1]![1];
      const first = targets.slice(0, 50_000);
      const relay = await start({ ...env, ...REPLAY_ENV });
      await replayAgainst([relay.baseUrl], first, first.length);
      await stop(relay);
      const again = await start({ ...env, ...REPLAY_ENV });
      const rerun = await replayAgainst([again.baseUrl], first, first.length);
      rewarm.push({ store: 'sqlite', relays: 1, requests: first.length, upstreamCalls: rerun.upstreamCalls, distinctKeys: canonicalKeys(first).size });
      await stop(again);
    }
    return { hit, tierHits, tierKeys, fleet, rewarm, durationSeconds: options.durationSeconds };
  } finally {
    for (const relay of started.splice(0)) await relay.stop();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function fill(relay: Relay, paths: readonly string[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      const response = await fetch(relay.baseUrl + (paths[next++] as string), { headers: GZIP });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`fill: ${response.status}`);
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  await Bun.sleep(300); // let the background tier writes land
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function renderTiers(report: TiersReport): string[] {
  const lines: string[] = [];
  const base = report.hit.find((h) => h.store === 'memory only')?.median ?? 1;
  lines.push(`### Second tier: memory hits with CACHE_STORE unset / sqlite / redis (\`GET ${HOT_PATH}\`, wrk -t1 -c64 -d${report.durationSeconds}s, 3 alternating rounds)`, '');
  lines.push('| CACHE_STORE | median req/s | / memory only | rounds |', '|---|---:|---:|---|');
  for (const h of report.hit) lines.push(`| ${h.store} | ${Math.round(h.median).toLocaleString('en')} | ${(h.median / base).toFixed(3)} | ${h.rounds.map((r) => Math.round(r).toLocaleString('en')).join(', ')} |`);
  lines.push('');
  lines.push(`### Second-tier hits: ${report.tierKeys.toLocaleString('en')} detail bodies behind a 1 MiB memory tier (random order, wrk -t1 -c16 -d${report.durationSeconds}s)`, '');
  lines.push('| CACHE_STORE | req/s | p50 | p99 | answered by the second tier | upstream calls during the run |', '|---|---:|---:|---:|---:|---:|');
  for (const t of report.tierHits) {
    lines.push(`| ${t.store} | ${Math.round(t.result.requestsPerSecond).toLocaleString('en')} | ${t.result.p50Ms.toFixed(2)} ms | ${t.result.p99Ms.toFixed(2)} ms | ${t.store === 'memory only' ? '-' : `${t.tierHitPct.toFixed(1)}%`} | ${t.upstreamCalls.toLocaleString('en')} |`);
  }
  lines.push('');
  lines.push('### A fleet of three relays, round robin, Zipf workload (upstream 30-80 ms)', '');
  lines.push('| CACHE_STORE | requests | upstream calls | distinct canonical keys (the floor) | calls / floor | time |', '|---|---:|---:|---:|---:|---:|');
  for (const f of report.fleet) lines.push(`| ${f.store} | ${f.requests.toLocaleString('en')} | ${f.upstreamCalls.toLocaleString('en')} | ${f.distinctKeys.toLocaleString('en')} | ${(f.upstreamCalls / f.distinctKeys).toFixed(2)}x | ${f.seconds.toFixed(1)} s |`);
  lines.push('');
  lines.push('### Re-warm after restarting every relay: the first 50,000 requests again', '');
  lines.push('| CACHE_STORE | relays | upstream calls | distinct keys in those requests |', '|---|---:|---:|---:|');
  for (const r of report.rewarm) lines.push(`| ${r.store} | ${r.relays} | ${r.upstreamCalls.toLocaleString('en')} | ${r.distinctKeys.toLocaleString('en')} |`);
  lines.push('');
  return lines;
}
