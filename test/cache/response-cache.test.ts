/**
 * ResponseCache edge cases that are hard to reach over HTTP: an in-flight fetch whose placeholder is
 * evicted, and requests that join a failing refresh from outside the stale window. (The usual paths
 * are covered over HTTP in cache-http.test.ts.)
 */
import { describe, expect, test } from 'bun:test';
import { createEntry, type CacheEntry } from '../../src/cache/entry.ts';
import { ResponseCache } from '../../src/cache/response-cache.ts';

const MIB = 1024 * 1024;

function setup(maxBytes = MIB) {
  let now = 1_000_000;
  const cache = new ResponseCache({ maxBytes, now: () => now });
  const entry = (body: Uint8Array<ArrayBuffer>, freshMs = 1_000, staleMs = 1_000): CacheEntry =>
    createEntry(200, 'application/json', body, { freshMs, staleMs }, now, 1);
  return { cache, entry, advance: (ms: number) => (now += ms) };
}

const text = (value: string) => new TextEncoder().encode(value) as Uint8Array<ArrayBuffer>;
const noise = (bytes: number) => {
  const out = new Uint8Array(bytes);
  for (let at = 0; at < bytes; at += 65_536) crypto.getRandomValues(out.subarray(at, Math.min(bytes, at + 65_536)));
  return out;
};
const bodyOf = (e: CacheEntry) => new TextDecoder().decode(Bun.gunzipSync(e.gzipBody));

describe('ResponseCache', () => {
  test('an in-flight fetch evicted by a filling cache still answers its waiters with the real result', async () => {
    const { cache, entry } = setup();
    let finish!: (e: CacheEntry) => void;
    const waiting = [cache.resolve('slow', () => new Promise((resolve) => (finish = resolve))), cache.resolve('slow', () => Promise.reject(new Error('not called')))];
    // Fill far past the bound while the fetch is in flight: its placeholder is evicted.
    for (let i = 0; i < 4; i++) await cache.resolve(`big-${i}`, async () => entry(noise(400_000)));
    expect(cache.fetchesInFlight).toBe(1);
    finish(entry(text('{"v":"real"}')));
    const [first, second] = await Promise.all(waiting);
    expect(first?.state).toBe('MISS');
    expect(second?.state).toBe('COALESCED');
    expect(bodyOf(first!.entry)).toBe('{"v":"real"}');
    expect(bodyOf(second!.entry)).toBe('{"v":"real"}');
    expect(cache.fetchesInFlight).toBe(0);
    expect(cache.storedBytes).toBeLessThanOrEqual(MIB);
  });

  test('joining a failing refresh from outside the stale window gives the error, never the expired entry', async () => {
    const { cache, entry, advance } = setup();
    await cache.resolve('k', async () => entry(text('{"v":"old"}')));
    advance(1_500); // stale, inside the window
    let fail!: (error: Error) => void;
    const stale = await cache.resolve('k', () => new Promise((_, reject) => (fail = reject)));
    expect(stale.state).toBe('STALE');
    advance(1_000); // past the stale window while the refresh is still in flight
    const late = cache.resolve('k', async () => entry(text('{"v":"unused"}')));
    fail(new Error('upstream 503'));
    await expect(late).rejects.toThrow('upstream 503');
    // The stale entry is no longer usable; the next request fetches again.
    const next = await cache.resolve('k', async () => entry(text('{"v":"new"}')));
    expect(next.state).toBe('MISS');
    expect(bodyOf(next.entry)).toBe('{"v":"new"}');
  });

  test('a failed refresh keeps the stale entry for requests inside the window', async () => {
    const { cache, entry, advance } = setup();
    await cache.resolve('k', async () => entry(text('{"v":"old"}')));
    advance(1_200);
    await cache.resolve('k', () => Promise.reject(new Error('down')));
    await Bun.sleep(1);
    const again = await cache.resolve('k', () => Promise.reject(new Error('still down')));
    expect(again.state).toBe('STALE');
    expect(bodyOf(again.entry)).toBe('{"v":"old"}');
    expect(cache.counters.refreshFailures).toBeGreaterThanOrEqual(1);
  });
});
