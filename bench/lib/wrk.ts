import { writeFileSync } from 'node:fs';

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  socketErrors: number;
}

export interface WrkOptions {
  connections: number;
  threads: number;
  durationSeconds: number;
  headers: Record<string, string>;
  /** A wrk Lua script (e.g. from pathsScript), for requests that vary. */
  script?: string;
}

/** A wrk script that sends every request for a path picked at random from `paths` (written to `file`). */
export function pathsScript(paths: readonly string[], file: string): string {
  const list = paths.map((p) => `"${p.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',\n');
  writeFileSync(file, `local paths = {\n${list}\n}\nmath.randomseed(42)\nrequest = function()\n  return wrk.format(nil, paths[math.random(#paths)])\nend\n`);
  return file;
}

/** Runs wrk with --latency and parses its summary. */
export async function runWrk(url: string, options: WrkOptions): Promise<LoadResult> {
  const args = ['wrk', `-t${options.threads}`, `-c${options.connections}`, `-d${options.durationSeconds}s`, '--latency'];
  for (const [name, value] of Object.entries(options.headers)) args.push('-H', `${name}: ${value}`);
  if (options.script) args.push('-s', options.script);
  args.push(url);
  const child = Bun.spawn(args, { stdout: 'pipe', stderr: 'pipe' });
  const output = await new Response(child.stdout).text();
  if ((await child.exited) !== 0) throw new Error(`wrk failed: ${await new Response(child.stderr).text()}`);
  return parseWrk(output);
}

export function parseWrk(output: string): LoadResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(output);
  const p50 = /\s50%\s+([\d.]+)(us|ms|s)/.exec(output);
  const p99 = /\s99%\s+([\d.]+)(us|ms|s)/.exec(output);
  if (!rps || !p50 || !p99) throw new Error(`cannot parse wrk output:\n${output}`);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(output);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  return {
    requestsPerSecond: Number(rps[1]),
    p50Ms: toMs(Number(p50[1]), p50[2] as string),
    p99Ms: toMs(Number(p99[1]), p99[2] as string),
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    socketErrors: socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
  };
}

function toMs(value: number, unit: string): number {
  return unit === 'us' ? value / 1000 : unit === 's' ? value * 1000 : value;
}
