/**
 * Hostile upstream bodies: too large on the wire (declared or streamed), too large once decoded (a
 * gzip bomb), and bodies that do not decode. Each is a clear 502, nothing is stored, and none of them
 * counts as an outage for the breaker (the upstream did answer).
 */
import { describe, expect, test } from 'bun:test';
import { useRelayHarness } from '../support/harness.ts';

const harness = useRelayHarness({ LOG_LEVEL: 'warn', UPSTREAM_MAX_BODY_BYTES: '1MiB', BREAKER_THRESHOLD: '1' });
const JSON_TYPE = { 'content-type': 'application/json;charset=utf-8' };

/** A valid JSON document of about `bytes`, streamed in 64 KiB chunks with no Content-Length. */
function streamedJson(bytes: number): () => ReadableStream<Uint8Array> {
  return () => {
    let sent = 0;
    const chunk = new TextEncoder().encode(`"${'x'.repeat(65_530)}",`);
    return new ReadableStream({
      pull(controller) {
        if (sent === 0) controller.enqueue(new TextEncoder().encode('['));
        if (sent >= bytes) {
          controller.enqueue(new TextEncoder().encode('0]'));
          controller.close();
          return;
        }
        controller.enqueue(chunk);
        sent += chunk.byteLength;
      },
    });
  };
}

async function expectTooLarge(path: string) {
  const r = harness.relay!;
  const response = await r.get(path);
  expect(response.status).toBe(502);
  expect(await response.json()).toMatchObject({ error: 'Upstream answer too large', upstream: 'tmdb' });
}

describe('upstream body bounds (UPSTREAM_MAX_BODY_BYTES)', () => {
  test('a streamed body past the bound is cut off: 502, nothing stored, the next request asks again', async () => {
    await harness.start();
    harness.fake.addFault({ upstream: 'tmdb', pathPrefix: '/3/movie/8100', times: 1, fault: { kind: 'raw', headers: JSON_TYPE, body: streamedJson(8 * 1024 * 1024) } });
    await expectTooLarge('/tmdb/movies/8100');
    const again = await harness.relay!.get('/tmdb/movies/8100');
    expect(again.status).toBe(200);
    expect(again.headers.get('x-cache')).toBe('MISS');
    expect(harness.fake.dataCalls('tmdb')).toHaveLength(2);
  });

  test('a declared Content-Length past the bound is refused before the body is read', async () => {
    await harness.start();
    const body = new Uint8Array(2 * 1024 * 1024).fill(0x20);
    harness.fake.addFault({ upstream: 'tmdb', pathPrefix: '/3/movie/8101', times: 1, fault: { kind: 'raw', headers: { ...JSON_TYPE, 'content-length': String(body.byteLength) }, body } });
    await expectTooLarge('/tmdb/movies/8101');
  });

  test('a gzip bomb (small on the wire, huge decoded) stops at the bound', async () => {
    await harness.start();
    const bomb = Bun.gzipSync(new Uint8Array(64 * 1024 * 1024).fill(0x20), { level: 9 });
    expect(bomb.byteLength).toBeLessThan(1024 * 1024);
    harness.fake.addFault({ upstream: 'tmdb', pathPrefix: '/3/movie/8102', times: 1, fault: { kind: 'raw', headers: { ...JSON_TYPE, 'content-encoding': 'gzip' }, body: bomb } });
    const before = process.memoryUsage().rss;
    await expectTooLarge('/tmdb/movies/8102');
    // Nothing near the decoded 64 MiB was ever held (the test runs in the relay's process).
    expect(process.memoryUsage().rss - before).toBeLessThan(48 * 1024 * 1024);
  });

  test('a body under the bound passes, gzip or not', async () => {
    await harness.start();
    const json = JSON.stringify({ id: 8103, padding: 'y'.repeat(900_000) });
    harness.fake.addFault({ upstream: 'tmdb', pathPrefix: '/3/movie/8103', times: 1, fault: { kind: 'raw', headers: { ...JSON_TYPE, 'content-encoding': 'gzip' }, body: Bun.gzipSync(new TextEncoder().encode(json)) } });
    const response = await harness.relay!.get('/tmdb/movies/8103');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(json);
  });
});

describe('bodies that do not decode', () => {
  for (const [name, body] of [
    ['invalid gzip', new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3, 4, 5, 6, 7, 8])],
    ['truncated gzip', Bun.gzipSync(new TextEncoder().encode(JSON.stringify({ id: 1, text: 'z'.repeat(10_000) }))).slice(0, 40)],
  ] as const) {
    test(`${name}: 502 with its own error, not an outage (the breaker stays closed)`, async () => {
      await harness.start();
      harness.fake.addFault({ upstream: 'tmdb', pathPrefix: '/3/movie/8200', times: 1, fault: { kind: 'raw', headers: { ...JSON_TYPE, 'content-encoding': 'gzip' }, body } });
      const response = await harness.relay!.get('/tmdb/movies/8200');
      expect(response.status).toBe(502);
      expect(await response.json()).toEqual({ error: 'Upstream answer could not be decoded', upstream: 'tmdb' });
      // BREAKER_THRESHOLD=1: had this counted as a failure, the next call would be refused with 503.
      expect((await harness.relay!.get('/tmdb/movies/8201')).status).toBe(200);
      expect(harness.relay!.logs.every((line) => line.startsWith('{'))).toBe(true);
    });
  }

  test('an encoding the relay did not ask for is refused, not passed on', async () => {
    await harness.start();
    harness.fake.addFault({ upstream: 'tmdb', pathPrefix: '/3/movie/8300', times: 1, fault: { kind: 'raw', headers: { ...JSON_TYPE, 'content-encoding': 'br' }, body: new Uint8Array([1, 2, 3]) } });
    const response = await harness.relay!.get('/tmdb/movies/8300');
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ error: 'Upstream answer could not be decoded', upstream: 'tmdb' });
  });
});

describe('framing that lies', () => {
  test('Content-Length beside chunked framing: the bound still holds (the chunked body is what is read)', async () => {
    await harness.start();
    harness.fake.addFault({
      upstream: 'tmdb',
      pathPrefix: '/3/movie/8600',
      times: 1,
      fault: { kind: 'raw', headers: { ...JSON_TYPE, 'content-length': '10', 'transfer-encoding': 'chunked' }, body: streamedJson(3 * 1024 * 1024) },
    });
    const response = await harness.relay!.get('/tmdb/movies/8600');
    expect(response.status).toBe(502);
    expect((await harness.relay!.get('/stats').then((r) => r.json()) as { cache: { size: number } }).cache.size).toBe(0);
  });

  test('a gzip body of two members is decoded whole for identity clients (not kept as it came)', async () => {
    await harness.start();
    const first = Bun.gzipSync(new TextEncoder().encode('{"id":8700,"title":"Two'));
    const second = Bun.gzipSync(new TextEncoder().encode(' Members"}'));
    const body = new Uint8Array([...first, ...second]);
    harness.fake.addFault({ upstream: 'tmdb', pathPrefix: '/3/movie/8700', times: 1, fault: { kind: 'raw', headers: { ...JSON_TYPE, 'content-encoding': 'gzip' }, body } });
    expect(await (await harness.relay!.get('/tmdb/movies/8700', { headers: { 'accept-encoding': 'gzip' } })).json()).toEqual({ id: 8700, title: 'Two Members' });
    expect(await (await harness.relay!.get('/tmdb/movies/8700', { headers: { 'accept-encoding': 'identity' } })).text()).toBe('{"id":8700,"title":"Two Members"}');
  });

  test('an empty gzip member before the body does not cut identity answers short either', async () => {
    await harness.start();
    const body = new Uint8Array([...Bun.gzipSync(new Uint8Array(0)), ...Bun.gzipSync(new TextEncoder().encode('{"id":8701}'))]);
    harness.fake.addFault({ upstream: 'tmdb', pathPrefix: '/3/movie/8701', times: 1, fault: { kind: 'raw', headers: { ...JSON_TYPE, 'content-encoding': 'gzip' }, body } });
    expect(await (await harness.relay!.get('/tmdb/movies/8701', { headers: { 'accept-encoding': 'gzip' } })).json()).toEqual({ id: 8701 });
    expect(await (await harness.relay!.get('/tmdb/movies/8701', { headers: { 'accept-encoding': 'identity' } })).text()).toBe('{"id":8701}');
  });

  test('so does an empty member with a file name and blocks zlib would not write', async () => {
    await harness.start();
    // FLG = FNAME ("x"), then a non-final empty fixed block, a final empty fixed block, CRC 0, ISIZE 0.
    const emptyMember = [0x1f, 0x8b, 0x08, 0x08, 0, 0, 0, 0, 0, 0xff, 0x78, 0x00, 0x02, 0x0c, 0x00, 0, 0, 0, 0, 0, 0, 0, 0];
    const body = new Uint8Array([...emptyMember, ...Bun.gzipSync(new TextEncoder().encode('{"id":8702}'))]);
    harness.fake.addFault({ upstream: 'tmdb', pathPrefix: '/3/movie/8702', times: 1, fault: { kind: 'raw', headers: { ...JSON_TYPE, 'content-encoding': 'gzip' }, body } });
    expect(await (await harness.relay!.get('/tmdb/movies/8702', { headers: { 'accept-encoding': 'gzip' } })).json()).toEqual({ id: 8702 });
    expect(await (await harness.relay!.get('/tmdb/movies/8702', { headers: { 'accept-encoding': 'identity' } })).text()).toBe('{"id":8702}');
  });
});

describe('upstream redirects', () => {
  for (const status of [301, 302, 307, 308]) {
    test(`a ${status} is followed by nobody: 502 "TMDB answered a redirect", no Location, nothing cached, counted`, async () => {
      await harness.start();
      harness.fake.addFault({
        upstream: 'tmdb',
        pathPrefix: '/3/movie/8400',
        times: 1,
        fault: { kind: 'status', status, body: '', headers: { location: 'http://elsewhere.invalid/steal?api_key=x' } },
      });
      const r = harness.relay!;
      const response = await r.get('/tmdb/movies/8400');
      expect(response.status).toBe(502);
      expect(response.headers.get('location')).toBeNull();
      expect(await response.json()).toEqual({ error: 'TMDB answered a redirect', upstream: 'tmdb' });
      // Not cached: the next call asks again and gets the real answer.
      const again = await r.get('/tmdb/movies/8400');
      expect(again.status).toBe(200);
      expect(again.headers.get('x-cache')).toBe('MISS');
      expect(harness.fake.dataCalls('tmdb').map((c) => c.path)).toEqual(['/3/movie/8400', '/3/movie/8400']);
      const stats = (await (await r.get('/stats')).json()) as { upstreams: { tmdb: { outcomes: Record<string, number> } } };
      expect(stats.upstreams.tmdb.outcomes['3xx']).toBe(1);
    });
  }

  test('TVDB redirects the same way on its surface, in TVDB\'s error shape', async () => {
    await harness.start();
    harness.fake.addFault({ upstream: 'tvdb', pathPrefix: '/v4/series/8500', times: 1, fault: { kind: 'status', status: 302, headers: { location: '/v4/series/1' } } });
    const response = await harness.relay!.get('/v4/series/8500');
    expect(response.status).toBe(502);
    expect(response.headers.get('location')).toBeNull();
    const body = (await response.json()) as Record<string, unknown>;
    expect(JSON.stringify(body)).toContain('TVDB answered a redirect');
  });
});
