/**
 * The ceiling: a bare Bun.serve answering one fixed response (the relay's own bytes and headers,
 * captured by the benchmark), with no routing, no cache lookup and no bookkeeping.
 *   BODY_FILE=... HEADERS_JSON='{...}' PORT=... bun bench/bare-server.ts
 */
const body = new Uint8Array(await Bun.file(process.env.BODY_FILE as string).arrayBuffer());
const headers = JSON.parse(process.env.HEADERS_JSON ?? '{}') as Record<string, string>;
const server = Bun.serve({
  port: Number(process.env.PORT ?? 0),
  hostname: '127.0.0.1',
  fetch: () => new Response(body, { headers }),
});
console.log(JSON.stringify({ msg: 'listening', port: server.port }));
export {};
