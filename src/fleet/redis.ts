import { RedisClient } from 'bun';

/**
 * One relay's connection to the fleet's Redis, built for a Redis that may be slow, down, or restarted
 * at any time. Every command goes through `call`, which races it against a deadline (Bun's client has
 * no per-command timeout) and never queues while disconnected (`enableOfflineQueue: false`), so a
 * Redis outage makes callers fail fast instead of wait.
 *
 * Bun's client can stay "Connection has failed" after its reconnects run out, and a subscriber can go
 * silently deaf after a reconnect. A health loop PINGs every second; a client that is not connected is
 * rebuilt, and so is the subscriber (with its channels). Pub/sub is only ever a speed-up here: every
 * user of `subscribe` also polls.
 */
export type RedisState = 'connecting' | 'up' | 'down';

export interface RedisConnectionOptions {
  url: string;
  /** Deadline of one command. */
  timeoutMs: number;
  /** Told when the connection goes up or down (once per transition). */
  onStateChange?: (state: RedisState, previous: RedisState) => void;
  healthIntervalMs?: number;
}

export class RedisUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedisUnavailable';
  }
}

type Listener = (message: string) => void;

export class RedisConnection {
  private client: RedisClient;
  private subscriber: RedisClient | null = null;
  /** Channels the current subscriber listens on. */
  private subscribed = new Set<string>();
  private subscribing: Promise<void> | null = null;
  private readonly listeners = new Map<string, Set<Listener>>();
  private current: RedisState = 'connecting';
  private readonly timer: ReturnType<typeof setInterval>;
  private closed = false;
  private checking: Promise<void> | null = null;
  private failedConnects = 0;
  /** The first connection attempt: commands sent before it ends wait for it (within their deadline). */
  private readonly initial: Promise<void>;
  rebuilds = 0;

  constructor(private readonly options: RedisConnectionOptions) {
    this.client = this.build();
    this.initial = this.check();
    this.timer = setInterval(() => void this.check(), options.healthIntervalMs ?? 1_000);
    this.timer.unref();
  }

  /** Resolves once the first connection attempt has ended, whatever its outcome (at most `waitMs`). */
  ready(waitMs = 2_000): Promise<void> {
    return Promise.race([this.initial, Bun.sleep(waitMs)]);
  }

  get state(): RedisState {
    return this.current;
  }

  /**
   * Runs one command with the deadline; throws RedisUnavailable on any failure or timeout. While the
   * health loop knows Redis is down, fails at once: every caller (the tier, fill locks, the shared
   * budget) then pays nothing for the outage. A failure also starts a health check at once, so an
   * outage is known after one deadline, not after the next periodic PING.
   */
  async call<T>(command: (client: RedisClient) => Promise<T>, timeoutMs = this.options.timeoutMs): Promise<T> {
    if (this.closed) throw new RedisUnavailable('closed');
    if (this.current === 'down') throw new RedisUnavailable('redis is down');
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RedisUnavailable(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      if (this.current === 'connecting') await Promise.race([this.initial, deadline]);
      return await Promise.race([command(this.client), deadline]);
    } catch (error) {
      void this.check();
      if (error instanceof RedisUnavailable) throw error;
      throw new RedisUnavailable(error instanceof Error ? error.message : 'redis error');
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Any command; arguments may be binary. (Bun's `send` is typed for strings, but sends a Buffer
   * argument byte for byte: checked in test/fleet.)
   */
  command(name: string, args: readonly (string | number | Uint8Array)[]): Promise<unknown> {
    const encoded = args.map((arg) => (arg instanceof Uint8Array ? Buffer.from(arg.buffer, arg.byteOffset, arg.byteLength) : String(arg)));
    return this.call((c) => c.send(name, encoded as string[]));
  }

  /** Runs a Lua script (EVAL) with its keys and arguments. */
  eval(script: string, keys: readonly string[], args: readonly (string | number | Uint8Array)[]): Promise<unknown> {
    return this.command('EVAL', [script, keys.length, ...keys, ...args]);
  }

  publish(channel: string, message: string): Promise<unknown> {
    return this.call((c) => c.publish(channel, message));
  }

  /** Listens on a channel (best effort: messages can be lost across reconnects; callers also poll). */
  subscribe(channel: string, listener: Listener): void {
    let set = this.listeners.get(channel);
    if (set === undefined) this.listeners.set(channel, (set = new Set()));
    set.add(listener);
    void this.ensureSubscriber();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.subscriber?.close();
    this.client.close();
  }

  private build(): RedisClient {
    const client = new RedisClient(this.options.url, {
      enableOfflineQueue: false,
      autoReconnect: true,
      maxRetries: 5,
      connectionTimeout: Math.max(1_000, this.options.timeoutMs * 5),
      enableAutoPipelining: true,
    });
    client.onclose = () => {
      if (this.client === client) this.setState('down');
    };
    return client;
  }

  /** The health loop: PING; rebuild a client (and the subscriber) that stopped being connected. */
  private check(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.checking) return this.checking;
    this.checking = this.checkOnce().finally(() => {
      this.checking = null;
    });
    return this.checking;
  }

  private async checkOnce(): Promise<void> {
    const connectMs = Math.max(1_000, this.options.timeoutMs * 5);
    try {
      if (!this.client.connected) {
        // A client whose reconnects ran out stays failed: after a few failed connects, start afresh.
        if (this.failedConnects >= 3) {
          const old = this.client;
          this.client = this.build();
          old.close();
          this.rebuilds++;
          this.failedConnects = 0;
        }
        try {
          await this.race(this.client.connect(), connectMs);
          this.failedConnects = 0;
        } catch (error) {
          this.failedConnects++;
          throw error;
        }
      }
      await this.race(this.client.ping(), this.options.timeoutMs);
      this.setState('up');
      if (this.listeners.size > 0 && !this.subscriber?.connected) await this.ensureSubscriber(true);
    } catch {
      this.setState('down');
    }
  }

  private race<T>(pending: Promise<T>, timeoutMs: number): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    return Promise.race([
      pending,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new RedisUnavailable(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  private ensureSubscriber(rebuild = false): Promise<void> {
    if (this.subscribing) return this.subscribing;
    if (this.subscriber?.connected && !rebuild) return this.subscribeAll(this.subscriber);
    this.subscribing = (async () => {
      try {
        this.subscriber?.close();
        this.subscriber = null;
        this.subscribed = new Set();
        const subscriber = await this.call((c) => c.duplicate(), Math.max(1_000, this.options.timeoutMs * 5));
        if (this.closed) {
          subscriber.close();
          return;
        }
        this.subscriber = subscriber;
        await this.subscribeAll(subscriber);
      } catch {
        // Next health check tries again; callers poll meanwhile.
      } finally {
        this.subscribing = null;
      }
    })();
    return this.subscribing;
  }

  private async subscribeAll(subscriber: RedisClient): Promise<void> {
    for (const channel of this.listeners.keys()) {
      if (this.subscribed.has(channel)) continue;
      this.subscribed.add(channel);
      await subscriber.subscribe(channel, (message) => {
        for (const listener of this.listeners.get(channel) ?? []) listener(message);
      });
    }
  }

  private setState(next: RedisState): void {
    if (this.closed || next === this.current) return;
    const previous = this.current;
    this.current = next;
    this.options.onStateChange?.(next, previous);
  }
}
