import { freePort, startRelayProcess } from './lib/processes.ts';
import type { FakeInfo } from './run.ts';

export interface OverloadReport {
  misses: number;
  seconds: number;
  upstreamCalls: number;
  peakPerSecond: number;
  answered200: number;
  answered503: number;
  breakerWaitP50Ms: number;
  breakerWaitMaxMs: number;
  timeoutMs: number;
}

interface Stats {
  upstreams: { tmdb: { calls: number; guard: { breaker: string } } };
}

/**
 * Upstream protection with the default budget (TMDB 40 req/s, burst 40, 16 in flight): a burst of
 * distinct misses far above the budget, counting what reaches the upstream; then a dead upstream
 * (nothing listening), measuring how long clients wait once the breaker is open.
 */
export async function benchOverload(fake: FakeInfo, relayCommand: string[], misses: number): Promise<OverloadReport> {
  const relay = await startRelayProcess(relayCommand, fake.relayEnv);
  const base = relay.baseUrl;
  const stats = async () => (await (await fetch(`${base}/stats`)).json()) as Stats;
  let overload: Omit<OverloadReport, 'breakerWaitP50Ms' | 'breakerWaitMaxMs' | 'timeoutMs'>;
  try {
    // The fake runs in another process: sample the relay's own upstream call counter every 100 ms.
    const samples: number[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        samples.push((await stats()).upstreams.tmdb.calls);
        await Bun.sleep(100);
      }
    })();
    const started = performance.now();
    const statuses = await Promise.all(
      Array.from({ length: misses }, (_, i) => fetch(`${base}/tmdb/movies/${200_000 + i}`).then(async (r) => (await r.arrayBuffer(), r.status))),
    );
    const seconds = (performance.now() - started) / 1000;
    await Bun.sleep(300);
    sampling = false;
    await sampler;
    let peakPerSecond = 0;
    for (let i = 10; i < samples.length; i++) peakPerSecond = Math.max(peakPerSecond, (samples[i] as number) - (samples[i - 10] as number));
    if (samples.length <= 10) peakPerSecond = (samples.at(-1) ?? 0) - (samples[0] ?? 0);
    overload = {
      misses,
      seconds,
      upstreamCalls: (await stats()).upstreams.tmdb.calls,
      peakPerSecond,
      answered200: statuses.filter((s) => s === 200).length,
      answered503: statuses.filter((s) => s === 503).length,
    };
  } finally {
    await relay.stop();
  }

  // A dead upstream: nothing listens on the port. Connection errors open the breaker after 5.
  const deadPort = await freePort();
  const timeoutMs = 10_000;
  const dead = await startRelayProcess(relayCommand, fake.relayEnv, { TMDB_BASE_URL: `http://127.0.0.1:${deadPort}/3` });
  try {
    const url = (i: number) => `${dead.baseUrl}/tmdb/movies/${300_000 + i}`;
    for (let i = 0; i < 5; i++) await (await fetch(url(i))).arrayBuffer();
    const waits: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      const response = await fetch(url(100 + i));
      await response.arrayBuffer();
      if (response.status !== 503) throw new Error(`expected 503 with the breaker open, got ${response.status}`);
      waits.push(performance.now() - t0);
    }
    waits.sort((a, b) => a - b);
    return { ...overload, breakerWaitP50Ms: waits[100] as number, breakerWaitMaxMs: waits.at(-1) as number, timeoutMs };
  } finally {
    await dead.stop();
  }
}
