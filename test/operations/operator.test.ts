/**
 * The operator's view, as an operator meets it: the compiled binary run as a process (its exit code,
 * its stderr, its log), in front of the fake upstream. Events are logged once per change of state,
 * not once per request; a start that cannot go on says why in one line and exits 2; the command line
 * refuses what it does not know.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VARIABLES } from '../../src/config/variables.ts';
import { startFakeUpstream, type FakeUpstream } from '../support/fake-upstream.ts';
import { freePort } from '../support/ports.ts';
import { startRedisServer, type RedisServer } from '../support/redis-server.ts';
import { ensureBinary, startRelay, type RelayUnderTest } from '../support/relay.ts';

let fake: FakeUpstream;
let binary: string;
const running: RelayUnderTest[] = [];
const dir = mkdtempSync(join(tmpdir(), 'relay-operator-'));

beforeAll(async () => {
  fake = await startFakeUpstream();
  binary = await ensureBinary();
});
afterEach(async () => {
  for (const relay of running.splice(0)) await relay.stop().catch(() => {});
  fake.reset();
});
afterAll(async () => {
  await fake.stop();
  rmSync(dir, { recursive: true, force: true });
});

function upstreamEnv(): Record<string, string> {
  return fake.relayEnv();
}

async function relay(env: Record<string, string>): Promise<RelayUnderTest> {
  const started = await startRelay('binary', { env: { ...upstreamEnv(), LOG_LEVEL: 'info', ...env } });
  running.push(started);
  return started;
}

/** Runs the binary to its end (or kills it after `timeoutMs`). */
async function run(args: string[], env: Record<string, string> = {}, timeoutMs = 5_000) {
  const child = Bun.spawn([binary, ...args], { cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', CHANGES_POLL_INTERVAL: '0', ...env }, stdout: 'pipe', stderr: 'pipe' });
  const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  clearTimeout(timer);
  return { code, stdout, stderr };
}

const lines = (r: RelayUnderTest) =>
  r.logs.flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
const count = (r: RelayUnderTest, text: string) => lines(r).filter((l) => String(l.msg).includes(text)).length;

async function settle(): Promise<void> {
  await Bun.sleep(250); // the log is written in batches every 100 ms
}

describe('command line', () => {
  test('--help lists every variable with its default', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    for (const variable of VARIABLES) expect(stdout).toContain(variable.name);
    expect(stdout).toContain('--port');
    expect(stdout).toMatch(/CACHE_MAX_BYTES\s+256MiB/);
  });

  test('an unknown flag is refused with one line and exit 2', async () => {
    const { code, stderr } = await run(['--prot', '5000']);
    expect(code).toBe(2);
    expect(stderr.trim()).toBe('metadata-relay: unknown option "--prot" (see --help)');
  });

  test('--port is honoured', async () => {
    const port = await freePort();
    const child = Bun.spawn([binary, '--port', String(port), '--host', '127.0.0.1'], { cwd: dir, env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', CHANGES_POLL_INTERVAL: '0' }, stdout: 'pipe', stderr: 'pipe' });
    try {
      let ok = false;
      for (let i = 0; i < 100 && !ok; i++) {
        ok = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false);
        if (!ok) await Bun.sleep(30);
      }
      expect(ok).toBe(true);
    } finally {
      child.kill('SIGTERM');
      await child.exited;
    }
  });

  test('--env-file is read, and the environment wins over it', async () => {
    const file = join(dir, 'relay.env');
    writeFileSync(file, '# comment\nexport PORT=1\nCACHE_MAX_BYTES="64M"\nLOG_LEVEL=warn\n');
    const { code, stderr } = await run(['--env-file', file, '--healthcheck'], { PORT: '9' });
    expect(code).toBe(1); // nothing listens on 9, and the file's PORT=1 was overruled (1 would be refused)
    expect(stderr).toBe('');
    const broken = join(dir, 'broken.env');
    writeFileSync(broken, 'this is not a variable\n');
    const refused = await run(['--env-file', broken]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('line 1 is not KEY=VALUE');
  });
});

describe('a start that cannot go on: one line, exit 2', () => {
  const oneLine = (stderr: string) => stderr.trim().split('\n');

  test('a port in use', async () => {
    const occupied = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response('') });
    try {
      const { code, stderr } = await run([], { PORT: String(occupied.port), HOST: '127.0.0.1' });
      expect(code).toBe(2);
      expect(oneLine(stderr)).toEqual([`metadata-relay: cannot listen on 127.0.0.1:${occupied.port}: the port is in use (another relay?)`]);
    } finally {
      await occupied.stop(true);
    }
  });

  test('a HOST that is no address of this machine', async () => {
    const { code, stderr } = await run([], { HOST: 'notahost', PORT: '0' });
    expect(code).toBe(2);
    expect(oneLine(stderr)).toEqual(['metadata-relay: cannot listen on HOST=notahost: no such address on this machine (use an IP address such as 0.0.0.0 or ::)']);
  });

  test('a SQLite file that cannot be created', async () => {
    const { code, stderr } = await run([], { CACHE_STORE: 'sqlite:/proc/no-such-dir/cache.db', PORT: '0' });
    expect(code).toBe(2);
    expect(oneLine(stderr)).toHaveLength(1);
    expect(stderr).toStartWith('metadata-relay: cannot start (CACHE_STORE sqlite:/proc/no-such-dir/cache.db):');
  });

  test('a TTL without a unit names the unit, not a minimum', async () => {
    const { code, stderr } = await run([], { CACHE_TTL_DETAILS: '86400/2592000' });
    expect(code).toBe(2);
    expect(stderr).toContain('CACHE_TTL_DETAILS: "86400/2592000" has no unit; durations need one: 86400s');
    expect(stderr).not.toContain('    at '); // no stack trace
  });
});

describe('the start banner', () => {
  test('one structured line at info, with what the relay is set up as; never a secret', async () => {
    const r = await relay({ RELAY_ACCESS_KEYS: 'access-key-0123456789abcdef', CACHE_MAX_BYTES: '64MiB' });
    const banner = lines(r).find((l) => l.msg === 'listening') as Record<string, unknown>;
    expect(banner).toMatchObject({
      level: 'notice',
      upstreams: { tmdb: 'api key', tvdb: 'api key' },
      cache_max_bytes: 64 * 1024 * 1024,
      second_tier: 'none',
      access_keys: 'on (1)',
      change_feeds: 'off',
    });
    expect(typeof banner.port).toBe('number');
    const everything = r.logs.join('\n');
    for (const secret of [fake.options.tmdbApiKey, fake.options.tvdbApiKey, 'access-key-0123456789abcdef']) expect(everything).not.toContain(secret);
  });

  test('even at LOG_LEVEL=warn the banner says where the relay listens', async () => {
    const r = await relay({ LOG_LEVEL: 'warn' });
    expect(lines(r).filter((l) => l.msg === 'listening')).toHaveLength(1);
    expect(lines(r).some((l) => l.msg === 'request')).toBe(false);
  });

  test('a variable that looks like ours but is not gets a warning with the closest name', async () => {
    const r = await relay({ CACHE_TTL_DETAIL: '1h', TMDB_KEY: 'x' });
    await settle();
    const warnings = lines(r).filter((l) => String(l.msg).includes('looks like one of the relay'));
    expect(warnings.map((w) => [w.variable, w.did_you_mean])).toEqual([
      ['CACHE_TTL_DETAIL', 'CACHE_TTL_DETAILS'],
      ['TMDB_KEY', 'TMDB_API_KEY'],
    ]);
  });
});

describe('operational events: once per change of state, not once per request', () => {
  test('the relay\'s own credentials refused: one error line, and every 502 line says why', async () => {
    const r = await relay({ TMDB_API_KEY: 'not-the-fake-key' });
    for (let i = 0; i < 15; i++) expect((await r.get(`/tmdb/movies/${800 + i}`)).status).toBe(502);
    await settle();
    expect(count(r, "TMDB refused the relay's credentials")).toBe(1);
    const requestLines = lines(r).filter((l) => l.msg === 'request' && l.status === 502);
    expect(requestLines).toHaveLength(15);
    expect(requestLines.every((l) => l.reason === 'auth_rejected')).toBe(true);
  });

  test('the breaker: opened, half-open and closed, each logged once', async () => {
    const r = await relay({ BREAKER_THRESHOLD: '2', BREAKER_COOLDOWN: '1s' });
    fake.addFault({ upstream: 'tmdb', fault: { kind: 'status', status: 500 } });
    for (let i = 0; i < 12; i++) await r.get(`/tmdb/movies/${820 + i}`);
    await Bun.sleep(1_100);
    fake.clearFaults();
    expect((await r.get('/tmdb/movies/840')).status).toBe(200);
    for (let i = 0; i < 5; i++) await r.get(`/tmdb/movies/${841 + i}`);
    await settle();
    expect(count(r, 'circuit breaker opened')).toBe(1);
    expect(count(r, 'circuit breaker half-open')).toBe(1);
    expect(count(r, 'circuit breaker closed')).toBe(1);
    const opened = lines(r).find((l) => String(l.msg).includes('circuit breaker opened'));
    expect(opened).toMatchObject({ level: 'warn', upstream: 'tmdb', state: 'open' });
    expect(lines(r).filter((l) => l.msg === 'request' && l.status === 503).every((l) => l.reason === 'unavailable')).toBe(true);
  });

  test('a 429 pause: started once with its length, ended once', async () => {
    const r = await relay({});
    fake.addFault({ upstream: 'tmdb', times: 1, fault: { kind: 'rate-limit', retryAfter: '1' } });
    for (let i = 0; i < 10; i++) await r.get(`/tmdb/movies/${850 + i}`);
    await Bun.sleep(1_200);
    await settle();
    expect(lines(r).filter((l) => String(l.msg).includes('upstream answered 429'))).toEqual([expect.objectContaining({ upstream: 'tmdb', pause_ms: 1000 })]);
    expect(count(r, 'upstream pause over')).toBe(1);
  });

  test('TVDB login failing: one line while it backs off, however many requests wait', async () => {
    const r = await relay({});
    fake.addFault({ upstream: 'tvdb', pathPrefix: '/v4/login', fault: { kind: 'status', status: 500 } });
    for (let i = 0; i < 10; i++) expect((await r.get(`/tvdb/series/${90 + i}`)).status).toBeGreaterThanOrEqual(500);
    await settle();
    expect(count(r, 'TVDB login failed; backing off')).toBe(1);
  });

  test('stale answers while the upstream fails: one line when they begin', async () => {
    const r = await relay({ CACHE_TTL_DETAILS: '1s/1d' });
    expect((await r.get('/tmdb/movies/870')).status).toBe(200);
    await Bun.sleep(1_100);
    fake.addFault({ upstream: 'tmdb', fault: { kind: 'status', status: 503 } });
    for (let i = 0; i < 30; i++) {
      expect((await r.get('/tmdb/movies/870')).headers.get('x-cache')).toBe('STALE');
      await Bun.sleep(2);
    }
    await settle();
    expect(count(r, 'answering stale copies while the upstream fails')).toBe(1);
  });

  test('the Redis tier going down and coming back: one line each', async () => {
    const redis: RedisServer = await startRedisServer();
    try {
      const r = await relay({ CACHE_STORE: redis.url });
      await r.get('/tmdb/movies/880');
      await redis.kill();
      for (let i = 0; i < 20; i++) expect((await r.get(`/tmdb/movies/${881 + i}`)).status).toBe(200);
      await Bun.sleep(2_500);
      await redis.restart();
      const deadline = Date.now() + 8_000;
      while (count(r, 'second cache tier reachable again') === 0 && Date.now() < deadline) await Bun.sleep(100);
      await settle();
      expect(count(r, 'second cache tier unreachable')).toBe(1);
      expect(count(r, 'second cache tier reachable again')).toBe(1);
    } finally {
      await redis.stop();
    }
  });
});

describe('docs, methods and numbers that tell the truth', () => {
  test('/swagger/ sends the UI home; with access keys the document says how to authorize', async () => {
    const r = await relay({ RELAY_ACCESS_KEYS: 'access-key-0123456789abcdef' });
    const slash = await r.get('/swagger/', { redirect: 'manual' });
    expect(slash.status).toBe(308);
    expect(slash.headers.get('location')).toBe('/swagger');
    const doc = (await (await r.get('/swagger/json')).json()) as {
      components?: { securitySchemes?: Record<string, unknown> };
      paths: Record<string, { get?: { responses?: Record<string, { content?: Record<string, { example?: { id?: number } }> }> } }>;
    };
    expect(Object.keys(doc.components?.securitySchemes ?? {}).sort()).toEqual(['apiKey', 'bearer', 'relayKey']);
    expect(doc.paths['/tmdb/movies/{id}']?.get?.responses?.['200']?.content?.['application/json']?.example?.id).toBe(550);
    expect(doc.paths['/3/movie/{movie_id}']?.get?.responses?.['200']?.content?.['application/json']?.example?.id).toBe(550);
  });

  test('other methods on the service routes are 405 with Allow; an unknown path points to the docs', async () => {
    const r = await relay({});
    for (const [method, path] of [['POST', '/health'], ['DELETE', '/stats'], ['PUT', '/swagger'], ['POST', '/metrics']] as const) {
      const response = await r.get(path, { method });
      expect(response.status, `${method} ${path}`).toBe(405);
      expect(response.headers.get('allow')).toBe('GET, HEAD');
    }
    for (const path of ['/', '/tmdb/movei/550']) {
      const response = await r.get(path);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ error: 'Not found', docs: '/swagger' });
    }
    for (const path of ['/health', '/stats', '/nope']) expect((await r.get(path)).headers.get('content-type')).toBe('application/json; charset=utf-8');
  });

  test('/stats and /metrics memory figures are what the OS reports', async () => {
    const r = await relay({});
    const stats = (await (await r.get('/stats')).json()) as { process: { rss_bytes: number; heap_used_bytes: number; heap_total_bytes: number } };
    const statm = await Bun.file(`/proc/${r.pid}/statm`).text();
    const osRss = Number(statm.split(' ')[1]) * 4096;
    expect(osRss).toBeGreaterThan(0);
    expect(stats.process.heap_used_bytes).toBeLessThanOrEqual(stats.process.heap_total_bytes);
    expect(Math.abs(stats.process.rss_bytes - osRss) / osRss).toBeLessThan(0.25);
    const metrics = await (await r.get('/metrics')).text();
    const rss = Number(/^process_resident_memory_bytes (\d+)/m.exec(metrics)?.[1]);
    expect(Math.abs(rss - stats.process.rss_bytes) / stats.process.rss_bytes).toBeLessThan(0.25);
    expect(metrics).not.toContain('process_heap_bytes');
    expect(metrics).toMatch(/^relay_js_heap_bytes\{state="used"\} \d+/m);
  });
});

describe('bun run demo', () => {
  test('exits non-zero when its relay cannot start', async () => {
    const occupied = Bun.serve({ port: 0, fetch: () => new Response('') });
    try {
      const child = Bun.spawn(['bun', 'scripts/demo.ts'], { cwd: join(import.meta.dir, '..', '..'), env: { ...process.env, PORT: String(occupied.port) }, stdout: 'pipe', stderr: 'pipe' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await child.exited;
      clearTimeout(timer);
      expect(code).toBe(2);
      expect(await new Response(child.stderr).text()).toContain('the port is in use');
    } finally {
      await occupied.stop(true);
    }
  });
});
