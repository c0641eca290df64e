import type { Logger, LogFields } from '../log.ts';

/**
 * Operational events: what an operator must hear about, once per change of state, not once per
 * request. Each event kind is logged when it happens, and then at most once a minute while it goes on,
 * with how many times it happened meanwhile. Stale answers given because an upstream fails are summed
 * into one line a minute per upstream. No field carries a secret or a query.
 */
export interface EventsOptions {
  logger: Logger;
  now: () => number;
  /** Lines of the same kind at most this often while a state goes on. */
  repeatMs?: number;
}

interface Suppressed {
  lastLoggedAt: number;
  since: number;
}

export class OperationalEvents {
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly repeatMs: number;
  private readonly suppressed = new Map<string, Suppressed>();
  private readonly staleOnFailure = new Map<string, { answers: number; reasons: Set<string> }>();
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(options: EventsOptions) {
    this.logger = options.logger;
    this.now = options.now;
    this.repeatMs = options.repeatMs ?? 60_000;
    this.timer = setInterval(() => this.flushStale(), this.repeatMs);
    this.timer.unref();
  }

  /** The relay's own key or token was refused by an upstream: every request to it fails until fixed. */
  credentialsRejected(upstream: string, where: 'data' | 'login'): void {
    this.rateLimited(`credentials:${upstream}`, 'error', `${label(upstream)} refused the relay's credentials: fix ${upstream === 'tmdb' ? 'TMDB_API_KEY / TMDB_ACCESS_TOKEN' : 'TVDB_API_KEY (and TVDB_PIN)'}`, {
      upstream,
      where,
    });
  }

  breakerChanged(upstream: string, state: string, previous: string): void {
    const level = state === 'open' ? 'warn' : 'info';
    const text = state === 'open' ? 'upstream failing: circuit breaker opened, requests fail fast (stale copies where there are some)' : state === 'half_open' ? 'circuit breaker half-open: one probe goes through' : 'upstream answering again: circuit breaker closed';
    this.write(level, text, { upstream, state, previous });
  }

  pauseStarted(upstream: string, pauseMs: number): void {
    this.write('warn', 'upstream answered 429: paused for its Retry-After', { upstream, pause_ms: pauseMs });
  }

  pauseEnded(upstream: string, pausedMs: number): void {
    this.write('info', 'upstream pause over: sending again', { upstream, paused_ms: pausedMs });
  }

  loginFailing(reason: string, backoffMs: number): void {
    this.rateLimited('tvdb-login', 'warn', 'TVDB login failed; backing off before the next try', { upstream: 'tvdb', reason, backoff_ms: backoffMs });
  }

  /**
   * A stale entry was answered because its upstream fails (or is held back). The first one is logged
   * at once; the rest are summed into one line a minute while it goes on.
   */
  staleWhileFailing(upstream: string, reason: string): void {
    const counts = this.staleOnFailure.get(upstream);
    if (counts === undefined) {
      this.staleOnFailure.set(upstream, { answers: 0, reasons: new Set() });
      this.write('warn', 'answering stale copies while the upstream fails', { upstream, reason });
      return;
    }
    counts.answers++;
    if (counts.reasons.size < 8) counts.reasons.add(reason);
  }

  tierState(kind: string, state: string, previous: string): void {
    const down = state === 'down' || state === 'open';
    this.write(down ? 'warn' : 'info', down ? 'second cache tier unreachable: answering from memory and upstream' : 'second cache tier reachable again', { tier: kind, state, previous });
  }

  memoryPressure(state: 'above' | 'under', rssBytes: number, targetBytes: number): void {
    const mib = (bytes: number) => Math.round(bytes / 1048576);
    if (state === 'above') {
      this.write('warn', 'memory above MEMORY_TARGET even after a garbage collection: lower CACHE_MAX_BYTES or give the machine more memory', { rss_mib: mib(rssBytes), target_mib: mib(targetBytes) });
    } else {
      this.write('info', 'memory back under MEMORY_TARGET', { rss_mib: mib(rssBytes), target_mib: mib(targetBytes) });
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.flushStale();
  }

  /** Writes the stale-answer summary of the last minute; an upstream with none is over its episode. */
  flushStale(): void {
    for (const [upstream, counts] of this.staleOnFailure) {
      if (counts.answers === 0) {
        this.staleOnFailure.delete(upstream);
        continue;
      }
      this.write('warn', 'still answering stale copies while the upstream fails', { upstream, stale_answers: counts.answers, reasons: [...counts.reasons].join(',') });
      counts.answers = 0;
      counts.reasons.clear();
    }
  }

  private rateLimited(key: string, level: 'warn' | 'error', msg: string, fields: LogFields): void {
    const now = this.now();
    const state = this.suppressed.get(key);
    if (state !== undefined && now - state.lastLoggedAt < this.repeatMs) {
      state.since++;
      return;
    }
    this.write(level, msg, state && state.since > 0 ? { ...fields, repeated: state.since } : fields);
    this.suppressed.set(key, { lastLoggedAt: now, since: 0 });
  }

  private write(level: 'info' | 'warn' | 'error', msg: string, fields: LogFields): void {
    this.logger[level](msg, { event: true, ...fields });
  }
}

function label(upstream: string): string {
  return upstream === 'tmdb' ? 'TMDB' : upstream === 'tvdb' ? 'TVDB' : upstream;
}
