/**
 * Runs before every `bun test`: makes sure the servers the tests need are there. On Debian/Ubuntu
 * as root, a missing redis-server is installed with apt-get (so the README's one test command does all
 * the set-up on a fresh machine); anywhere else the Redis tests fail with what to install, never skip.
 */
if (Bun.which('redis-server') === null && Bun.which('apt-get') !== null && process.getuid?.() === 0) {
  console.error('redis-server is missing: installing it with apt-get (the Redis tier tests need a real server)');
  for (const args of [['apt-get', 'update'], ['apt-get', 'install', '-y', 'redis-server']]) {
    const result = Bun.spawnSync(args, { stdout: 'inherit', stderr: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (result.exitCode !== 0) {
      console.error(`${args.join(' ')} failed; install redis-server by hand`);
      break;
    }
  }
}
