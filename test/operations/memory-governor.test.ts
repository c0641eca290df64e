import { describe, expect, test } from 'bun:test';
import { loadConfig } from '../../src/config.ts';
import { MemoryGovernor } from '../../src/memory-governor.ts';

const MiB = 1024 * 1024;

describe('memory governor', () => {
  test('collects only above the target, at most once per interval, and says when it cannot get under', () => {
    let rss = 100 * MiB;
    let collections = 0;
    const pressure: string[] = [];
    const governor = new MemoryGovernor({
      targetBytes: 200 * MiB,
      minIntervalMs: 2_000,
      checkEveryMs: 60_000, // driven by hand below
      rss: () => rss,
      collect: () => {
        collections++;
        rss -= 30 * MiB; // a collection frees garbage, not always enough
      },
      onPressure: (state) => pressure.push(state),
    });
    governor.check(0);
    expect(collections).toBe(0); // under the target: nothing to do

    rss = 250 * MiB;
    governor.check(10_000);
    expect(collections).toBe(1);
    expect(pressure).toEqual(['above']); // 220 MiB after collecting: still above

    rss = 260 * MiB;
    governor.check(11_000); // within the interval: no second collection
    expect(collections).toBe(1);
    governor.check(12_000);
    expect(collections).toBe(2);
    expect(pressure).toEqual(['above']); // said once, not per collection

    rss = 150 * MiB;
    governor.check(13_000);
    expect(pressure).toEqual(['above', 'under']);
    expect(governor.figures.collections).toBe(2);
    expect(governor.figures.target_bytes).toBe(200 * MiB);
    governor.close();
  });

  test('MEMORY_TARGET: the cache bound x 1.25 + 128 MiB by default, a size, or off', () => {
    expect(loadConfig({}).cache.memoryTargetBytes).toBe(256 * MiB * 1.25 + 128 * MiB);
    expect(loadConfig({ CACHE_MAX_BYTES: '32MiB' }).cache.memoryTargetBytes).toBe(40 * MiB + 128 * MiB);
    expect(loadConfig({ MEMORY_TARGET: '512MiB' }).cache.memoryTargetBytes).toBe(512 * MiB);
    expect(loadConfig({ MEMORY_TARGET: 'off' }).cache.memoryTargetBytes).toBe(0);
    expect(() => loadConfig({ MEMORY_TARGET: '1M' })).toThrow('MEMORY_TARGET must be at least 64 MiB');
  });
});

describe('memory governor back-off', () => {
  test('collections that free little come less and less often (up to every 30 s); one that frees enough resets the pace', () => {
    let rss = 300 * MiB;
    let freeing = 0; // bytes a collection frees
    const at: number[] = [];
    let now = 0;
    const governor = new MemoryGovernor({
      targetBytes: 200 * MiB,
      minIntervalMs: 2_000,
      checkEveryMs: 60_000,
      rss: () => rss,
      collect: () => {
        at.push(now);
        rss -= freeing;
      },
    });
    for (now = 0; now <= 100_000; now += 500) governor.check(now);
    // Each collection that freed nothing doubles the wait: 4, 8, 16, then 30 s apart.
    expect(at).toEqual([0, 4_000, 12_000, 28_000, 58_000, 88_000]);
    freeing = 50 * MiB; // now a collection frees a sixth
    const next = (at.at(-1) as number) + 30_000;
    for (now = next; now <= next + 6_000; now += 500) governor.check(now);
    expect(at.filter((t) => t >= next), JSON.stringify(at)).toEqual([next, next + 2_000]); // back to every 2 s; then under the target
    governor.close();
  });
});
