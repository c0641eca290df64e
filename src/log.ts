export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export type LogFields = Record<string, string | number | boolean | null | undefined | LogValue[] | { [key: string]: LogValue }>;
type LogValue = string | number | boolean | null | undefined | LogValue[] | { [key: string]: LogValue };
export type LogSink = (line: string) => void;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A line written at every level but `silent` (the start banner, so even LOG_LEVEL=warn shows the port). */
  notice(msg: string, fields?: LogFields): void;
  enabled(level: LogLevel): boolean;
  /**
   * Writes a line already formatted as a JSON object (for the per-request line, where building an
   * object and stringifying it costs more than the request itself). Still redacted.
   */
  writeJson(level: Exclude<LogLevel, 'silent'>, json: string): void;
  /** Writes out buffered lines (call before exit). */
  flush(): void;
}

/**
 * Lines are collected and written in batches: a write per request would cost a syscall (or at least
 * a buffer copy) on the hot path. Written every 100 ms, at 512 lines, and on shutdown.
 */
function bufferedStdout(): { sink: LogSink; flush: () => void } {
  const writer = Bun.stdout.writer();
  let pending: string[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    writer.write(batch.join('\n') + '\n');
    writer.flush();
  };
  setInterval(flush, 100).unref();
  return {
    sink: (line) => {
      pending.push(line);
      if (pending.length >= 512) flush();
    },
    flush,
  };
}

export function createLogger(level: LogLevel, secrets: readonly string[] = [], sink?: LogSink): Logger {
  let flush = () => {};
  if (!sink) {
    const stdout = bufferedStdout();
    sink = stdout.sink;
    flush = stdout.flush;
  }
  const out = sink;
  const threshold = RANK[level];
  const redact = secretRedactor(secrets);
  const line = (lvl: string, msg: string, fields?: LogFields) => out(redact(JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...fields })));
  const write = (lvl: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields) => {
    if (RANK[lvl] >= threshold) line(lvl, msg, fields);
  };
  return {
    debug: (msg, fields) => write('debug', msg, fields),
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
    notice: (msg, fields) => {
      if (threshold < RANK.silent) line('notice', msg, fields);
    },
    enabled: (lvl) => RANK[lvl] >= threshold,
    writeJson: (lvl, json) => {
      if (RANK[lvl] >= threshold) out(redact(json));
    },
    flush,
  };
}

/** Replaces every occurrence of a secret (and its URL-encoded form) with a marker. */
export function secretRedactor(secrets: readonly string[]): (text: string) => string {
  const needles = [...new Set(secrets.filter((s) => s.length >= 4).flatMap((s) => [s, encodeURIComponent(s)]))];
  if (needles.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const needle of needles) if (out.includes(needle)) out = out.split(needle).join('[redacted]');
    return out;
  };
}

