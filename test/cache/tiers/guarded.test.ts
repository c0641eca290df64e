/**
 * The guard every second tier sits behind: a deadline per call, a breaker that stops calling a
 * failing tier, corrupt values that are counted but are no outage, and entries too large to share.
 * Driven with a tier whose answers the test decides.
 */
import { describe, expect, test } from 'bun:test';
import type { CacheEntry } from '../../../src/cache/entry.ts';
import { CorruptValue } from '../../../src/cache/tiers/codec.ts';
import { GuardedTier } from '../../../src/cache/tiers/guarded.ts';
import type { CacheTier } from '../../../src/cache/tiers/tier.ts';
import { entryFor, originFor } from './contract.ts';

type Behaviour = 'ok' | 'hang' | 'throw' | 'corrupt';

function scriptedTier() {
  const state = { behaviour: 'ok' as Behaviour, calls: 0, stored: new Map<string, CacheEntry>() };
  const act = async <T>(value: T): Promise<T> => {
    state.calls++;
    if (state.behaviour === 'hang') return new Promise<T>(() => {});
    if (state.behaviour === 'throw') throw new Error('connection refused');
    if (state.behaviour === 'corrupt') throw new CorruptValue('not ours');
    return value;
  };
  const tier: CacheTier = {
    name: 'scripted',
    get: (key) => act(state.stored.get(key)),
    set: async (key, entry) => void (await act(state.stored.set(key, entry))),
    delete: (key) => act(state.stored.delete(key)),
    expire: () => act(true),
    keysOf: () => act([]),
    close: () => {},
  };
  return { tier, state };
}

const clock = { now: 1_800_000_000_000 };
const guarded = (tier: CacheTier, maxEntryBytes = 1024 * 1024) =>
  new GuardedTier(tier, { timeoutMs: 30, maxEntryBytes, now: () => clock.now, breakerThreshold: 3, breakerCooldownMs: 1_000 });

describe('GuardedTier', () => {
  test('a call past its deadline answers "not here" and counts a timeout', async () => {
    const { tier, state } = scriptedTier();
    const g = guarded(tier);
    state.behaviour = 'hang';
    const t0 = performance.now();
    expect(await g.get('tmdb:/movie/1')).toBeUndefined();
    // Well short of anything that would notice a hung tier (a loaded machine adds tens of ms).
    expect(performance.now() - t0).toBeLessThan(30 + 200);
    expect(g.counters.timeouts).toBe(1);
  });

  test('failures open the breaker: the tier is not called until the cool-down, then one probe decides', async () => {
    const { tier, state } = scriptedTier();
    const g = guarded(tier);
    state.behaviour = 'throw';
    for (let i = 0; i < 3; i++) expect(await g.get('k')).toBeUndefined();
    expect(g.state).toBe('down');
    const calls = state.calls;
    for (let i = 0; i < 10; i++) await g.get('k');
    expect(state.calls).toBe(calls);
    expect(g.counters.skipped).toBe(10);
    clock.now += 1_001;
    state.behaviour = 'ok';
    expect(await g.keysOf('r')).toEqual([]);
    expect(g.state).toBe('up');
  });

  test('a corrupt value is counted and ignored, and is no outage', async () => {
    const { tier, state } = scriptedTier();
    const g = guarded(tier);
    state.behaviour = 'corrupt';
    for (let i = 0; i < 5; i++) expect(await g.get('k')).toBeUndefined();
    expect(g.counters.corrupt).toBe(5);
    expect(g.state).toBe('up');
  });

  test('entries over the size limit stay in memory only; writes never throw', async () => {
    const { tier, state } = scriptedTier();
    const g = guarded(tier, 64);
    const origin = originFor('/movie/2');
    expect(await g.write('tmdb:/movie/2', entryFor(origin, JSON.stringify({ text: 'x'.repeat(5_000) + Math.random() })))).toBe(false);
    expect(g.counters.tooLarge).toBe(1);
    expect(state.stored.size).toBe(0);
    state.behaviour = 'throw';
    g.set('tmdb:/movie/3', entryFor(originFor('/movie/3'), '{}'));
    await Bun.sleep(5);
    expect(g.counters.writeErrors).toBe(1);
  });

  test('an entry past its stale window is never handed out', async () => {
    const { tier, state } = scriptedTier();
    const g = guarded(tier);
    const origin = originFor('/movie/4');
    state.stored.set('tmdb:/movie/4', entryFor(origin, '{}', clock.now - 10_000_000, 1_000, 1_000));
    expect(await g.get('tmdb:/movie/4')).toBeUndefined();
  });
});
