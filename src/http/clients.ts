import net from 'node:net';
import { LRUCache } from 'lru-cache';

/**
 * Who is calling: the socket peer, or, when the peer is a trusted proxy (Fly's edge, a load
 * balancer), the client address that proxy reports. An untrusted peer's X-Forwarded-For is ignored,
 * so a client cannot pick its own identity to dodge a limit.
 */
export class ClientIdentity {
  private readonly trusted: net.BlockList | null;

  constructor(trustedProxies: readonly string[]) {
    if (trustedProxies.length === 0) {
      this.trusted = null;
      return;
    }
    this.trusted = new net.BlockList();
    for (const entry of trustedProxies) {
      const [address = '', bits] = entry.split('/');
      const family = net.isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.trusted.addAddress(address, family);
      else this.trusted.addSubnet(address, Number(bits), family);
    }
  }

  identify(request: Request, peer: string | null): string {
    const address = peer ?? 'unknown';
    if (this.trusted === null || peer === null || !this.isTrusted(peer)) return address;
    const flyClientIp = request.headers.get('fly-client-ip')?.trim();
    if (flyClientIp && net.isIP(flyClientIp)) return flyClientIp;
    const forwarded = request.headers.get('x-forwarded-for');
    if (forwarded) {
      // The rightmost entry is the one our trusted proxy appended; entries left of it are client-supplied.
      const rightmost = forwarded.split(',').at(-1)?.trim() ?? '';
      if (net.isIP(rightmost)) return rightmost;
    }
    return address;
  }

  /** Whether headers from this peer (a proxy in TRUSTED_PROXIES) are believed. */
  trusts(peer: string | null): boolean {
    return peer !== null && this.trusted !== null && this.isTrusted(peer);
  }

  private isTrusted(peer: string): boolean {
    const family = net.isIP(peer) === 6 ? 'ipv6' : 'ipv4';
    return this.trusted?.check(peer, family) ?? false;
  }
}

interface Bucket {
  tokens: number;
  at: number;
}

/** A token bucket per client (at most 100k clients remembered, least recently seen forgotten first). */
export class ClientRateLimiter {
  private readonly buckets = new LRUCache<string, Bucket>({ max: 100_000 });
  private readonly refillPerMs: number;
  rejected = 0;

  constructor(
    private readonly limit: { requests: number; perMs: number },
    private readonly now: () => number = Date.now,
  ) {
    this.refillPerMs = limit.requests / limit.perMs;
  }

  /** Takes one token; returns 0 when allowed, else the seconds until one is available. */
  take(client: string): number {
    const now = this.now();
    const bucket = this.buckets.get(client) ?? { tokens: this.limit.requests, at: now };
    bucket.tokens = Math.min(this.limit.requests, bucket.tokens + (now - bucket.at) * this.refillPerMs);
    bucket.at = now;
    this.buckets.set(client, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    this.rejected++;
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.refillPerMs / 1000));
  }

  get clients(): number {
    return this.buckets.size;
  }
}
