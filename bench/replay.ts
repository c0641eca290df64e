import { canonicalQuery } from '../src/cache/keys.ts';
import { startRelayProcess } from './lib/processes.ts';
import type { FakeInfo } from './run.ts';
import { generateWorkload, type WorkloadOptions } from './workload.ts';

export interface ReplayWindow {
  from: number;
  to: number;
  /** Answered without an upstream call of their own: HIT, STALE or COALESCED. */
  hitRatePct: number;
  upstreamPer1000: number;
}

export interface ReplayReport {
  options: WorkloadOptions;
  windows: ReplayWindow[];
  upstreamPer1000Overall: number;
  upstreamCalls: number;
  distinctRawUrls: number;
  distinctCanonicalKeys: number;
  statuses: Record<string, number>;
  seconds: number;
}

interface Stats {
  upstreams: { tmdb: { calls: number } };
}

/**
 * Replays the workload against the relay with 64 clients in flight. Hit rate and upstream calls are
 * reported per window of requests (so the warm-up shows); the incumbent's cost is the number of
 * distinct raw URLs it would have keyed on (a lower bound: it also had no coalescing).
 */
/** The replay measures keying and caching, not the limiter: TMDB's budget is lifted for it. */
export const REPLAY_ENV = { TMDB_RATE_LIMIT: '5000', TMDB_RATE_BURST: '5000', UPSTREAM_MAX_CONCURRENCY: '64' };

/** The distinct canonical keys of a stream: the fewest upstream calls any cache can make for it. */
export function canonicalKeys(targets: readonly string[]): Set<string> {
  return new Set(
    targets.map((t) => {
      const mark = t.indexOf('?');
      const query = mark === -1 ? '' : canonicalQuery(t.slice(mark + 1));
      return query === '' ? t.slice(0, mark === -1 ? undefined : mark) : `${t.slice(0, mark)}?${query}`;
    }),
  );
}

export interface ReplayRun {
  windows: ReplayWindow[];
  upstreamPer1000Overall: number;
  upstreamCalls: number;
  statuses: Record<string, number>;
  seconds: number;
}

/**
 * Sends `targets` with 64 clients in flight, round-robin over `bases` (one relay or a fleet), and
 * counts per window what was answered without an upstream call and what the relays called upstream
 * (the sum of their /stats, read at each window's start).
 */
export async function replayAgainst(bases: readonly string[], targets: readonly string[], windowSize: number): Promise<ReplayRun> {
  const upstreamCallsNow = async () => {
    let total = 0;
    for (const base of bases) total += ((await (await fetch(`${base}/stats`)).json()) as Stats).upstreams.tmdb.calls;
    return total;
  };
  const started = performance.now();
  const before = await upstreamCallsNow();
  const fromCache = new Array<number>(Math.ceil(targets.length / windowSize)).fill(0);
  const callsAtWindowStart: number[] = [];
  const statuses: Record<string, number> = {};
  let next = 0;
  const worker = async () => {
    while (next < targets.length) {
      const index = next++;
      if (index % windowSize === 0) callsAtWindowStart[index / windowSize] = (await upstreamCallsNow()) - before;
      const base = bases[index % bases.length] as string;
      const response = await fetch(base + (targets[index] as string), { headers: { 'accept-encoding': 'gzip' } });
      await response.arrayBuffer();
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
      if (response.headers.get('x-cache') !== 'MISS') fromCache[Math.floor(index / windowSize)]! += 1;
    }
  };
  await Promise.all(Array.from({ length: 64 }, worker));
  const upstreamCalls = (await upstreamCallsNow()) - before;
  callsAtWindowStart.push(upstreamCalls);
  const windows = fromCache.map((hits, i): ReplayWindow => {
    const size = Math.min(windowSize, targets.length - i * windowSize);
    return {
      from: i * windowSize,
      to: i * windowSize + size,
      hitRatePct: (hits / size) * 100,
      upstreamPer1000: (((callsAtWindowStart[i + 1] ?? upstreamCalls) - (callsAtWindowStart[i] ?? 0)) / size) * 1000,
    };
  });
  return { windows, upstreamPer1000Overall: (upstreamCalls / targets.length) * 1000, upstreamCalls, statuses, seconds: (performance.now() - started) / 1000 };
}

export async function benchReplay(fake: FakeInfo, relayCommand: string[], options: WorkloadOptions & { windowSize: number }): Promise<ReplayReport> {
  const targets = [...generateWorkload(options)];
  const distinctRawUrls = new Set(targets).size;
  const distinctCanonicalKeys = canonicalKeys(targets).size;

  const relay = await startRelayProcess(relayCommand, fake.relayEnv, REPLAY_ENV);
  try {
    const run = await replayAgainst([relay.baseUrl], targets, options.windowSize);
    return { options, ...run, distinctRawUrls, distinctCanonicalKeys };
  } finally {
    await relay.stop();
  }
}
