/**
 * The contract every cache tier keeps, as one suite: memory runs it here, and every other tier
 * (SQLite, Redis) runs the same function against a real server or file.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createEntry, type CacheEntry } from '../../../src/cache/entry.ts';
import { keyOf, type Origin } from '../../../src/cache/key.ts';
import type { CacheTier } from '../../../src/cache/tiers/tier.ts';

export interface TierFixture {
  tier: CacheTier;
  /** Stops whatever the tier needed (a server, a file). */
  stop?: () => Promise<void> | void;
}

const NOW = 1_800_000_000_000;

export function originFor(path: string, records: string[] = [], query = ''): Origin {
  return { upstream: 'tmdb', path, query, family: 'details', settles: false, records };
}

export function entryFor(origin: Origin, body: string, now = NOW, freshMs = 60_000, staleMs = 600_000): CacheEntry {
  return createEntry(
    { status: 200, contentType: 'application/json;charset=utf-8', body: new TextEncoder().encode(body) as Uint8Array<ArrayBuffer> },
    { freshMs, staleMs },
    now,
    1,
    origin,
    origin.records,
  );
}

export function tierContract(name: string, make: () => Promise<TierFixture> | TierFixture): void {
  describe(`tier contract: ${name}`, () => {
    let fixture: TierFixture;
    let tier: CacheTier;
    let serial = 0;
    /** Keys unique to each test, so tests share one tier without seeing each other. */
    const unique = (path: string) => `${path}-${++serial}-${Math.random().toString(36).slice(2, 8)}`;

    beforeAll(async () => {
      fixture = await make();
      tier = fixture.tier;
    });
    afterAll(async () => {
      await tier.close();
      await fixture.stop?.();
    });

    test('get of a key never set is undefined', async () => {
      expect(await tier.get(`tmdb:/${unique('nothing')}`)).toBeUndefined();
    });

    test('set then get returns the same entry: bytes, validators, times, origin and records', async () => {
      const origin = originFor(`/${unique('movie')}`, ['tmdb:movie:550'], 'language=de-DE');
      const entry = entryFor(origin, '{"id":550,"title":"Fight Club"}');
      const key = keyOf(origin);
      await tier.set(key, entry);
      const got = await tier.get(key);
      expect(got).toBeDefined();
      expect(new Uint8Array(got!.gzipBody)).toEqual(new Uint8Array(entry.gzipBody));
      const { gzipBody: _a, ...rest } = got!;
      const { gzipBody: _b, ...expected } = entry;
      expect(rest).toEqual(expected);
    });

    test('set replaces an entry of the same key', async () => {
      const origin = originFor(`/${unique('replace')}`);
      const key = keyOf(origin);
      await tier.set(key, entryFor(origin, '{"v":1}'));
      await tier.set(key, entryFor(origin, '{"v":2}', NOW + 1_000));
      const got = await tier.get(key);
      expect(new TextDecoder().decode(Bun.gunzipSync(got!.gzipBody))).toBe('{"v":2}');
      expect(got!.storedAt).toBe(NOW + 1_000);
    });

    test('delete removes the entry and says whether there was one', async () => {
      const origin = originFor(`/${unique('delete')}`);
      const key = keyOf(origin);
      await tier.set(key, entryFor(origin, '{}'));
      expect(await tier.delete(key)).toBe(true);
      expect(await tier.get(key)).toBeUndefined();
      expect(await tier.delete(key)).toBe(false);
    });

    test('expire makes the entry stale at once and keeps its stale window', async () => {
      const origin = originFor(`/${unique('expire')}`);
      const key = keyOf(origin);
      const entry = entryFor(origin, '{}');
      await tier.set(key, entry);
      expect(await tier.expire(key, NOW + 5_000)).toBe(true);
      const got = await tier.get(key);
      expect(got!.freshUntil).toBe(NOW + 5_000);
      expect(got!.staleUntil).toBe(entry.staleUntil);
      expect(got!.storedAt).toBe(entry.storedAt);
      expect(await tier.expire(`tmdb:/${unique('absent')}`, NOW)).toBe(false);
    });

    test('keysOf lists every key that names a record, and forgets deleted ones', async () => {
      const record = `tmdb:movie:${unique('r')}`;
      const origins = [originFor(`/${unique('a')}`, [record]), originFor(`/${unique('b')}`, [record], 'language=fr-FR'), originFor(`/${unique('c')}`, ['tmdb:movie:other'])];
      for (const origin of origins) await tier.set(keyOf(origin), entryFor(origin, '{}'));
      expect((await tier.keysOf(record)).sort()).toEqual([keyOf(origins[0]!), keyOf(origins[1]!)].sort());
      await tier.delete(keyOf(origins[0]!));
      expect(await tier.keysOf(record)).toEqual([keyOf(origins[1]!)]);
      expect(await tier.keysOf(`tmdb:movie:${unique('none')}`)).toEqual([]);
    });
  });
}
