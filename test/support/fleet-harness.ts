/**
 * The set-up of the tests that need a real redis-server: one fake upstream and one redis-server per
 * file, the relays a test started stopped after it, Redis emptied (and started again if a test left
 * it down), the fake's record and edits cleared.
 */
import { afterAll, afterEach, beforeAll } from 'bun:test';
import { startFakeUpstream, type FakeUpstream } from './fake-upstream.ts';
import { startRedisServer, type RedisServer } from './redis-server.ts';
import type { RelayUnderTest } from './relay.ts';

export interface FleetHarness {
  readonly fake: FakeUpstream;
  readonly redis: RedisServer;
  /** Stopped after the test. */
  track<T extends RelayUnderTest>(relay: T): T;
  /** No longer stopped after the test (the test killed it). */
  untrack(relay: RelayUnderTest): void;
  /** A relay's environment for this fake and this redis-server (LOG_LEVEL info), with `extra` on top. */
  relayEnv(extra?: Record<string, string>): Record<string, string>;
}

export function useFleetHarness(): FleetHarness {
  let fake: FakeUpstream | undefined;
  let redis: RedisServer | undefined;
  const running: RelayUnderTest[] = [];
  beforeAll(async () => {
    fake = await startFakeUpstream();
    redis = await startRedisServer();
  });
  afterEach(async () => {
    for (const relay of running.splice(0)) await relay.stop().catch(() => {});
    await redis?.restart().catch(() => {}); // a test may have left it down
    await redis?.cli('FLUSHALL');
    fake?.reset();
    fake?.clearEdits();
  });
  afterAll(async () => {
    await redis?.stop();
    await fake?.stop();
  });
  return {
    get fake() {
      if (!fake) throw new Error('the fake upstream is not running (use useFleetHarness at the top of the file)');
      return fake;
    },
    get redis() {
      if (!redis) throw new Error('redis-server is not running (use useFleetHarness at the top of the file)');
      return redis;
    },
    track: (relay) => {
      running.push(relay);
      return relay;
    },
    untrack: (relay) => {
      const at = running.indexOf(relay);
      if (at !== -1) running.splice(at, 1);
    },
    relayEnv(extra = {}) {
      return {
        ...this.fake.relayEnv(),
        CACHE_STORE: this.redis.url,
        LOG_LEVEL: 'info',
        ...extra,
      };
    },
  };
}

/** Most of `times` that fall in any window of `windowMs` (for budgets: calls per second at the peak). */
export function peakInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let peak = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] as number) - (sorted[start] as number) >= windowMs) start++;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}
