/**
 * The relay under chaos: the compiled binary as users run it, on a free port, with every line it
 * writes scanned for secrets as it comes (the last lines are kept for the report), its RSS sampled
 * from /proc, and the ways a process ends: SIGTERM, kill -9, or a crash we did not ask for.
 */
import type { Subprocess } from 'bun';
import { readFileSync } from 'node:fs';
import { freePort } from '../lib/processes.ts';

const KEPT_LINES = 2_000;

export interface RelayProcess {
  baseUrl: string;
  pid: number;
  /** Lines of stdout and stderr seen, all of them counted, the last KEPT_LINES kept. */
  lines: string[];
  lineCount: number;
  /** Lines that were not JSON (a crash trace, a runtime warning). */
  nonJsonLines: string[];
  /** Lines that contained a secret (should stay empty). */
  leakedLines: number;
  rss(): number;
  alive(): boolean;
  exitCode(): number | null;
  /** SIGTERM; resolves with the exit code (SIGKILL after `graceMs`). */
  terminate(graceMs?: number): Promise<number | null>;
  /** kill -9: no draining, nothing closed. */
  kill(): Promise<void>;
}

/** Every relay started and not yet exited: a phase that throws halfway must not leave one running. */
const running = new Set<Subprocess>();

/** Kills (SIGKILL) every relay a phase left running; how many there were. */
export async function killStrayRelays(): Promise<number> {
  const strays = [...running];
  for (const child of strays) child.kill('SIGKILL');
  await Promise.all(strays.map((child) => child.exited));
  return strays.length;
}

export async function startRelayProcess(binary: string, env: Record<string, string>, secrets: readonly string[], port?: number): Promise<RelayProcess> {
  const chosen = port ?? (await freePort());
  const child: Subprocess<'ignore', 'pipe', 'pipe'> = Bun.spawn([binary], {
    env: { ...process.env, LOG_LEVEL: 'warn', CHANGES_POLL_INTERVAL: '0', ...env, PORT: String(chosen), HOST: '127.0.0.1' },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  running.add(child);
  void child.exited.then(() => running.delete(child));
  const state = { lines: [] as string[], lineCount: 0, nonJsonLines: [] as string[], leakedLines: 0 };
  const take = (line: string) => {
    if (line === '') return;
    state.lineCount++;
    state.lines.push(line);
    if (state.lines.length > KEPT_LINES) state.lines.splice(0, state.lines.length - KEPT_LINES);
    if (!line.startsWith('{') && state.nonJsonLines.length < 50) state.nonJsonLines.push(line.slice(0, 300));
    if (secrets.some((secret) => line.includes(secret))) state.leakedLines++;
  };
  void readLines(child.stdout, take);
  void readLines(child.stderr, take);

  const baseUrl = `http://127.0.0.1:${chosen}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`relay exited at start (${child.exitCode}): ${state.lines.slice(-5).join(' | ')}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('relay did not answer /health within 15 s');
    }
    if (await fetch(`${baseUrl}/health`).then((r) => r.ok, () => false)) break;
    await Bun.sleep(25);
  }

  return {
    baseUrl,
    pid: child.pid,
    get lines() {
      return state.lines;
    },
    get lineCount() {
      return state.lineCount;
    },
    get nonJsonLines() {
      return state.nonJsonLines;
    },
    get leakedLines() {
      return state.leakedLines;
    },
    rss: () => rssOf(child.pid),
    alive: () => child.exitCode === null && child.signalCode === null,
    exitCode: () => child.exitCode,
    terminate: async (graceMs = 15_000) => {
      child.kill('SIGTERM');
      const done = await Promise.race([child.exited.then(() => true), Bun.sleep(graceMs).then(() => false)]);
      if (!done) child.kill('SIGKILL');
      await child.exited;
      return child.exitCode;
    },
    kill: async () => {
      child.kill('SIGKILL');
      await child.exited;
    },
  };
}

function rssOf(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

async function readLines(stream: ReadableStream<Uint8Array>, take: (line: string) => void): Promise<void> {
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of stream) {
    buffered += decoder.decode(chunk, { stream: true });
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) take(line);
  }
  take(buffered);
}
