import { MemoryTier } from '../../../src/cache/tiers/memory.ts';
import { describe, expect, test } from 'bun:test';
import { keyOf } from '../../../src/cache/key.ts';
import { entryFor, originFor, tierContract } from './contract.ts';

tierContract('memory', () => ({ tier: new MemoryTier(16 * 1024 * 1024) }));

describe('memory tier figures', () => {
  test('identityBytes follows sets, replacements, expiry, deletes and evictions without walking the cache', () => {
    const tier = new MemoryTier(64 * 1024);
    const sum = () => {
      let total = 0;
      for (let i = 0; i < 400; i++) total += tier.peek(keyOf(originFor(`/movie/${i}`)))?.identityLength ?? 0;
      return total;
    };
    for (let i = 0; i < 400; i++) tier.set(keyOf(originFor(`/movie/${i}`)), entryFor(originFor(`/movie/${i}`), `{"id":${i},"title":"${'x'.repeat(i)}"}`));
    expect(tier.entries).toBeLessThan(400); // the byte bound evicted some
    expect(tier.identityBytes()).toBe(sum());
    const last = originFor('/movie/399');
    tier.set(keyOf(last), entryFor(last, '{"id":399}'));
    tier.expire(keyOf(last), Date.now());
    tier.delete(keyOf(originFor('/movie/398')));
    expect(tier.identityBytes()).toBe(sum());
    expect(tier.identityBytes()).toBeGreaterThan(0);
    tier.close();
    expect(tier.identityBytes()).toBe(0);
  });
});
