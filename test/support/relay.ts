/**
 * Starts the relay under test on a real port: in this process (createApp + listen on port 0), or as
 * the compiled binary (`dist/metadata-relay`, spawned with the same environment). Both speak to the
 * fake upstream; tests talk to `baseUrl` over HTTP either way.
 */
import { mkdtempSync, copyFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startServer } from '../../src/edge/server.ts';
import { createRelay, logSecrets, type Relay } from '../../src/relay.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';

export type RelayTarget = 'in-process' | 'binary';

export interface RelayUnderTest {
  target: RelayTarget;
  baseUrl: string;
  /** Every log line the relay wrote (JSON strings). */
  logs: string[];
  /** In-process only: the composed app, its cache and clients. */
  relay?: Relay;
  get(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
  /** Binary only: kills the process as a crash would (no draining, nothing closed). */
  kill?(): Promise<void>;
  /** Binary only: the process id. */
  pid?: number;
}

export interface StartRelayOptions {
  env: Record<string, string>;
  /** In-process only: the clock for cache freshness and token expiry. */
  now?: () => number;
}

export const REPO_ROOT = resolve(import.meta.dir, '../..');

/** The change feeds are off in tests unless a test turns them on (they poll the fake on a timer). */
const TEST_DEFAULTS = { CHANGES_POLL_INTERVAL: '0' };
export const BINARY_PATH = join(REPO_ROOT, 'dist', 'metadata-relay');

export async function startRelay(target: RelayTarget, options: StartRelayOptions): Promise<RelayUnderTest> {
  return target === 'binary' ? startBinary(options) : startInProcess(options);
}

async function startInProcess(options: StartRelayOptions): Promise<RelayUnderTest> {
  const config = loadConfig({ LOG_LEVEL: 'debug', ...TEST_DEFAULTS, ...options.env, PORT: '0', HOST: '127.0.0.1' });
  const logs: string[] = [];
  const logger = createLogger(config.logLevel, logSecrets(config), (line) => logs.push(line));
  const relay = createRelay(config, { logger, ...(options.now ? { now: options.now } : {}) });
  await relay.ready();
  const server = startServer(relay, config);
  const port = server.port;
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    target: 'in-process',
    baseUrl,
    logs,
    relay,
    get: (path, init) => fetch(baseUrl + path, init),
    stop: async () => {
      await server.stop(true);
      await relay.close();
    },
  };
}

/** Builds dist/metadata-relay once per test run (if missing or older than the sources). */
export async function ensureBinary(): Promise<string> {
  if (!binaryBuilt) {
    binaryBuilt = (async () => {
      const build = Bun.spawn(['bun', 'run', 'build'], { cwd: REPO_ROOT, stdout: 'pipe', stderr: 'pipe' });
      const code = await build.exited;
      if (code !== 0) throw new Error(`bun run build failed: ${await new Response(build.stderr).text()}`);
      if (!existsSync(BINARY_PATH)) throw new Error('build produced no binary');
      return BINARY_PATH;
    })();
  }
  return binaryBuilt;
}
let binaryBuilt: Promise<string> | null = null;

async function startBinary(options: StartRelayOptions): Promise<RelayUnderTest> {
  const binary = await ensureBinary();
  // Run a copy from an empty directory: the binary must need nothing beside itself.
  const dir = mkdtempSync(join(tmpdir(), 'relay-bin-'));
  const copy = join(dir, 'metadata-relay');
  copyFileSync(binary, copy);
  const child = Bun.spawn([copy], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LOG_LEVEL: 'debug', ...TEST_DEFAULTS, ...options.env, PORT: '0', HOST: '127.0.0.1' },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const logs: string[] = [];
  const port = await readListeningPort(child.stdout, logs);
  void collect(child.stderr, logs);
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    target: 'binary',
    baseUrl,
    logs,
    pid: child.pid,
    get: (path, init) => fetch(baseUrl + path, init),
    stop: async () => {
      child.kill('SIGTERM');
      await child.exited;
      rmSync(dir, { recursive: true, force: true });
    },
    kill: async () => {
      child.kill('SIGKILL');
      await child.exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Reads stdout lines until the "listening" log line, then keeps collecting in the background. */
async function readListeningPort(stream: ReadableStream<Uint8Array>, logs: string[]): Promise<number> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`relay exited before listening:\n${logs.join('\n')}`);
    buffered += decoder.decode(value, { stream: true });
    let newline: number;
    while ((newline = buffered.indexOf('\n')) !== -1) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      logs.push(line);
      const parsed = safeJson(line);
      if (parsed?.msg === 'listening' && typeof parsed.port === 'number') {
        void drain(reader, decoder, buffered, logs);
        return parsed.port;
      }
    }
  }
  throw new Error('relay did not report listening within 10 s');
}

async function drain(reader: { read(): Promise<{ value?: Uint8Array; done: boolean }> }, decoder: TextDecoder, rest: string, logs: string[]) {
  let buffered = rest;
  for (;;) {
    // Lines that came in the same chunk as the one before are taken first, not after the next chunk.
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    logs.push(...lines);
    const { value, done } = await reader.read();
    if (done) break;
    buffered += decoder.decode(value, { stream: true });
  }
  if (buffered) logs.push(buffered);
}

async function collect(stream: ReadableStream<Uint8Array>, logs: string[]) {
  const text = await new Response(stream).text();
  logs.push(...text.split('\n').filter(Boolean));
}

function safeJson(line: string): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(line);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A clock tests move by hand, so freshness and token expiry need no sleeping. */
export class TestClock {
  constructor(public current = Date.parse('2026-11-25T12:00:00Z')) {}
  now = (): number => this.current;
  advance(ms: number): void {
    this.current += ms;
  }
}
