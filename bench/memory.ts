import { rssBytes, startRelayProcess } from './lib/processes.ts';
import type { FakeInfo } from './run.ts';

export interface MemoryReport {
  entries: number;
  uncompressedBytes: number;
  storedBytes: number;
  rssBeforeBytes: number;
  rssAfterBytes: number;
  heapUsedBytes: number;
}

interface Stats {
  cache: { size: number; memory_bytes: number; uncompressed_bytes: number };
  process: { heap_used_bytes: number };
}

/** Fills the relay with `count` distinct movie detail bodies (Mydia's usual append) and measures. */
export async function benchMemory(fake: FakeInfo, relayCommand: string[], count: number): Promise<MemoryReport> {
  const relay = await startRelayProcess(relayCommand, fake.relayEnv, {
    CACHE_MAX_BYTES: '2GiB',
    TMDB_RATE_LIMIT: '10000',
    TMDB_RATE_BURST: '10000',
    UPSTREAM_MAX_CONCURRENCY: '64',
  });
  const base = relay.baseUrl;
  try {
    await (await fetch(`${base}/tmdb/movies/1?append_to_response=credits,alternative_titles`)).arrayBuffer();
    Bun.gc(true);
    await Bun.sleep(200);
    const rssBeforeBytes = rssBytes(relay.process.pid);
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const id = 10_000 + next++;
        const response = await fetch(`${base}/tmdb/movies/${id}?language=en-US&append_to_response=credits%2Calternative_titles`, {
          headers: { 'accept-encoding': 'gzip' },
        });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`fill failed: ${response.status}`);
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
    await Bun.sleep(5_000); // let the relay's collector run before reading RSS
    const stats = (await (await fetch(`${base}/stats`)).json()) as Stats;
    return {
      entries: stats.cache.size,
      uncompressedBytes: stats.cache.uncompressed_bytes,
      storedBytes: stats.cache.memory_bytes,
      rssBeforeBytes,
      rssAfterBytes: rssBytes(relay.process.pid),
      heapUsedBytes: stats.process.heap_used_bytes,
    };
  } finally {
    await relay.stop();
  }
}
