import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnUntil, type Started } from './processes.ts';

/**
 * nginx with proxy_cache in front of the same fake TMDB: one worker, the cache key on URI + args,
 * gzip stored and served as-is (like the relay). Maps /tmdb/movies/{id} to /3/movie/{id}?...&api_key;
 * /identity/tmdb/movies/{id} caches and serves the identity answer, for clients without gzip.
 */
export async function startNginx(port: number, tmdbBaseUrl: string, apiKey: string): Promise<Started & { dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'relay-bench-nginx-'));
  const upstream = new URL(tmdbBaseUrl);
  const config = `
worker_processes 1;
user root;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  proxy_cache_path ${dir}/cache levels=1:2 keys_zone=relay:32m max_size=256m inactive=1d use_temp_path=off;
  upstream fake_tmdb { server ${upstream.host}; keepalive 32; }
  server {
    listen 127.0.0.1:${port} reuseport;
    # Identity clients: nginx caches the upstream's identity answer and serves it as stored.
    location ~ ^/identity/tmdb/movies/(\\d+)$ {
      set $upstream_args "$args&api_key=${apiKey}";
      proxy_pass http://fake_tmdb/3/movie/$1?$upstream_args;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Accept-Encoding "";
      proxy_cache relay;
      proxy_cache_key identity$uri$is_args$args;
      proxy_cache_valid 200 1d;
      proxy_cache_lock on;
      proxy_ignore_headers Cache-Control Expires Set-Cookie Vary;
      add_header x-cache $upstream_cache_status;
    }
    location ~ ^/tmdb/movies/(\\d+)$ {
      set $upstream_args "$args&api_key=${apiKey}";
      proxy_pass http://fake_tmdb/3/movie/$1?$upstream_args;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Accept-Encoding gzip;
      proxy_cache relay;
      proxy_cache_key $uri$is_args$args;
      proxy_cache_valid 200 1d;
      proxy_cache_lock on;
      proxy_ignore_headers Cache-Control Expires Set-Cookie Vary;
      add_header x-cache $upstream_cache_status;
    }
  }
}
`;
  writeFileSync(join(dir, 'nginx.conf'), config);
  // nginx prints nothing when it starts; a wrapper echoes a line once the port answers.
  const started = await spawnUntil(
    ['bash', '-c', `nginx -p ${dir} -c ${dir}/nginx.conf -g 'daemon off;' & for i in $(seq 100); do (echo > /dev/tcp/127.0.0.1/${port}) 2>/dev/null && echo ready && break; sleep 0.05; done; wait`],
    'ready',
  );
  return {
    ...started,
    dir,
    stop: async () => {
      Bun.spawnSync(['bash', '-c', `kill $(cat ${dir}/nginx.pid) 2>/dev/null`]);
      await started.stop();
    },
  };
}
