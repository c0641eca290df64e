import type { Subprocess } from 'bun';
import { freePort } from '../../test/support/ports.ts';

export { freePort };

export interface Started {
  process: Subprocess<'ignore', 'pipe', 'pipe'>;
  /** First stdout line matching `ready`, parsed as JSON when it is JSON. */
  readyLine: string;
  stop(): Promise<void>;
}

/** Spawns a process and waits until a stdout line contains `ready` (or fails after 15 s). */
export async function spawnUntil(cmd: string[], ready: string, env: Record<string, string> = {}, cwd?: string): Promise<Started> {
  const child = Bun.spawn(cmd, {
    env: { ...process.env, ...env },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    ...(cwd ? { cwd } : {}),
  });
  const reader = child.stdout.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  const deadline = Date.now() + 15_000;
  let readyLine: string | null = null;
  while (readyLine === null) {
    if (Date.now() > deadline) throw new Error(`${cmd.join(' ')} did not print "${ready}"`);
    const { value, done } = await reader.read();
    if (done) throw new Error(`${cmd.join(' ')} exited early: ${await new Response(child.stderr).text()}`);
    buffered += decoder.decode(value, { stream: true });
    for (const line of buffered.split('\n')) if (line.includes(ready)) readyLine = line;
    buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
  }
  // Keep draining stdout so a chatty process never blocks on a full pipe.
  void (async () => {
    for (;;) if ((await reader.read()).done) break;
  })();
  return {
    process: child,
    readyLine,
    stop: async () => {
      child.kill('SIGTERM');
      await Promise.race([child.exited, Bun.sleep(3_000)]);
      child.kill('SIGKILL');
    },
  };
}

export function rssBytes(pid: number): number {
  const status = require('node:fs').readFileSync(`/proc/${pid}/status`, 'utf8') as string;
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}


export function commandExists(name: string): boolean {
  return Bun.which(name) !== null;
}

/** Spawns a server and waits until `url` answers 200 (its logs may be silenced by LOG_LEVEL). */
export async function spawnServer(cmd: string[], url: string, env: Record<string, string> = {}): Promise<Started> {
  const child = Bun.spawn(cmd, { env: { ...process.env, ...env }, stdin: 'ignore', stdout: 'ignore', stderr: 'pipe' });
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${cmd.join(' ')} exited: ${await new Response(child.stderr).text()}`);
    if (Date.now() > deadline) throw new Error(`${url} did not come up`);
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) break;
    await Bun.sleep(20);
  }
  return {
    process: child as unknown as Started['process'],
    readyLine: '',
    stop: async () => {
      child.kill('SIGTERM');
      await Promise.race([child.exited, Bun.sleep(3_000)]);
      child.kill('SIGKILL');
    },
  };
}

/** The relay under benchmark on a free port (LOG_LEVEL=warn unless `env` says otherwise). */
export async function startRelayProcess(
  relayCommand: string[],
  relayEnv: Record<string, string>,
  env: Record<string, string> = {},
): Promise<Started & { baseUrl: string }> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  // The change feeds are off: they would poll the fake on a timer in the middle of a measurement.
  const started = await spawnServer(relayCommand, `${baseUrl}/health`, { ...relayEnv, LOG_LEVEL: 'warn', CHANGES_POLL_INTERVAL: '0', ...env, PORT: String(port), HOST: '127.0.0.1' });
  return { ...started, baseUrl };
}
