/**
 * A real redis-server for the tests that need one: on a free loopback port, no persistence, stopped
 * (or killed, and started again on the same port) by the test. Never a mock.
 */
import type { Subprocess } from 'bun';
import { freePort } from './ports.ts';

export interface RedisServer {
  port: number;
  url: string;
  /** Stops it for good (SIGTERM, then SIGKILL). */
  stop(): Promise<void>;
  /** Kills it as a crash would (SIGKILL), leaving the port free. */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty: nothing is persisted); nothing to do while it runs. */
  restart(): Promise<void>;
  /** Runs redis-cli against it and returns its output. */
  cli(...args: string[]): Promise<string>;
}

export function redisServerPath(): string {
  const path = Bun.which('redis-server');
  if (path === null) {
    throw new Error('redis-server is not installed: the Redis tier tests need a real one (Debian/Ubuntu: apt-get install -y redis-server; macOS: brew install redis)');
  }
  return path;
}

export async function startRedisServer(): Promise<RedisServer> {
  const binary = redisServerPath();
  const port = await freePort();
  let child: Subprocess | null = null;

  const launch = async () => {
    if (child !== null) return;
    child = Bun.spawn([binary, '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], {
      stdout: 'ignore',
      stderr: 'ignore',
    });
    const deadline = Date.now() + 5_000;
    for (;;) {
      if ((await cli('PING').catch(() => '')) === 'PONG') return;
      if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${port}`);
      await Bun.sleep(20);
    }
  };
  const cli = async (...args: string[]) => {
    const run = Bun.spawn(['redis-cli', '-p', String(port), ...args], { stdout: 'pipe', stderr: 'pipe' });
    const out = (await new Response(run.stdout).text()).trim();
    await run.exited;
    return out;
  };
  const halt = async (signal: 'SIGTERM' | 'SIGKILL') => {
    const running = child as Subprocess | null;
    if (running === null) return;
    running.kill(signal);
    await Promise.race([running.exited, Bun.sleep(3_000)]);
    running.kill('SIGKILL');
    await running.exited;
    child = null;
  };

  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop: () => halt('SIGTERM'),
    kill: () => halt('SIGKILL'),
    restart: launch,
    cli,
  };
}
