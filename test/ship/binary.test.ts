/**
 * Proves the shipped artefact, not the sources: builds `dist/metadata-relay` with the package's own
 * build script, copies it ALONE into an empty directory and runs it there with an almost empty
 * environment. That is what the distroless image does (no node_modules, no sources, no HOME, no
 * keys), so whatever passes here works in the container too, minus the kernel and glibc versions.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Server, Subprocess } from 'bun';
import { chmodSync, copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import pkg from '../../package.json' with { type: 'json' };
import { DEFAULTS } from '../../src/config.ts';

const REPO_ROOT = join(import.meta.dir, '..', '..');
const BUILT_BINARY = join(REPO_ROOT, 'dist', 'metadata-relay');
/** Only PATH survives: no HOME, no keys, nothing the host shell happens to export. */
const BASE_ENV = { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin' };

/**
 * Shared objects the binary may load. All of them ship with glibc (libc6 in Debian), which
 * distroless/base-nossl provides; anything else (libgcc_s, libstdc++, libssl, libz) would be missing
 * in the image.
 */
const GLIBC_LIBRARIES = new Set([
  'linux-vdso.so.1',
  'linux-gate.so.1',
  'libc.so.6',
  'libm.so.6',
  'libpthread.so.0',
  'libdl.so.2',
  'librt.so.1',
  'ld-linux-x86-64.so.2',
  'ld-linux-aarch64.so.1',
]);

type LogLine = Readonly<Record<string, unknown>>;

// ---------------------------------------------------------------------------------------------
// Process helpers
// ---------------------------------------------------------------------------------------------

/** Every process this file starts, so afterAll can make sure none outlives the tests. */
const spawned = new Set<Subprocess>();

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: Timer | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs a short command to completion: exit code and its output. */
async function run(cmd: string[], options: { cwd: string; env: Record<string, string> }): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn(cmd, { ...options, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' });
  spawned.add(proc);
  const [stdout, stderr, code] = await withTimeout(
    Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]),
    60_000,
    cmd.join(' '),
  );
  return { code, stdout, stderr };
}

/** A running relay: its process and every JSON log line it has printed so far. */
class Relay {
  readonly logs: LogLine[] = [];
  stdout = '';
  stderr = '';
  private constructor(readonly proc: Subprocess<'ignore', 'pipe', 'pipe'>) {
    void this.collect();
  }

  static start(binary: string, cwd: string, env: Record<string, string>): Relay {
    const proc = Bun.spawn([binary], { cwd, env: { ...BASE_ENV, ...env }, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' });
    spawned.add(proc);
    return new Relay(proc);
  }

  private async collect(): Promise<void> {
    const stderr = new Response(this.proc.stderr).text().then((text) => {
      this.stderr = text;
    });
    const decoder = new TextDecoder();
    let partial = '';
    for await (const chunk of this.proc.stdout) {
      const text = decoder.decode(chunk, { stream: true });
      this.stdout += text;
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) this.logs.push(parseLogLine(line));
    }
    if (partial.trim() !== '') this.logs.push(parseLogLine(partial));
    await stderr;
  }

  /** Resolves with the first log line matching, failing early if the process exits first. */
  async waitForLog(predicate: (line: LogLine) => boolean, timeoutMs = 5000): Promise<LogLine> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const found = this.logs.find(predicate);
      if (found) return found;
      if (this.proc.exitCode !== null || this.proc.signalCode !== null) throw new Error(`relay exited (${this.proc.exitCode ?? this.proc.signalCode}) first; stdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
      if (performance.now() > deadline) throw new Error(`no matching log line within ${timeoutMs} ms; stdout:\n${this.stdout}`);
      await Bun.sleep(5);
    }
  }

  /** The port from the `listening` line (PORT=0 lets the kernel pick one). */
  async port(): Promise<number> {
    const line = await this.waitForLog((l) => l.msg === 'listening');
    if (typeof line.port !== 'number') throw new Error(`listening line without a numeric port: ${JSON.stringify(line)}`);
    return line.port;
  }
}

function parseLogLine(line: string): LogLine {
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as LogLine;
  } catch {
    // not JSON: keep it visible for failure messages
  }
  return { raw: line };
}

/** A TCP port nothing listens on: bind one, note it, release it. */
function unusedPort(): number {
  const listener = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } });
  const { port } = listener;
  listener.stop(true);
  return port;
}

/**
 * Opens a brand-new TCP connection (never a pooled keep-alive one, unlike fetch) and sends one
 * request. Says whether the connection was refused, closed without an answer, or answered.
 */
function probeNewConnection(port: number): Promise<string> {
  return new Promise((resolve) => {
    let received = '';
    const timer = setTimeout(() => resolve('accepted, no answer within 2 s'), 2000);
    const finish = (outcome: string) => {
      clearTimeout(timer);
      resolve(outcome);
    };
    Bun.connect({
      hostname: '127.0.0.1',
      port,
      socket: {
        open(socket) {
          socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
        },
        data(_socket, data) {
          received += new TextDecoder().decode(data);
        },
        close() {
          finish(received === '' ? 'closed' : `answered: ${received.split('\r\n')[0]}`);
        },
        error() {
          finish(received === '' ? 'closed' : `answered: ${received.split('\r\n')[0]}`);
        },
        connectError() {
          finish('refused');
        },
      },
    }).catch(() => finish('refused'));
  });
}

// ---------------------------------------------------------------------------------------------
// Build once, copy alone into an empty directory
// ---------------------------------------------------------------------------------------------

let workDir = '';
let binary = '';

beforeAll(async () => {
  // Always rebuild (about 2 s): a stale dist/ would prove an old binary.
  const build = await run([process.execPath, 'run', 'build'], { cwd: REPO_ROOT, env: { ...BASE_ENV } });
  if (build.code !== 0) throw new Error(`bun run build failed (${build.code}):\n${build.stdout}\n${build.stderr}`);

  // Copied right away: other runs may rebuild dist/ while these tests still use the binary.
  workDir = mkdtempSync(join(tmpdir(), 'metadata-relay-ship-'));
  binary = join(workDir, basename(BUILT_BINARY));
  copyFileSync(BUILT_BINARY, binary);
  chmodSync(binary, 0o755);
}, 120_000);

afterAll(async () => {
  for (const proc of spawned) {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    await proc.exited;
  }
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// The artefact
// ---------------------------------------------------------------------------------------------

describe('compiled binary', () => {
  test('links only glibc libraries', async () => {
    const { code, stdout, stderr } = await run(['ldd', binary], { cwd: workDir, env: BASE_ENV });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).not.toContain('not found');
    const libraries = stdout
      .split('\n')
      .map((line) => line.trim().split(/\s+/)[0] ?? '')
      .filter((name) => name !== '')
      .map((name) => basename(name));
    console.log(`ldd ${basename(binary)}: ${libraries.join(', ')}`);
    expect(libraries).toContain('libc.so.6');
    expect(libraries.filter((name) => !GLIBC_LIBRARIES.has(name))).toEqual([]);
  });

  test('reports its size', () => {
    const { size, mode } = statSync(binary);
    console.log(`binary size: ${(size / 1e6).toFixed(1)} MB (${(size / 2 ** 20).toFixed(1)} MiB)`);
    expect(size).toBeGreaterThan(0);
    expect(mode & 0o111).not.toBe(0);
  });

  test('--version prints the package version', async () => {
    const { code, stdout } = await run([binary, '--version'], { cwd: workDir, env: BASE_ENV });
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(pkg.version);
  });

  test('--help exits 0 and documents the flags', async () => {
    const { code, stdout } = await run([binary, '--help'], { cwd: workDir, env: BASE_ENV });
    expect(code).toBe(0);
    expect(stdout).toContain('--healthcheck');
  });
});

describe('binary running alone, without credentials', () => {
  let relay: Relay;
  let base = '';
  let port = 0;

  beforeAll(async () => {
    const spawnedAt = performance.now();
    relay = Relay.start(binary, workDir, { PORT: '0', LOG_LEVEL: 'info' });
    port = await relay.port();
    base = `http://127.0.0.1:${port}`;
    // Cold start: spawn until the first 200 from /health, the moment a load balancer sees it live.
    for (;;) {
      const ok = await fetch(`${base}/health`).then((r) => r.status === 200, () => false);
      if (ok) break;
      if (performance.now() - spawnedAt > 10_000) throw new Error('/health never answered 200');
      await Bun.sleep(5);
    }
    const coldStartMs = performance.now() - spawnedAt;
    console.log(`cold start (spawn -> first 200 from /health): ${coldStartMs.toFixed(0)} ms`);
    expect(coldStartMs).toBeLessThan(5000);
  }, 30_000);

  test('GET /health answers ok with the package version', async () => {
    const response = await fetch(`${base}/health`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toMatchObject({ status: 'ok', version: pkg.version, upstreams_configured: { tmdb: false, tvdb: false } });
  });

  test('GET /swagger serves the UI with embedded assets, nothing from a CDN', async () => {
    const response = await fetch(`${base}/swagger`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const html = await response.text();
    expect(html).toContain('/swagger/assets/swagger-ui-bundle.js');
    const externalAssets = [...html.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*["']?(https?:\/\/[^"'\s>]+)/gi)].map((m) => m[1]);
    expect(externalAssets).toEqual([]);
  });

  test('GET /swagger/assets/* serves the embedded Swagger UI files', async () => {
    const script = await fetch(`${base}/swagger/assets/swagger-ui-bundle.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toContain('javascript');
    expect((await script.text()).length).toBeGreaterThan(100_000);

    const css = await fetch(`${base}/swagger/assets/swagger-ui.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toContain('text/css');
  });

  test('GET /swagger/json is the OpenAPI document with the proxied routes', async () => {
    const response = await fetch(`${base}/swagger/json`);
    expect(response.status).toBe(200);
    const spec = (await response.json()) as { openapi?: unknown; paths?: Record<string, unknown> };
    expect(spec.openapi).toBeString();
    const paths = Object.keys(spec.paths ?? {});
    expect(paths).toContain('/tmdb/movies/{id}');
    expect(paths).toContain('/tvdb/series/{id}');
  });

  test('upstream routes answer 503 naming the unconfigured upstream', async () => {
    const tmdb = await fetch(`${base}/tmdb/movies/550`);
    expect(tmdb.status).toBe(503);
    expect(await tmdb.json()).toEqual({ error: 'TMDB not configured' });

    const tvdb = await fetch(`${base}/tvdb/series/1`);
    expect(tvdb.status).toBe(503);
    expect(await tvdb.json()).toEqual({ error: 'TVDB not configured' });
  });

  test('the startup log says which upstreams are not configured', () => {
    for (const [upstream, variable] of [
      ['tmdb', 'TMDB_API_KEY'],
      ['tvdb', 'TVDB_API_KEY'],
    ] as const) {
      const warning = relay.logs.find((l) => l.level === 'warn' && l.upstream === upstream);
      expect(warning?.msg).toBeString();
      expect(String(warning?.msg)).toContain('not configured');
      expect(String(warning?.msg)).toContain(variable);
    }
    expect(relay.logs.filter((l) => l.level === 'error' || 'raw' in l)).toEqual([]);
  });

  test('--healthcheck exits 0 against the running relay and 1 where nothing listens', async () => {
    const live = await run([binary, '--healthcheck'], { cwd: workDir, env: { ...BASE_ENV, PORT: String(port) } });
    expect(live.code).toBe(0);
    const dead = await run([binary, '--healthcheck'], { cwd: workDir, env: { ...BASE_ENV, PORT: String(unusedPort()) } });
    expect(dead.code).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------
// Graceful shutdown
// ---------------------------------------------------------------------------------------------

describe('binary on SIGTERM', () => {
  const UPSTREAM_DELAY_MS = 300;
  const IN_FLIGHT = 40;
  const API_KEY = 'test-key-1234';
  let fakeTmdb: Server<undefined> | undefined;
  const upstreamHits: Array<{ id: string; apiKey: string | null }> = [];

  afterAll(async () => {
    await fakeTmdb?.stop(true);
  });

  test('drains every in-flight request, refuses new connections and exits 0', async () => {
    // A TMDB stand-in that holds each answer long enough for SIGTERM to land mid-request.
    fakeTmdb = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      async fetch(request) {
        const url = new URL(request.url);
        const id = /^\/3\/movie\/(\d+)$/.exec(url.pathname)?.[1];
        if (!id) return Response.json({ status_code: 34, status_message: 'not found' }, { status: 404 });
        upstreamHits.push({ id, apiKey: url.searchParams.get('api_key') });
        await Bun.sleep(UPSTREAM_DELAY_MS);
        return Response.json({ id: Number(id), title: `Movie ${id}` });
      },
    });

    const relay = Relay.start(binary, workDir, {
      PORT: '0',
      LOG_LEVEL: 'info',
      TMDB_API_KEY: API_KEY,
      TMDB_BASE_URL: `http://127.0.0.1:${fakeTmdb.port}/3`,
    });
    const base = `http://127.0.0.1:${await relay.port()}`;

    // Distinct ids, so none is coalesced or answered from cache. With the default guard
    // (UPSTREAM_MAX_CONCURRENCY) only some are at the upstream at once; the rest wait in the relay's
    // queue. Both kinds are accepted, in-flight requests that the drain must finish.
    const ids = Array.from({ length: IN_FLIGHT }, (_, i) => 10_000 + i);
    const firedAt = performance.now();
    const requests = ids.map((id) =>
      fetch(`${base}/tmdb/movies/${id}`).then(
        async (response) => ({ id, status: response.status, body: (await response.json()) as unknown }),
        (error: unknown) => ({ id, status: 0, body: String(error) }),
      ),
    );

    // SIGTERM ~100 ms after firing: the upstream slots are all taken by then (so requests are
    // certainly inside the relay), and the first upstream answers are still 200 ms away.
    const firstWave = Math.min(IN_FLIGHT, DEFAULTS.upstreamMaxConcurrency);
    await withTimeout(
      (async () => {
        while (upstreamHits.length < firstWave) await Bun.sleep(2);
      })(),
      UPSTREAM_DELAY_MS - 50,
      `${firstWave} requests to reach the upstream`,
    );
    await Bun.sleep(Math.max(0, 100 - (performance.now() - firedAt)));
    relay.proc.kill('SIGTERM');
    const signalledAt = performance.now();

    await relay.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('shutting down'));
    const lateConnection = await probeNewConnection(Number(new URL(base).port));
    const probedAt = performance.now();

    const results = await withTimeout(Promise.all(requests), 15_000, 'in-flight requests');
    const exitCode = await withTimeout(relay.proc.exited, 15_000, 'the relay to exit');
    const exitedAt = performance.now();
    console.log(
      `shutdown: SIGTERM at +${(signalledAt - firedAt).toFixed(0)} ms, late connection ${lateConnection} at +${(probedAt - firedAt).toFixed(0)} ms, ` +
        `exit ${exitCode} at +${(exitedAt - firedAt).toFixed(0)} ms`,
    );

    // The probe really happened while the drained requests were still open.
    expect(probedAt - firedAt).toBeLessThan(UPSTREAM_DELAY_MS);
    expect(['refused', 'closed']).toContain(lateConnection);

    expect(results.filter((r) => r.status !== 200)).toEqual([]);
    for (const { id, body } of results) expect(body).toMatchObject({ id });
    expect(upstreamHits.map((hit) => Number(hit.id)).sort((a, b) => a - b)).toEqual(ids);
    expect(upstreamHits.every((hit) => hit.apiKey === API_KEY)).toBe(true);

    expect(exitCode).toBe(0);
    const shuttingDown = relay.logs.find((l) => typeof l.msg === 'string' && l.msg.startsWith('shutting down'));
    expect(shuttingDown).toMatchObject({ level: 'info', signal: 'SIGTERM' });
    // Drained on its own, not cut off by SHUTDOWN_TIMEOUT_MS.
    expect(relay.logs.find((l) => l.msg === 'stopped')).toMatchObject({ drained: true });
    // The key reached the upstream but never the log.
    expect(relay.stdout).not.toContain(API_KEY);
  }, 30_000);
});
