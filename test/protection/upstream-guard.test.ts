/**
 * Upstream protection under fault injection: rate budget, concurrency cap, 429 pause, circuit
 * breaker, and the single retry on a connection reset. Real time (the guard's queue runs on timers);
 * every number asserted is what the fake upstream actually received.
 */
import { describe, expect, test } from 'bun:test';
import { peakInWindow } from '../support/fleet-harness.ts';
import { useRelayHarness } from '../support/harness.ts';

const harness = useRelayHarness({ LOG_LEVEL: 'warn' });
const start = (overrides: Record<string, string>) => harness.start(overrides);

describe('rate budget', () => {
  test('a burst of distinct misses far above the budget never exceeds it upstream', async () => {
    const r = await start({ TMDB_RATE_LIMIT: '20', TMDB_RATE_BURST: '10', UPSTREAM_QUEUE_TIMEOUT: '1500ms', UPSTREAM_MAX_CONCURRENCY: '64' });
    const started = Date.now();
    const responses = await Promise.all(Array.from({ length: 300 }, (_, i) => r.get(`/tmdb/movies/${1000 + i}`)));
    const elapsed = Date.now() - started;
    const statuses = responses.map((res) => res.status);
    const calls = harness.fake.dataCalls('tmdb').map((c) => c.at);

    // The token bucket: at most burst + rate x window in any window. The fake stamps arrival, which
    // trails the relay's dispatch by a jittery millisecond or two: allow 100 ms of rate for that.
    expect(peakInWindow(calls, 1000)).toBeLessThanOrEqual(10 + 20 * 1.1);
    console.log(`budget 20/s burst 10: ${calls.length} upstream calls in ${elapsed} ms for 300 misses, peak ${peakInWindow(calls, 1000)} in any 1 s`);
    expect(calls.length).toBeLessThanOrEqual(10 + Math.ceil((20 * elapsed) / 1000) + 1);
    // Everyone got an answer: the budget's worth of 200s, the rest 503 with a Retry-After, nothing else.
    expect(statuses.filter((s) => s === 200).length).toBe(calls.length);
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
    const refused = responses.filter((res) => res.status === 503);
    expect(refused.length).toBeGreaterThan(200);
    expect(refused.every((res) => Number(res.headers.get('retry-after')) >= 1)).toBe(true);
    // Refusals are immediate, not after a timeout.
    expect(elapsed).toBeLessThan(2_500);
    const stats = (await (await r.get('/stats')).json()) as { upstreams: { tmdb: { guard: { rejections: { queue_full: number; queue_timeout: number } } } } };
    expect(stats.upstreams.tmdb.guard.rejections.queue_full + stats.upstreams.tmdb.guard.rejections.queue_timeout).toBe(refused.length);
  });

  test('concurrent upstream requests stay under UPSTREAM_MAX_CONCURRENCY', async () => {
    const r = await start({ UPSTREAM_MAX_CONCURRENCY: '4', TMDB_RATE_LIMIT: '1000', TMDB_RATE_BURST: '1000' });
    harness.fake.addFault({ upstream: 'tmdb', pathPrefix: '/3/movie', fault: { kind: 'delay', ms: 100 } });
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => r.get(`/tmdb/movies/${2000 + i}`)));
    expect(responses.every((res) => res.status === 200)).toBe(true);
    expect(harness.fake.maxInFlight('tmdb')).toBe(4);
  });
});

describe('429 from upstream', () => {
  for (const [form, retryAfter] of [
    ['seconds', () => '2'],
    ['HTTP-date', () => new Date(Date.now() + 2_000).toUTCString()],
  ] as const) {
    test(`pauses the upstream for Retry-After (${form}); no call until the pause ends`, async () => {
      const r = await start({});
      harness.fake.addFault({ upstream: 'tmdb', pathPrefix: '/3/movie/3000', fault: { kind: 'rate-limit', retryAfter: retryAfter() }, times: 1 });
      const limitedAt = Date.now();
      const limited = await r.get('/tmdb/movies/3000');
      expect(limited.status).toBe(503);
      const clientRetryAfter = Number(limited.headers.get('retry-after'));
      expect(clientRetryAfter).toBeGreaterThanOrEqual(1);
      expect(clientRetryAfter).toBeLessThanOrEqual(2);

      // During the pause: other misses are answered at once with 503, and nothing reaches TMDB.
      for (let i = 0; i < 10; i++) {
        const t0 = performance.now();
        const response = await r.get(`/tmdb/movies/${3001 + i}`);
        expect(response.status).toBe(503);
        expect(performance.now() - t0).toBeLessThan(100);
        await Bun.sleep(100);
      }
      const duringPause = harness.fake.dataCalls('tmdb').filter((c) => c.at < limitedAt + 1_000);
      expect(duringPause).toHaveLength(1); // only the call that got the 429

      await Bun.sleep(Math.max(0, limitedAt + 2_100 - Date.now()));
      expect((await r.get('/tmdb/movies/3001')).status).toBe(200);
      const later = harness.fake.dataCalls('tmdb').slice(1);
      expect(later.every((c) => c.at >= limitedAt + 1_000)).toBe(true);
    });
  }

  test('when the pause ends one probe goes first; the others wait for its answer, then the budget resumes', async () => {
    const r = await start({});
    harness.fake.addFault({ upstream: 'tmdb', pathPrefix: '/3/movie/3400', fault: { kind: 'rate-limit', retryAfter: '1' }, times: 1 });
    expect((await r.get('/tmdb/movies/3400')).status).toBe(503);
    await Bun.sleep(1_050);
    // The probe is slow: everyone who arrives while it is out is refused at once, not sent.
    harness.fake.addFault({ upstream: 'tmdb', pathPrefix: '/3/movie/3401', fault: { kind: 'delay', ms: 300 }, times: 1 });
    const probe = r.get('/tmdb/movies/3401');
    // The fake records a request as it arrives: from then on the probe is out.
    for (let waited = 0; !harness.fake.dataCalls('tmdb').some((c) => c.path === '/3/movie/3401'); waited += 5) {
      if (waited > 5_000) throw new Error('the probe never reached the upstream');
      await Bun.sleep(5);
    }
    const during = await Promise.all(Array.from({ length: 20 }, (_, i) => r.get(`/tmdb/movies/${3410 + i}`)));
    expect(during.every((res) => res.status === 503 && Number(res.headers.get('retry-after')) >= 1)).toBe(true);
    expect((await probe).status).toBe(200);
    const afterPause = harness.fake.dataCalls('tmdb').slice(1);
    expect(afterPause.map((c) => c.path)).toEqual(['/3/movie/3401']); // exactly one call: the probe
    // Its success resumes the budget: a burst goes through again.
    const resumed = await Promise.all(Array.from({ length: 5 }, (_, i) => r.get(`/tmdb/movies/${3410 + i}`)));
    expect(resumed.every((res) => res.status === 200)).toBe(true);
    expect(harness.fake.dataCalls('tmdb')).toHaveLength(7);
  });

  test('a probe that gets another 429 pauses again, and still only one call goes after each pause', async () => {
    const r = await start({});
    harness.fake.addFault({ upstream: 'tmdb', pathPrefix: '/3/movie', fault: { kind: 'rate-limit', retryAfter: '1' }, times: 2 });
    expect((await r.get('/tmdb/movies/3500')).status).toBe(503);
    for (let round = 0; round < 2; round++) {
      await Bun.sleep(1_050);
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => r.get(`/tmdb/movies/${3510 + i}`)));
      expect(harness.fake.dataCalls('tmdb')).toHaveLength(round + 2);
      expect(answers.filter((res) => res.status === 200)).toHaveLength(round === 0 ? 0 : 1);
    }
    const stats = (await (await r.get('/stats')).json()) as { upstreams: { tmdb: { guard: { pauses: number; pause_probe: string } } } };
    expect(stats.upstreams.tmdb.guard.pauses).toBe(2);
    expect(stats.upstreams.tmdb.guard.pause_probe).toBe('none');
  });

  test('requests already queued when the 429 arrives are not sent either', async () => {
    const r = await start({ TMDB_RATE_LIMIT: '10', TMDB_RATE_BURST: '1' });
    harness.fake.addFault({ upstream: 'tmdb', fault: { kind: 'rate-limit', retryAfter: '30' } });
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => r.get(`/tmdb/movies/${3300 + i}`)));
    expect(responses.every((res) => res.status === 503)).toBe(true);
    expect(harness.fake.dataCalls('tmdb')).toHaveLength(1);
  });

  test('a huge Retry-After is capped by UPSTREAM_RETRY_AFTER_CAP', async () => {
    const r = await start({ UPSTREAM_RETRY_AFTER_CAP: '1s' });
    harness.fake.addFault({ upstream: 'tmdb', pathPrefix: '/3/movie/3100', fault: { kind: 'rate-limit', retryAfter: '86400' }, times: 1 });
    expect((await r.get('/tmdb/movies/3100')).status).toBe(503);
    await Bun.sleep(1_100);
    expect((await r.get('/tmdb/movies/3100')).status).toBe(200);
  });

  test('while paused, cached entries past their fresh period are still answered (stale)', async () => {
    const r = await start({ CACHE_TTL_DETAILS: '1s/1d' });
    expect((await r.get('/tmdb/movies/3200')).status).toBe(200);
    await Bun.sleep(1_100);
    harness.fake.addFault({ upstream: 'tmdb', fault: { kind: 'rate-limit', retryAfter: '5' } });
    const response = await r.get('/tmdb/movies/3200');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-cache')).toBe('STALE');
  });
});

describe('fair share of the upstream budget', () => {
  test('one client flooding distinct misses cannot starve another: its misses stay under 2x their uncontended latency', async () => {
    const r = await start({ TRUSTED_PROXIES: '127.0.0.1/32,::1', UPSTREAM_MAX_CONCURRENCY: '64' });
    harness.fake.addFault({ upstream: 'tmdb', pathPrefix: '/3/movie', fault: { kind: 'delay', ms: 100 } });
    const as = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });
    const timedMiss = async (id: number) => {
      const t0 = performance.now();
      const response = await r.get(`/tmdb/movies/${id}`, as('198.51.100.2'));
      await response.arrayBuffer();
      expect(response.status).toBe(200);
      return performance.now() - t0;
    };
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

    const alone: number[] = [];
    for (let i = 0; i < 5; i++) {
      alone.push(await timedMiss(5000 + i));
      await Bun.sleep(100);
    }
    await Bun.sleep(1_100); // the bucket refills

    // The flood: 400 distinct misses at once from one address, ten seconds of the budget (40/s).
    const flood = Promise.all(Array.from({ length: 400 }, (_, i) => r.get(`/tmdb/movies/${6000 + i}`, as('203.0.113.9')).then((res) => res.status)));
    await Bun.sleep(300);
    const contended: number[] = [];
    for (let i = 0; i < 5; i++) contended.push(await timedMiss(5100 + i));
    const floodStatuses = await flood;
    console.log(`fair share: other client's miss p50 ${median(alone).toFixed(0)} ms alone, ${median(contended).toFixed(0)} ms beside a flood of 400 (${floodStatuses.filter((s) => s === 200).length} of the flood answered, the rest 503)`);
    expect(median(contended)).toBeLessThan(2 * median(alone));
    expect(floodStatuses.every((s) => s === 200 || s === 503)).toBe(true);
  });

  test('a full queue gives a light client the busiest client\'s newest place', async () => {
    const r = await start({ TRUSTED_PROXIES: '127.0.0.1/32,::1', TMDB_RATE_LIMIT: '5', TMDB_RATE_BURST: '1', UPSTREAM_QUEUE_MAX: '20', UPSTREAM_QUEUE_TIMEOUT: '30s' });
    const as = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });
    const flood = Promise.all(Array.from({ length: 40 }, (_, i) => r.get(`/tmdb/movies/${7000 + i}`, as('203.0.113.9')).then((res) => res.status)));
    await Bun.sleep(200);
    // Flood calls that went before the light client came (one, or two if a token came back meanwhile).
    const sentBefore = harness.fake.dataCalls('tmdb').length;
    const t0 = performance.now();
    const light = await r.get('/tmdb/movies/7999', as('198.51.100.2'));
    expect(light.status).toBe(200);
    expect(performance.now() - t0).toBeLessThan(1_000); // one or two turns at 5/s, not the 20 queued before it
    const statuses = await flood;
    // Refused: the flood beyond the queue and what went before, plus the place the light client took
    // (less one: a waiter may have gone between the count and the light client's arrival).
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThanOrEqual(40 - 20 - sentBefore);
  }, 30_000);
});

describe('circuit breaker', () => {
  test('a dead upstream opens the breaker: clients get 503 or stale at once, not after the timeout', async () => {
    const r = await start({ UPSTREAM_TIMEOUT_MS: '500', BREAKER_THRESHOLD: '3', BREAKER_COOLDOWN: '1s', CACHE_TTL_DETAILS: '1s/1d' });
    expect((await r.get('/tmdb/movies/4000')).status).toBe(200); // cached, goes stale after 1 s
    harness.fake.addFault({ upstream: 'tmdb', fault: { kind: 'hang' } });
    for (let i = 1; i <= 3; i++) expect((await r.get(`/tmdb/movies/${4000 + i}`)).status).toBe(504);
    const callsWhenOpened = harness.fake.dataCalls('tmdb').length;

    const waits: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      const response = await r.get(`/tmdb/movies/${4100 + i}`);
      waits.push(performance.now() - t0);
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('1');
    }
    await Bun.sleep(Math.max(0, 1_050 - 0)); // let the cached entry go stale; breaker cooldown also passes
    const stale = await r.get('/tmdb/movies/4000');
    expect(stale.status).toBe(200);
    expect(stale.headers.get('x-cache')).toBe('STALE');
    expect(Math.max(...waits)).toBeLessThan(50);
    expect(harness.fake.dataCalls('tmdb').length).toBeLessThanOrEqual(callsWhenOpened + 1); // at most the probe
    const stats = (await (await r.get('/stats')).json()) as { upstreams: { tmdb: { guard: { breaker_openings: number } } } };
    expect(stats.upstreams.tmdb.guard.breaker_openings).toBeGreaterThanOrEqual(1);
    console.log(`breaker open: max client wait ${Math.max(...waits).toFixed(1)} ms (timeout 500 ms)`);
  });

  test('after the cool-down one probe goes through; its success closes the breaker', async () => {
    const r = await start({ UPSTREAM_TIMEOUT_MS: '300', BREAKER_THRESHOLD: '2', BREAKER_COOLDOWN: '500ms' });
    harness.fake.addFault({ upstream: 'tmdb', fault: { kind: 'hang' }, times: 2 });
    for (let i = 0; i < 2; i++) expect((await r.get(`/tmdb/movies/${5000 + i}`)).status).toBe(504);
    expect((await r.get('/tmdb/movies/5002')).status).toBe(503);
    await Bun.sleep(550);
    harness.fake.reset();
    harness.fake.addFault({ upstream: 'tmdb', fault: { kind: 'delay', ms: 150 } });
    const responses = await Promise.all(Array.from({ length: 8 }, (_, i) => r.get(`/tmdb/movies/${5100 + i}`)));
    const statuses = responses.map((res) => res.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1); // the probe
    expect(statuses.filter((s) => s === 503)).toHaveLength(7);
    expect(harness.fake.dataCalls('tmdb')).toHaveLength(1);
    expect((await r.get('/tmdb/movies/5200')).status).toBe(200); // closed again
  });
});

describe('no retry storms', () => {
  test('a reset on a kept-alive connection is retried once; a second reset is an error', async () => {
    // Bun's fetch retries a GET whose pooled keep-alive socket was reset, once per pooled socket. A
    // fake on fresh ports gives this process exactly one pooled socket to it, so the count is exact.
    await harness.replaceFake();
    const r = await start({});
    expect((await r.get('/tmdb/movies/5999')).status).toBe(200); // opens the pooled connection
    harness.fake.reset();
    harness.fake.addFault({ upstream: 'tmdb', pathPrefix: '/3/movie/6000', fault: { kind: 'reset' }, times: 1 });
    expect((await r.get('/tmdb/movies/6000')).status).toBe(200);
    expect(harness.fake.dataCalls('tmdb')).toHaveLength(2);

    harness.fake.reset();
    harness.fake.addFault({ upstream: 'tmdb', pathPrefix: '/3/movie/6001', fault: { kind: 'reset' } });
    const response = await r.get('/tmdb/movies/6001');
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ error: 'Upstream unreachable', upstream: 'tmdb' });
    expect(harness.fake.dataCalls('tmdb')).toHaveLength(2);
  });

  test('5xx and 429 are never retried by the relay', async () => {
    const r = await start({});
    harness.fake.addFault({ upstream: 'tmdb', pathPrefix: '/3/movie/6100', fault: { kind: 'status', status: 502 } });
    expect((await r.get('/tmdb/movies/6100')).status).toBe(502);
    expect(harness.fake.dataCalls('tmdb')).toHaveLength(1);
    harness.fake.reset();
    harness.fake.addFault({ upstream: 'tmdb', pathPrefix: '/3/movie/6101', fault: { kind: 'rate-limit', retryAfter: '1' } });
    expect((await r.get('/tmdb/movies/6101')).status).toBe(503);
    expect(harness.fake.dataCalls('tmdb')).toHaveLength(1);
  });
});
