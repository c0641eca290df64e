import { describe, expect, test } from 'bun:test';
import { SecondChanceMap } from '../../src/cache/second-chance-map.ts';

describe('SecondChanceMap', () => {
  test('stays within its byte bound and evicts the entries nobody read, not the hot ones', () => {
    const map = new SecondChanceMap<number>(1_000);
    for (let i = 0; i < 10; i++) map.set(`hot${i}`, i, 50); // 500 bytes of hot entries
    for (let round = 0; round < 200; round++) {
      for (let i = 0; i < 10; i++) expect(map.get(`hot${i}`)).toBe(i);
      // A flood of one-off keys, ten times the bound over the run.
      for (let j = 0; j < 5; j++) map.set(`cold${round}-${j}`, j, 60);
      expect(map.bytes).toBeLessThanOrEqual(1_000);
    }
    for (let i = 0; i < 10; i++) expect(map.has(`hot${i}`)).toBe(true);
    expect(map.evictions).toBeGreaterThan(900);
    expect(map.figures).toEqual({ entries: map.size, bytes: map.bytes, max_bytes: 1_000, evictions: map.evictions });
  });

  test('a table that is never read behaves as FIFO; replacing a key keeps the byte count exact', () => {
    const map = new SecondChanceMap<string>(300);
    map.set('a', 'a', 100);
    map.set('b', 'b', 100);
    map.set('a', 'a2', 150); // replaced: 250 bytes, a is now the newest
    expect(map.bytes).toBe(250);
    map.set('c', 'c', 100); // b (oldest, unread) goes
    expect([map.has('a'), map.has('b'), map.has('c')]).toEqual([true, false, true]);
    expect(map.bytes).toBe(250);
    map.set('huge', 'x', 301); // larger than the bound: not stored, nothing evicted for it
    expect(map.has('huge')).toBe(false);
    expect(map.size).toBe(2);
    expect(map.delete('a')).toBe(true);
    expect(map.bytes).toBe(100);
  });
});
