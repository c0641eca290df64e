/**
 * A fleet on one real redis-server: relays as separate processes (the compiled binary, so the tier
 * code is proven in the `--compile` build) in front of one fake upstream. Every count is what the fake
 * really received.
 */
import { describe, expect, test } from 'bun:test';
import { useFleetHarness, peakInWindow } from '../support/fleet-harness.ts';
import { startRelay, type RelayUnderTest } from '../support/relay.ts';

const h = useFleetHarness();

const env = (extra: Record<string, string> = {}) => h.relayEnv(extra);

async function fleet(count: number, extra: Record<string, string> = {}): Promise<RelayUnderTest[]> {
  const relays = await Promise.all(Array.from({ length: count }, () => startRelay('binary', { env: env(extra) })));
  for (const relay of relays) h.track(relay);
  return relays;
}

const tmdbCalls = (path: string) => h.fake.dataCalls('tmdb').filter((call) => call.path === path).length;

async function stats(relay: RelayUnderTest) {
  return (await (await relay.get('/stats')).json()) as {
    cache: { hits: number; misses: number; coalesced: number };
    cache_store: { kind: string; hits: number; corrupt: number; lock_waits: number; writes: number; breaker: string };
    upstreams: { tvdb: { logins: number; tokens_from_fleet: number } };
  };
}

describe('Redis tier shared by a fleet (CACHE_STORE=redis://...)', () => {
  test('filled through one relay, answered by another: no second upstream call, the same bytes', async () => {
    const [a, b] = await fleet(2);
    const path = '/tmdb/movies/550?append_to_response=credits';
    const first = await a!.get(path);
    expect(first.headers.get('x-cache')).toBe('MISS');
    const body = await first.text();
    const second = await b!.get(path);
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(await second.text()).toBe(body);
    expect(tmdbCalls('/3/movie/550')).toBe(1);
    const s = await stats(b!);
    expect(s.cache_store).toMatchObject({ kind: 'redis', breaker: 'closed', hits: 1 });
    const health = (await (await b!.get('/health')).json()) as { cache_store: unknown };
    expect(health.cache_store).toEqual({ kind: 'redis', state: 'up' });
  });

  test('200 concurrent misses for one key spread over three relays make exactly one upstream call', async () => {
    const relays = await fleet(3);
    h.fake.addFault({ upstream: 'tmdb', pathPrefix: '/3/movie/603', fault: { kind: 'delay', ms: 300 } });
    const responses = await Promise.all(Array.from({ length: 200 }, (_, i) => relays[i % 3]!.get('/tmdb/movies/603')));
    expect(responses.map((r) => r.status).every((s) => s === 200)).toBe(true);
    const bodies = new Set(await Promise.all(responses.map((r) => r.text())));
    expect(bodies.size).toBe(1);
    expect(tmdbCalls('/3/movie/603')).toBe(1);
    const waits = (await Promise.all(relays.map(stats))).reduce((sum, s) => sum + s.cache_store.lock_waits, 0);
    expect(waits).toBe(2); // one waiting flight on each of the two relays that lost the lock
  });

  test('the lock holder killed mid-fetch: the others still answer, with at most one more upstream call', async () => {
    const [a, b, c] = await fleet(3, { UPSTREAM_TIMEOUT_MS: '1500', UPSTREAM_QUEUE_TIMEOUT: '500ms' });
    h.fake.addFault({ upstream: 'tmdb', pathPrefix: '/3/movie/7777', times: 1, fault: { kind: 'delay', ms: 1_000 } });
    const holder = a!.get('/tmdb/movies/7777').catch(() => null);
    while (tmdbCalls('/3/movie/7777') === 0) await Bun.sleep(5); // A holds the lock and is fetching
    const started = Date.now();
    const waiting = [b!.get('/tmdb/movies/7777'), c!.get('/tmdb/movies/7777')];
    await Bun.sleep(100);
    await a!.kill!();
    h.untrack(a!);
    const answers = await Promise.all(waiting);
    await holder;
    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    expect(tmdbCalls('/3/movie/7777')).toBeLessThanOrEqual(2);
    // Bounded by the dead holder's lock (timeout + queue wait + 1 s), not by anything longer.
    expect(Date.now() - started).toBeLessThan(3_000 + 1_500);
  });

  test('the upstream budget is the fleet\'s: three relays together stay inside one budget', async () => {
    const relays = await fleet(3, { TMDB_RATE_LIMIT: '10', TMDB_RATE_BURST: '5', UPSTREAM_QUEUE_TIMEOUT: '2s', UPSTREAM_MAX_CONCURRENCY: '64' });
    const started = Date.now();
    const responses = await Promise.all(Array.from({ length: 90 }, (_, i) => relays[i % 3]!.get(`/tmdb/movies/${20_000 + i}`)));
    const elapsed = Date.now() - started;
    const calls = h.fake.dataCalls('tmdb').map((call) => call.at);
    const statuses = responses.map((r) => r.status);
    console.log(`fleet budget 10/s burst 5 over 3 relays: ${calls.length} upstream calls in ${elapsed} ms, peak ${peakInWindow(calls, 1000)} in any 1 s`);
    // One budget for all three (a machine alone would allow 5 + 10/s each: three times as much).
    expect(peakInWindow(calls, 1000)).toBeLessThanOrEqual(5 + 10 * 1.2);
    expect(calls.length).toBeLessThanOrEqual(5 + Math.ceil((10 * elapsed) / 1000) + 2);
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
    expect(statuses.filter((s) => s === 200)).toHaveLength(calls.length);
  });

  test('one TVDB login for the whole fleet', async () => {
    const relays = await fleet(3);
    await relays[0]!.get('/tvdb/series/78878');
    for (const [i, relay] of relays.entries()) expect((await relay.get(`/tvdb/series/${70_000 + i}`)).status).toBe(200);
    expect(h.fake.logins()).toHaveLength(1);
    const adopted = (await Promise.all(relays.map(stats))).map((s) => s.upstreams.tvdb.tokens_from_fleet);
    expect(adopted.filter((n) => n === 1)).toHaveLength(2);
  });

  test('garbage written straight into Redis under our keys is ignored, counted, and fetched again', async () => {
    const [a, b] = await fleet(2);
    for (const id of [560, 561]) expect((await a!.get(`/tmdb/movies/${id}`)).status).toBe(200);
    await h.redis.cli('SET', 'metadata-relay:e:tmdb:/movie/560', 'definitely not an entry');
    // A real entry, but another key's: copied byte for byte with DUMP/RESTORE.
    await h.redis.cli('DEL', 'metadata-relay:e:tmdb:/movie/561');
    await a!.get('/tmdb/movies/562');
    const dumped = Bun.spawnSync(['sh', '-c', `redis-cli -p ${h.redis.port} --no-raw DUMP metadata-relay:e:tmdb:/movie/562 | head -c -1`]).stdout.toString();
    expect(dumped.length).toBeGreaterThan(10);
    const restore = Bun.spawnSync(['sh', '-c', `redis-cli -p ${h.redis.port} DUMP metadata-relay:e:tmdb:/movie/562 | head -c -1 | redis-cli -p ${h.redis.port} -x RESTORE metadata-relay:e:tmdb:/movie/561 0`]);
    expect(restore.stdout.toString().trim()).toBe('OK');
    h.fake.reset();
    for (const id of [560, 561]) {
      const response = await b!.get(`/tmdb/movies/${id}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('x-cache')).toBe('MISS');
      expect(JSON.parse(await response.text())).toMatchObject({ id });
    }
    expect(h.fake.dataCalls('tmdb')).toHaveLength(2);
    expect((await stats(b!)).cache_store.corrupt).toBe(2);
  });

  test('every key the relay writes in Redis carries an expiry', async () => {
    const [a] = await fleet(1);
    for (const path of ['/tmdb/movies/570', '/tmdb/tv/shows/1399/1', '/tvdb/series/78878', '/tvdb/seasons/7887801']) expect((await a!.get(path)).status).toBe(200);
    const keys = (await h.redis.cli('KEYS', '*')).split('\n').filter(Boolean);
    expect(keys.length).toBeGreaterThan(4);
    for (const key of keys) expect(Number(await h.redis.cli('PTTL', key)), key).toBeGreaterThan(0);
  });
});
