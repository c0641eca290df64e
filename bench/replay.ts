import { canonicalQuery } from '../src/cache/keys.ts';
import { freePort, spawnServer } from './lib/processes.ts';
import type { FakeInfo } from './run.ts';
import { generateWorkload, type WorkloadOptions } from './workload.ts';

export interface ReplayReport {
  options: WorkloadOptions;
  warmup: number;
  steadyHitRatePct: number;
  steadyFreshHitRatePct: number;
  upstreamPer1000Steady: number;
  upstreamPer1000Overall: number;
  upstreamCalls: number;
  distinctRawUrls: number;
  distinctCanonicalKeys: number;
  non200: number;
  seconds: number;
}

interface Stats {
  upstreams: { tmdb: { calls: number } };
}

/**
 * Replays the workload against the relay with 64 clients in flight. Hit rate and upstream calls
 * are measured after warm-up; the incumbent's cost is the number of distinct raw URLs it would
 * have keyed on (a lower bound: it also had no coalescing).
 */
export async function benchReplay(fake: FakeInfo, relayCommand: string[], options: WorkloadOptions, warmup: number): Promise<ReplayReport> {
  const targets = [...generateWorkload(options)];
  const distinctRawUrls = new Set(targets).size;
  const distinctCanonicalKeys = new Set(
    targets.map((t) => {
      const mark = t.indexOf('?');
      return mark === -1 ? t : `${t.slice(0, mark)}?${canonicalQuery(t.slice(mark + 1))}`;
    }),
  ).size;

  const port = await freePort();
  const relay = await spawnServer(relayCommand, `http://127.0.0.1:${port}/health`, {
    ...fake.relayEnv,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    // The replay measures keying and caching, not the limiter: lift TMDB's budget for it.
    TMDB_RATE_LIMIT: '5000',
    TMDB_RATE_BURST: '5000',
    UPSTREAM_MAX_CONCURRENCY: '64',
  });
  const base = `http://127.0.0.1:${port}`;
  const stats = async () => (await (await fetch(`${base}/stats`)).json()) as Stats;
  try {
    const started = performance.now();
    let steadyServedFromCache = 0;
    let steadyFresh = 0;
    let non200 = 0;
    let callsAtWarmup = 0;
    let next = 0;
    const worker = async () => {
      while (next < targets.length) {
        const index = next++;
        if (index === warmup) callsAtWarmup = (await stats()).upstreams.tmdb.calls;
        const response = await fetch(base + (targets[index] as string), { headers: { 'accept-encoding': 'gzip' } });
        await response.arrayBuffer();
        if (response.status !== 200) non200++;
        if (index >= warmup) {
          const state = response.headers.get('x-cache');
          if (state !== 'MISS') steadyServedFromCache++;
          if (state === 'HIT') steadyFresh++;
        }
      }
    };
    await Promise.all(Array.from({ length: 64 }, worker));
    const upstreamCalls = (await stats()).upstreams.tmdb.calls;
    const steady = targets.length - warmup;
    return {
      options,
      warmup,
      steadyHitRatePct: (steadyServedFromCache / steady) * 100,
      steadyFreshHitRatePct: (steadyFresh / steady) * 100,
      upstreamPer1000Steady: ((upstreamCalls - callsAtWarmup) / steady) * 1000,
      upstreamPer1000Overall: (upstreamCalls / targets.length) * 1000,
      upstreamCalls,
      distinctRawUrls,
      distinctCanonicalKeys,
      non200,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await relay.stop();
  }
}
