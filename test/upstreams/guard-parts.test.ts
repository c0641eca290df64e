/**
 * The guard's parts on their own: breaker tickets (stragglers), the two queue lanes, the bucket.
 * Driven with tasks the test resolves by hand and a clock it moves, so every ordering is exact.
 */
import { describe, expect, test } from 'bun:test';
import { CircuitBreaker } from '../../src/upstreams/breaker.ts';
import { UpstreamFailure } from '../../src/upstreams/errors.ts';
import { UpstreamGuard, type GuardOptions } from '../../src/upstreams/guard.ts';
import { TokenBucket } from '../../src/upstreams/token-bucket.ts';
import type { UpstreamResponse } from '../../src/upstreams/types.ts';

const ok = (status = 200): UpstreamResponse => ({ status, contentType: 'application/json', body: new Uint8Array(2), retryAfter: null });

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

function guardWith(overrides: Partial<GuardOptions> = {}, clock = { now: 1_000_000 }) {
  return new UpstreamGuard({
    upstream: 'tmdb',
    ratePerSecond: 1_000,
    burst: 1_000,
    maxConcurrent: 16,
    maxQueueWaitMs: 1_000,
    maxQueue: 100,
    retryAfterCapMs: 60_000,
    breakerThreshold: 2,
    breakerCooldownMs: 10_000,
    now: () => clock.now,
    ...overrides,
  });
}

const timeout = () => new UpstreamFailure('tmdb', 'timeout', 'Upstream timed out');

describe('circuit breaker', () => {
  test('a straggler success admitted before the breaker opened does not close it inside its cool-down', async () => {
    const clock = { now: 1_000_000 };
    const guard = guardWith({}, clock);
    const straggler = deferred<UpstreamResponse>();
    const slow = guard.run(() => straggler.promise);
    // Two failures open the breaker while the slow call is still in flight.
    for (let i = 0; i < 2; i++) await expect(guard.run(() => Promise.reject(timeout()))).rejects.toThrow('timed out');
    expect(guard.breaker.state).toBe('open');
    straggler.resolve(ok());
    await slow;
    expect(guard.breaker.state).toBe('open');
    await expect(guard.run(async () => ok())).rejects.toMatchObject({ kind: 'unavailable' });
    // After the cool-down exactly one probe decides.
    clock.now += 10_001;
    const probe = deferred<UpstreamResponse>();
    const probing = guard.run(() => probe.promise);
    await expect(guard.run(async () => ok())).rejects.toMatchObject({ kind: 'unavailable' });
    probe.resolve(ok());
    await probing;
    expect(guard.breaker.state).toBe('closed');
  });

  test('a straggler failure after the breaker opened neither extends nor re-opens it', () => {
    const clock = { now: 0 };
    const breaker = new CircuitBreaker({ threshold: 1, cooldownMs: 100, now: () => clock.now });
    const early = breaker.admit();
    const opener = breaker.admit();
    if (typeof early === 'number' || typeof opener === 'number') throw new Error('admitted');
    breaker.failure(opener);
    expect(breaker.openings).toBe(1);
    clock.now = 50;
    breaker.failure(early);
    expect(breaker.openings).toBe(1);
    expect(breaker.remainingMs).toBe(50);
  });

  test('a failed probe re-opens for a full cool-down; state changes are reported once each', () => {
    const clock = { now: 0 };
    const changes: string[] = [];
    const breaker = new CircuitBreaker({ threshold: 2, cooldownMs: 100, now: () => clock.now, onChange: (s, p) => changes.push(`${p}->${s}`) });
    for (let i = 0; i < 2; i++) {
      const ticket = breaker.admit();
      if (typeof ticket !== 'number') breaker.failure(ticket);
    }
    clock.now = 100;
    const probe = breaker.admit();
    expect(typeof probe).toBe('object');
    expect(breaker.admit()).toBe(1_000); // one probe at a time
    if (typeof probe !== 'number') breaker.failure(probe);
    expect(breaker.remainingMs).toBe(100);
    clock.now = 200;
    const second = breaker.admit();
    if (typeof second !== 'number') breaker.success(second);
    expect(changes).toEqual(['closed->open', 'open->half_open', 'half_open->open', 'open->half_open', 'half_open->closed']);
  });
});

describe('queue lanes', () => {
  test('background work waits while any client waits, and never takes the last slots', async () => {
    const guard = guardWith({ maxConcurrent: 2 });
    const gates = [deferred<UpstreamResponse>(), deferred<UpstreamResponse>()];
    const order: string[] = [];
    // Both slots busy with client calls.
    const busy = gates.map((gate, i) => guard.run(() => gate.promise.then((r) => (order.push(`client-${i}`), r))));
    const background = guard.run(async () => (order.push('background'), ok()), 'background');
    const client = guard.run(async () => (order.push('client-late'), ok()));
    expect(guard.snapshot().queue_depth).toBe(1);
    expect(guard.snapshot().queue_depth_background).toBe(1);
    gates[0]?.resolve(ok());
    await busy[0];
    await client;
    // The late client went first although the background task queued before it; the background
    // task took the slot the late client left, while the other client call still held its own.
    await background;
    expect(order).toEqual(['client-0', 'client-late', 'background']);
    gates[1]?.resolve(ok());
    await busy[1];
  });

  test('background work may use at most half the concurrent slots', async () => {
    const guard = guardWith({ maxConcurrent: 4 });
    const gate = deferred<UpstreamResponse>();
    let started = 0;
    const tasks = Array.from({ length: 4 }, () => guard.run(() => (started++, gate.promise), 'background'));
    await Bun.sleep(1);
    expect(started).toBe(2);
    // A client still gets a slot at once.
    expect(await guard.run(async () => ok())).toMatchObject({ status: 200 });
    gate.resolve(ok());
    await Promise.all(tasks);
    expect(started).toBe(4);
  });

  test('background work leaves a quarter of the burst to clients', () => {
    const clock = { now: 0 };
    const guard = guardWith({ ratePerSecond: 1, burst: 8 }, clock);
    const background: Promise<UpstreamResponse>[] = [];
    for (let i = 0; i < 6; i++) background.push(guard.run(async () => ok(), 'background'));
    // 8 tokens, 2 reserved: 6 background calls start, the 7th waits (or is refused), clients still go.
    const seventh = guard.run(async () => ok(), 'background');
    expect(guard.snapshot().queue_depth_background + guard.rejections.queue_full).toBe(1);
    seventh.catch(() => {});
    expect(guard.snapshot().tokens).toBe(2);
    return Promise.all([...background, guard.run(async () => ok()), guard.run(async () => ok())]).then((answers) => {
      expect(answers).toHaveLength(8);
      guard.close();
    });
  });

  test('holdingBack is true while paused after a 429 and while the breaker is open', async () => {
    const clock = { now: 0 };
    const guard = guardWith({ breakerThreshold: 1, breakerCooldownMs: 1_000 }, clock);
    expect(guard.holdingBack).toBe(false);
    await expect(guard.run(async () => ({ ...ok(429), retryAfter: '2' }))).rejects.toMatchObject({ kind: 'unavailable' });
    expect(guard.holdingBack).toBe(true);
    clock.now = 2_000;
    expect(guard.holdingBack).toBe(false);
    await expect(guard.run(() => Promise.reject(timeout()))).rejects.toThrow();
    expect(guard.holdingBack).toBe(true);
    clock.now = 3_001;
    expect(guard.holdingBack).toBe(false);
  });
});

describe('the probe after a pause', () => {
  test('a probe that has to wait for a token waits its turn instead of being refused as "probing"', async () => {
    const clock = { get now() { return Date.now(); } };
    const guard = guardWith({ ratePerSecond: 10, burst: 1 }, clock);
    await expect(guard.run(async () => ({ ...ok(429), retryAfter: '0' }))).rejects.toMatchObject({ kind: 'unavailable' });
    // The 429 took the only token: the probe queues for the next one (100 ms) and then goes.
    expect(await guard.run(async () => ok())).toMatchObject({ status: 200 });
    expect(guard.snapshot().pause_probe).toBe('none');
    guard.close();
  });

  test('a late 429 from a call sent before the pause extends it, but no second probe goes while the first is out', async () => {
    const clock = { now: 1_000_000 };
    const guard = guardWith({}, clock);
    const limited = () => ({ ...ok(429), retryAfter: '1' });
    const straggler = deferred<UpstreamResponse>();
    const late = guard.run(() => straggler.promise);
    await expect(guard.run(async () => limited())).rejects.toMatchObject({ kind: 'unavailable' });
    clock.now += 1_001;
    const probe = deferred<UpstreamResponse>();
    const probing = guard.run(() => probe.promise);
    expect(guard.snapshot().pause_probe).toBe('in_flight');
    straggler.resolve(limited());
    await expect(late).rejects.toMatchObject({ kind: 'unavailable' });
    clock.now += 1_001; // the straggler's pause is over too, and the probe is still out
    let sent = 0;
    await expect(guard.run(async () => (sent++, ok()))).rejects.toMatchObject({ kind: 'unavailable' });
    expect(sent).toBe(0);
    probe.resolve(ok());
    await probing;
    expect(guard.snapshot().pause_probe).toBe('none');
    expect(await guard.run(async () => ok())).toMatchObject({ status: 200 });
    guard.close();
  });

  test('a probe answered with 429 makes the next call after the new pause the probe', async () => {
    const clock = { now: 1_000_000 };
    const guard = guardWith({}, clock);
    const limited = async () => ({ ...ok(429), retryAfter: '1' });
    await expect(guard.run(limited)).rejects.toMatchObject({ kind: 'unavailable' });
    clock.now += 1_001;
    await expect(guard.run(limited)).rejects.toMatchObject({ kind: 'unavailable' });
    expect(guard.snapshot().pause_probe).toBe('due');
    clock.now += 1_001;
    expect(await guard.run(async () => ok())).toMatchObject({ status: 200 });
    expect(guard.snapshot().pause_probe).toBe('none');
    guard.close();
  });
});

describe('fair share between clients', () => {
  test('queued client calls are served round-robin by client, each client in its own order', async () => {
    const guard = guardWith({ maxConcurrent: 1 });
    const gate = deferred<UpstreamResponse>();
    const order: string[] = [];
    const busy = guard.run(() => gate.promise, 'foreground', 'flood');
    const calls = [
      ...Array.from({ length: 4 }, (_, i) => guard.run(async () => (order.push(`flood-${i}`), ok()), 'foreground', 'flood')),
      guard.run(async () => (order.push('a-0'), ok()), 'foreground', 'a'),
      guard.run(async () => (order.push('a-1'), ok()), 'foreground', 'a'),
      guard.run(async () => (order.push('b-0'), ok()), 'foreground', 'b'),
    ];
    gate.resolve(ok());
    await busy;
    await Promise.all(calls);
    expect(order).toEqual(['flood-0', 'a-0', 'b-0', 'flood-1', 'a-1', 'flood-2', 'flood-3']);
  });

  test('a full queue refuses the busiest client\'s newest waiter to seat a lighter client; an equal one is refused itself', async () => {
    const guard = guardWith({ maxConcurrent: 1, maxQueue: 3 });
    const gate = deferred<UpstreamResponse>();
    const busy = guard.run(() => gate.promise, 'foreground', 'flood');
    const flood = Array.from({ length: 3 }, () => guard.run(async () => ok(), 'foreground', 'flood').then(() => 'ok', (e: UpstreamFailure) => e.kind));
    const light = guard.run(async () => ok(), 'foreground', 'light').then(() => 'ok', (e: UpstreamFailure) => e.kind);
    expect(await flood[2]).toBe('unavailable'); // displaced at once
    expect(guard.snapshot().queue_depth).toBe(3);
    // The flood now holds 2 places, the light client 1: another light call (2 vs 2) does not displace.
    await expect(guard.run(async () => ok(), 'foreground', 'light')).rejects.toMatchObject({ kind: 'unavailable' });
    gate.resolve(ok());
    await busy;
    expect(await Promise.all([flood[0], flood[1], light])).toEqual(['ok', 'ok', 'ok']);
  });
});

describe('token bucket', () => {
  test('refills at its rate up to the burst, and predicts waits', () => {
    const clock = { now: 0 };
    const bucket = new TokenBucket(10, 5, () => clock.now);
    for (let i = 0; i < 5; i++) expect(bucket.tryTake()).toBe(true);
    expect(bucket.tryTake()).toBe(false);
    expect(bucket.msUntil(2)).toBe(200);
    clock.now = 250;
    expect(bucket.tokens).toBe(2.5);
    clock.now = 10_000;
    expect(bucket.tokens).toBe(5);
    expect(bucket.tryTake(4)).toBe(true);
    expect(bucket.tryTake(4)).toBe(false);
  });
});
