/**
 * A Redis tier that fails makes the relay slower, never wrong and never down: Redis down at start,
 * killed under load and restarted, and the invalidation bus reaching every relay's memory. Relays run
 * in this process (for their counters) against a real redis-server and the fake upstream.
 */
import { describe, expect, test } from 'bun:test';
import { useFleetHarness } from '../support/fleet-harness.ts';
import { startRelay, type RelayUnderTest } from '../support/relay.ts';

const h = useFleetHarness();

async function relay(extra: Record<string, string> = {}): Promise<RelayUnderTest> {
  const started = await startRelay('in-process', {
    env: h.relayEnv({
      LOG_LEVEL: 'warn',
      // These tests are about the tier, not the upstream budget.
      TMDB_RATE_LIMIT: '10000',
      TMDB_RATE_BURST: '10000',
      UPSTREAM_MAX_CONCURRENCY: '1000',
      ...extra,
    }),
  });
  h.track(started);
  return started;
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await Bun.sleep(20);
  }
  return Date.now() - started;
}

describe('Redis down or failing', () => {
  test('down at start: the relay starts and answers memory-only, /health ok; Redis back: the tier is used again', async () => {
    await h.redis.kill();
    const r = await relay();
    const health = (await (await r.get('/health')).json()) as { status: string; cache_store: { kind: string; state: string } };
    expect(health.status).toBe('ok');
    expect(health.cache_store).toEqual({ kind: 'redis', state: 'down' });
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      expect((await r.get(`/tmdb/movies/${590 + i}`)).status).toBe(200);
      expect(performance.now() - t0).toBeLessThan(150 + 100);
    }
    expect((await r.get('/tmdb/movies/590')).headers.get('x-cache')).toBe('HIT');

    await h.redis.restart();
    const back = await until(async () => ((await (await r.get('/health')).json()) as { cache_store: { state: string } }).cache_store.state === 'up', 5_000);
    console.log(`redis restarted: tier up again after ${back} ms`);
    expect((await r.get('/tmdb/movies/599')).status).toBe(200);
    await until(() => (r.relay!.stats().cache_store?.writes ?? 0) >= 1, 2_000);
    expect(await h.redis.cli('EXISTS', 'metadata-relay:e:tmdb:/movie/599')).toBe('1');
  });

  test('killed under load: no failed request, none waits past the tier deadline, the breaker opens, then the tier comes back', async () => {
    const r = await relay({ CACHE_STORE_TIMEOUT: '100ms' });
    const durations: number[] = [];
    const statuses: number[] = [];
    let breakerSeenOpen = false;
    let stop = false;
    let n = 0;
    const worker = async () => {
      while (!stop) {
        const i = n++;
        const id = i % 4 === 0 ? 100_000 + i : 600 + (i % 50); // a new miss for every three hits
        const t0 = performance.now();
        const response = await r.get(`/tmdb/movies/${id}`);
        await response.arrayBuffer();
        durations.push(performance.now() - t0);
        statuses.push(response.status);
        if (r.relay!.stats().cache_store?.breaker === 'open') breakerSeenOpen = true;
      }
    };
    const load = Promise.all(Array.from({ length: 8 }, worker));
    await Bun.sleep(700);
    await h.redis.kill();
    await Bun.sleep(1_500);
    await h.redis.restart();
    await until(() => r.relay!.stats().cache_store?.breaker === 'closed' && r.relay!.stats().cache_store?.connection === 'up', 10_000);
    const writesAfter = r.relay!.stats().cache_store?.writes ?? 0;
    await Bun.sleep(1_000);
    stop = true;
    await load;
    const stats = r.relay!.stats();
    const slowest = Math.max(...durations);
    console.log(`redis killed under load: ${statuses.length} requests, slowest ${slowest.toFixed(1)} ms, tier errors ${stats.cache_store?.errors}, timeouts ${stats.cache_store?.timeouts}, skipped ${stats.cache_store?.skipped}`);
    expect(statuses.length).toBeGreaterThan(200);
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(breakerSeenOpen).toBe(true);
    // A request pays at most one tier deadline (then the breaker spares the rest), plus its own work.
    expect(slowest).toBeLessThan(100 + 150);
    expect(stats.cache_store!.writes).toBeGreaterThan(writesAfter); // used again after the restart
  });
});

describe('invalidation bus', () => {
  test('an expire on one relay holds in every relay\'s memory and in the shared tier', async () => {
    const a = await relay();
    const b = await relay();
    for (const r of [a, b]) expect((await r.get('/tmdb/movies/580?language=de-DE')).status).toBe(200);
    expect((await b.get('/tmdb/movies/580?language=de-DE')).headers.get('x-cache')).toBe('HIT');
    expect(h.fake.dataCalls('tmdb')).toHaveLength(1);
    const affected = await a.relay!.resolver.invalidate({ record: 'tmdb:movie:580' }, 'expire');
    expect(affected).toEqual(['tmdb:/movie/580?language=de-DE']);
    const reached = await until(async () => (await b.get('/tmdb/movies/580?language=de-DE')).headers.get('x-cache') === 'STALE', 3_000);
    console.log(`invalidation reached the other relay in ${reached} ms`);
    expect(b.relay!.stats().cache_store?.invalidations_received).toBe(1);
  });

  test('a delete removes every variant from every memory and from the shared tier', async () => {
    const a = await relay();
    const b = await relay();
    for (const path of ['/tmdb/movies/581', '/tmdb/movies/581?language=fr-FR', '/tmdb/movies/581/images']) {
      expect((await a.get(path)).status).toBe(200);
      expect((await b.get(path)).headers.get('x-cache')).toBe('HIT');
    }
    h.fake.reset();
    await a.relay!.resolver.invalidate({ record: 'tmdb:movie:581' }, 'delete');
    expect(await h.redis.cli('EXISTS', 'metadata-relay:e:tmdb:/movie/581')).toBe('0');
    await until(() => b.relay!.stats().cache_store?.invalidations_received === 1, 3_000);
    const again = await b.get('/tmdb/movies/581/images');
    expect(again.headers.get('x-cache')).toBe('MISS');
    expect(h.fake.dataCalls('tmdb')).toHaveLength(1);
  });
});
