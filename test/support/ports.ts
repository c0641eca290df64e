/** A TCP port on 127.0.0.1 that nothing listens on right now (the OS picks it; we let it go again). */
export async function freePort(): Promise<number> {
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response('') });
  const port = server.port as number;
  await server.stop(true);
  return port;
}
