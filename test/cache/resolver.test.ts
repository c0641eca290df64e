/**
 * The resolver on its own, with a loader the test controls: in-flight fetches that outlive their
 * entry's eviction, refreshes joined from outside the stale window, stale-if-error, per-key back-off,
 * fetch modes and lanes, and invalidation through the record index. (The usual paths are covered
 * over HTTP in cache-http.test.ts.)
 */
import { describe, expect, test } from 'bun:test';
import { createEntry, type CacheEntry } from '../../src/cache/entry.ts';
import { keyOf, type Origin } from '../../src/cache/key.ts';
import { Resolver, type OriginLoader } from '../../src/cache/resolver.ts';
import { MemoryTier } from '../../src/cache/tiers/memory.ts';
import type { Lane } from '../../src/upstreams/queue.ts';

const MIB = 1024 * 1024;

const text = (value: string) => new TextEncoder().encode(value) as Uint8Array<ArrayBuffer>;
const noise = (bytes: number) => {
  const out = new Uint8Array(bytes);
  for (let at = 0; at < bytes; at += 65_536) crypto.getRandomValues(out.subarray(at, Math.min(bytes, at + 65_536)));
  return out;
};
const bodyOf = (e: CacheEntry) => new TextDecoder().decode(Bun.gunzipSync(e.gzipBody));

function origin(path: string, records: string[] = []): Origin {
  return { upstream: 'tmdb', path, query: '', family: 'details', settles: false, records };
}

type Answer = (origin: Origin, lane: Lane) => Promise<CacheEntry>;

function setup(maxBytes = MIB) {
  let now = 1_000_000;
  let ready = true;
  const calls: { path: string; lane: Lane }[] = [];
  let answer: Answer = async (o) => entry(o, text(`{"path":"${o.path}"}`));
  const loader: OriginLoader = {
    load: (o, lane) => {
      calls.push({ path: o.path, lane });
      return answer(o, lane);
    },
    ready: () => ready,
  };
  const failures: string[] = [];
  const memory = new MemoryTier(maxBytes);
  const resolver = new Resolver({ memory, loader, now: () => now, onRefreshError: (o) => failures.push(o.path) });
  const entry = (o: Origin, body: Uint8Array<ArrayBuffer>, freshMs = 1_000, staleMs = 1_000): CacheEntry =>
    createEntry({ status: 200, contentType: 'application/json', body }, { freshMs, staleMs }, now, 1, o, o.records);
  return {
    resolver,
    memory,
    entry,
    calls,
    failures,
    answerWith: (next: Answer) => (answer = next),
    setReady: (value: boolean) => (ready = value),
    advance: (ms: number) => (now += ms),
  };
}

describe('Resolver', () => {
  test('an in-flight fetch evicted by a filling cache still answers its waiters with the real result', async () => {
    const { resolver, entry, answerWith, calls } = setup();
    let finish!: (e: CacheEntry) => void;
    const slow = origin('/slow');
    answerWith(() => new Promise((resolve) => (finish = resolve)));
    const waiting = [resolver.resolve(slow), resolver.resolve(slow)];
    // Fill far past the bound while the fetch is in flight.
    answerWith(async (o) => entry(o, noise(400_000)));
    for (let i = 0; i < 4; i++) await resolver.resolve(origin(`/big-${i}`));
    expect(resolver.fetchesInFlight).toBe(1);
    expect(resolver.canAnswerWithoutFetch(keyOf(slow))).toBe(true);
    finish(entry(slow, text('{"v":"real"}')));
    const [first, second] = await Promise.all(waiting);
    expect(first?.state).toBe('MISS');
    expect(second?.state).toBe('COALESCED');
    expect(bodyOf(first!.entry)).toBe('{"v":"real"}');
    expect(bodyOf(second!.entry)).toBe('{"v":"real"}');
    expect(resolver.fetchesInFlight).toBe(0);
    expect(calls.filter((c) => c.path === '/slow')).toHaveLength(1);
  });

  test('a key stays answerable without a fetch for as long as any fetch of it runs', async () => {
    const { resolver, entry, answerWith, advance } = setup();
    const k = origin('/k');
    await resolver.resolve(k);
    advance(1_500); // stale: a refresh starts
    let finish!: (e: CacheEntry) => void;
    answerWith(() => new Promise((resolve) => (finish = resolve)));
    expect((await resolver.resolve(k)).state).toBe('STALE');
    advance(1_000); // past the stale window, the refresh still running
    expect(resolver.canAnswerWithoutFetch(keyOf(k))).toBe(true);
    const joined = resolver.resolve(k);
    expect(resolver.canAnswerWithoutFetch(keyOf(k))).toBe(true);
    finish(entry(k, text('{"v":"new"}')));
    expect((await joined).state).toBe('COALESCED');
    expect(resolver.fetchesInFlight).toBe(0);
  });

  test('joining a failing refresh from outside the stale window gives the error, never the expired entry', async () => {
    const { resolver, answerWith, advance, entry } = setup();
    const k = origin('/k');
    answerWith(async (o) => entry(o, text('{"v":"old"}')));
    await resolver.resolve(k);
    advance(1_500); // stale, inside the window
    let fail!: (error: Error) => void;
    answerWith(() => new Promise((_, reject) => (fail = reject)));
    expect((await resolver.resolve(k)).state).toBe('STALE');
    advance(1_000); // past the stale window while the refresh is still in flight
    const late = resolver.resolve(k);
    fail(new Error('upstream 503'));
    await expect(late).rejects.toThrow('upstream 503');
    // The stale entry is no longer usable; the next request fetches again.
    answerWith(async (o) => entry(o, text('{"v":"new"}')));
    const next = await resolver.resolve(k);
    expect(next.state).toBe('MISS');
    expect(bodyOf(next.entry)).toBe('{"v":"new"}');
  });

  test('a failed refresh keeps the stale entry, and the key backs off instead of refreshing per request', async () => {
    const { resolver, answerWith, advance, entry, calls, failures } = setup();
    const k = origin('/k');
    answerWith(async (o) => entry(o, text('{"v":"old"}'), 1_000, 60_000));
    await resolver.resolve(k);
    advance(1_200);
    answerWith(() => Promise.reject(new Error('down')));
    for (let i = 0; i < 200; i++) {
      const again = await resolver.resolve(k);
      expect(again.state).toBe('STALE');
      expect(bodyOf(again.entry)).toBe('{"v":"old"}');
      await Bun.sleep(0);
    }
    expect(calls).toHaveLength(2); // the fill and one refresh
    expect(failures).toEqual(['/k']);
    expect(resolver.counters.refreshFailures).toBe(1);
    // Back-off doubles: 1 s, then 2 s.
    advance(1_001);
    await resolver.resolve(k);
    await Bun.sleep(0);
    expect(calls).toHaveLength(3);
    advance(1_500);
    await resolver.resolve(k);
    expect(calls).toHaveLength(3);
    advance(600);
    answerWith(async (o) => entry(o, text('{"v":"new"}')));
    await resolver.resolve(k);
    await Bun.sleep(0);
    expect(calls).toHaveLength(4);
    expect(bodyOf((await resolver.resolve(k)).entry)).toBe('{"v":"new"}');
  });

  test('no refresh is dispatched while the upstream holds back (paused or breaker open)', async () => {
    const { resolver, advance, calls, setReady, failures } = setup();
    const k = origin('/k');
    await resolver.resolve(k);
    advance(1_200);
    setReady(false);
    for (let i = 0; i < 200; i++) expect((await resolver.resolve(k)).state).toBe('STALE');
    expect(calls).toHaveLength(1);
    expect(failures).toHaveLength(0);
    expect(resolver.counters.refreshesDeferred).toBe(200);
    setReady(true);
    await resolver.resolve(k);
    expect(calls).toHaveLength(2);
  });

  test('fills go in the foreground lane; refreshes, stale or forced, in the background lane', async () => {
    const { resolver, advance, calls } = setup();
    const k = origin('/k');
    await resolver.resolve(k);
    expect(await resolver.refresh(keyOf(k))).toBeNull(); // fresh: nothing to do without force
    expect((await resolver.refresh(keyOf(k), { force: true }))?.origin.path).toBe('/k');
    advance(1_500);
    await resolver.resolve(k);
    await Bun.sleep(0);
    expect(calls.map((c) => c.lane)).toEqual(['foreground', 'background', 'background']);
    expect(await resolver.refresh('tmdb:/never-seen')).toBeNull();
  });
});

describe('invalidation through the record index', () => {
  test('expire makes every variant of a record stale at once; the next request answers stale and refreshes', async () => {
    const { resolver, calls } = setup();
    const variants = [origin('/movie/550', ['tmdb:movie:550']), { ...origin('/movie/550', ['tmdb:movie:550']), query: 'language=de-DE' }, origin('/movie/550/images', ['tmdb:movie:550'])];
    const other = origin('/movie/551', ['tmdb:movie:551']);
    for (const o of [...variants, other]) await resolver.resolve(o);
    expect((await resolver.invalidate({ record: 'tmdb:movie:550' }, 'expire')).sort()).toEqual(variants.map(keyOf).sort());
    for (const o of variants) expect(resolver.fresh(keyOf(o))).toBeUndefined();
    expect(resolver.fresh(keyOf(other))).toBeDefined();
    expect((await resolver.resolve(variants[0] as Origin)).state).toBe('STALE');
    await Bun.sleep(0);
    expect(calls.filter((c) => c.lane === 'background')).toHaveLength(1);
  });

  test('delete removes them; the index forgets keys the LRU evicts', async () => {
    const { resolver, memory, entry, answerWith } = setup(MIB);
    await resolver.resolve(origin('/movie/1', ['tmdb:movie:1']));
    expect(await resolver.invalidate({ record: 'tmdb:movie:1' }, 'delete')).toEqual(['tmdb:/movie/1']);
    expect(memory.entries).toBe(0);
    expect(memory.records).toBe(0);
    answerWith(async (o) => entry(o, noise(300_000)));
    for (let i = 0; i < 20; i++) await resolver.resolve(origin(`/movie/${i}`, [`tmdb:movie:${i}`]));
    expect(memory.entries).toBeLessThan(20);
    expect(memory.records).toBe(memory.entries);
    expect(await resolver.invalidate({ record: 'tmdb:movie:0' }, 'delete')).toEqual([]);
    expect(await resolver.invalidate({ key: 'tmdb:/movie/19' }, 'expire')).toEqual(['tmdb:/movie/19']);
  });
});
