/**
 * The SQLite tier, on a real file: what a relay filled is answered by the next relay on the same
 * file with no upstream call, the same bytes and headers and a continuing `age`; the file stays under
 * its bound; garbage rows are ignored, counted and fetched again; an unusable file never stops answers.
 */
import { afterAll, describe, expect, test } from 'bun:test';
import { Database } from 'bun:sqlite';
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEntry } from '../../src/cache/entry.ts';
import type { Origin } from '../../src/cache/key.ts';
import { SqliteTier } from '../../src/cache/tiers/sqlite.ts';
import { useRelayHarness } from '../support/harness.ts';
import { TestClock } from '../support/relay.ts';

const dir = mkdtempSync(join(tmpdir(), 'relay-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const harness = useRelayHarness({ LOG_LEVEL: 'warn' });

const PATHS = [
  '/tmdb/movies/550?append_to_response=credits,images',
  '/tmdb/tv/shows/1399',
  '/tmdb/tv/shows/1399/1',
  '/tmdb/movies/search?query=fight+club',
  '/tmdb/movies/900000123', // a cached 404
  '/tvdb/series/78878/extended?meta=translations',
  '/tvdb/series/78878/episodes?season=1',
];

const comparable = (r: Response) =>
  Object.fromEntries([...r.headers].filter(([name]) => !['date', 'x-request-id', 'server-timing', 'age', 'x-cache', 'content-length'].includes(name)));

describe('SQLite tier (CACHE_STORE=sqlite:...)', () => {
  test('a restarted relay answers from the file: 0 upstream calls, same bytes and headers, age going on', async () => {
    const file = join(dir, 'restart.db');
    const clock = new TestClock();
    const env = { CACHE_STORE: `sqlite:${file}` };
    const first = await harness.start(env, clock.now);
    const before = new Map<string, { body: string; headers: Record<string, string> }>();
    for (const path of PATHS) {
      const response = await first.get(path, { headers: { 'accept-encoding': 'gzip' } });
      expect([200, 404]).toContain(response.status);
      before.set(path, { headers: comparable(response), body: await response.text() });
    }
    const filled = harness.fake.dataCalls().length;
    expect(filled).toBe(PATHS.length);
    await harness.stopRelay(); // closes the tier: every queued write is in the file

    clock.advance(100_000);
    const second = await harness.start(env, clock.now);
    for (const path of PATHS) {
      const response = await second.get(path, { headers: { 'accept-encoding': 'gzip' } });
      expect(response.headers.get('x-cache'), path).toBe('HIT');
      expect(Number(response.headers.get('age')), path).toBeGreaterThanOrEqual(100);
      expect(comparable(response), path).toEqual(before.get(path)!.headers);
      expect(await response.text(), path).toBe(before.get(path)!.body);
    }
    expect(harness.fake.requests).toHaveLength(0); // not even a TVDB login
    const stats = second.relay!.stats();
    expect(stats.cache_store).toMatchObject({ kind: 'sqlite', breaker: 'closed' });
    expect(stats.cache_store?.hits).toBe(PATHS.length);
    expect(stats.cache.hits).toBe(PATHS.length);
    const health = (await (await second.get('/health')).json()) as { status: string; cache_store: unknown };
    expect(health).toMatchObject({ status: 'ok', cache_store: { kind: 'sqlite', state: 'up' } });
  });

  test('an entry promoted from the file keeps its own freshness: stale there is stale here', async () => {
    const file = join(dir, 'freshness.db');
    const clock = new TestClock();
    const env = { CACHE_STORE: `sqlite:${file}`, CACHE_TTL_DETAILS: '1h/1d' };
    await harness.start(env, clock.now);
    expect((await harness.relay!.get('/tmdb/movies/551')).status).toBe(200);
    await harness.stopRelay();
    clock.advance(2 * 3_600_000);
    const second = await harness.start(env, clock.now);
    const response = await second.get('/tmdb/movies/551');
    expect(response.headers.get('x-cache')).toBe('STALE');
    expect(Number(response.headers.get('age'))).toBeGreaterThanOrEqual(7_200);
    // The stale answer starts one background refresh.
    const deadline = Date.now() + 2_000;
    while (harness.fake.dataCalls('tmdb').length < 1 && Date.now() < deadline) await Bun.sleep(5);
    expect(harness.fake.dataCalls('tmdb')).toHaveLength(1);
  });

  test('garbage rows under our keys are ignored, counted and fetched again', async () => {
    const file = join(dir, 'garbage.db');
    const env = { CACHE_STORE: `sqlite:${file}` };
    await harness.start(env);
    for (const id of [552, 553, 554, 555]) expect((await harness.relay!.get(`/tmdb/movies/${id}`)).status).toBe(200);
    await harness.stopRelay();
    const db = new Database(file);
    // Random bytes; a truncated value; a valid value written under another key.
    db.query("UPDATE entries SET value = randomblob(200) WHERE key = 'tmdb:/movie/552'").run();
    db.query("UPDATE entries SET value = substr(value, 1, length(value) - 10) WHERE key = 'tmdb:/movie/553'").run();
    db.query("UPDATE entries SET value = (SELECT value FROM entries WHERE key = 'tmdb:/movie/555') WHERE key = 'tmdb:/movie/554'").run();
    db.close();
    const second = await harness.start(env);
    for (const id of [552, 553, 554]) {
      const response = await second.get(`/tmdb/movies/${id}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('x-cache')).toBe('MISS');
      expect(JSON.parse(await response.text())).toMatchObject({ id });
    }
    expect(harness.fake.dataCalls('tmdb')).toHaveLength(3);
    expect(second.relay!.stats().cache_store?.corrupt).toBe(3);
  });
});

describe('SQLite file bound (CACHE_STORE_MAX_BYTES)', () => {
  test('filling 4x past the bound keeps the file (database and WAL) under it', () => {
    const file = join(dir, 'bound.db');
    const maxBytes = 16 * 1024 * 1024;
    let now = 1_800_000_000_000;
    const tier = new SqliteTier({ path: file, maxBytes, now: () => now, flushIntervalMs: 1_000_000 });
    const noise = new Uint8Array(32 * 1024);
    let written = 0;
    let peak = 0;
    const size = () => statSync(file).size + (existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0);
    for (let i = 0; written < 4 * maxBytes; i++) {
      crypto.getRandomValues(noise);
      const origin: Origin = { upstream: 'tmdb', path: `/movie/${i}`, query: '', family: 'details', settles: false, records: [`tmdb:movie:${i}`] };
      // Random bytes do not compress: each stored body is about 32 KiB.
      const entry = createEntry({ status: 200, contentType: 'application/json', body: noise }, { freshMs: 3_600_000, staleMs: 86_400_000 }, now, 1, origin, origin.records);
      tier.set(`tmdb:/movie/${i}`, entry);
      written += entry.gzipBody.byteLength;
      if (i % 50 === 49) {
        tier.flush();
        peak = Math.max(peak, size());
      }
      now += 10;
    }
    tier.flush();
    peak = Math.max(peak, size());
    console.log(`sqlite bound ${maxBytes} B: wrote ${written} B, file peak ${peak} B, values kept ${tier.storedBytes} B, ${tier.evictions} evictions`);
    expect(peak).toBeLessThanOrEqual(maxBytes);
    expect(tier.storedBytes).toBeLessThanOrEqual(maxBytes * 0.8);
    expect(tier.evictions).toBeGreaterThan(0);
    // The newest entries are the ones kept (least recently used went first), with their records.
    expect(tier.get('tmdb:/movie/0')).toBeUndefined();
    const last = Math.floor(written / (33 * 1024)) - 2;
    expect(tier.keysOf(`tmdb:movie:${last}`).length + (tier.get(`tmdb:/movie/${last}`) ? 0 : 1)).toBeGreaterThanOrEqual(1);
    tier.close();
  });

  test('rows past their stale window are removed, never answered', () => {
    const file = join(dir, 'expired.db');
    let now = 1_800_000_000_000;
    const tier = new SqliteTier({ path: file, maxBytes: 16 * 1024 * 1024, now: () => now });
    const origin: Origin = { upstream: 'tmdb', path: '/movie/1', query: '', family: 'details', settles: false, records: [] };
    tier.set('tmdb:/movie/1', createEntry({ status: 200, contentType: 'application/json', body: new TextEncoder().encode('{}') as Uint8Array<ArrayBuffer> }, { freshMs: 1_000, staleMs: 1_000 }, now, 1, origin, []));
    tier.flush();
    expect(tier.get('tmdb:/movie/1')).toBeDefined();
    now += 2_001;
    expect(tier.get('tmdb:/movie/1')).toBeUndefined();
    now += 61_000;
    tier.flush(); // the sweep runs at most once a minute
    expect(tier.entries).toBe(0);
    tier.close();
  });
});
