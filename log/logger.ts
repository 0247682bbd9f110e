// The one structured logger: a JSON line per entry, with the context of a child (session, turn, user) on every line.

export type LogLevel = "debug" | "info" | "warn" | "error";

/** Fields of a log line; `undefined` ones are left out. */
export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger whose lines all carry `context` too (e.g. `{ session }`, then `{ turn }`). */
  child(context: LogFields): Logger;
}

/** Where lines go: `console` in the Worker (Workers Logs parses the JSON), a collector in tests. */
export type LogSink = (level: LogLevel, line: string) => void;

const consoleSink: LogSink = (level, line) => console[level](line);

/**
 * A logger with a fixed context; every line is `{"level", "msg", ...context, ...fields}`. Its methods live on the
 * prototype, so a child (one per live session, one per turn) is one small object, not a set of closures.
 */
class ContextLogger implements Logger {
  readonly #context: LogFields;
  readonly #sink: LogSink;

  constructor(context: LogFields, sink: LogSink) {
    this.#context = context;
    this.#sink = sink;
  }

  #write(level: LogLevel, msg: string, fields: LogFields = {}): void {
    this.#sink(level, JSON.stringify({ level, msg, ...this.#context, ...fields }));
  }

  debug(msg: string, fields?: LogFields): void {
    this.#write("debug", msg, fields);
  }

  info(msg: string, fields?: LogFields): void {
    this.#write("info", msg, fields);
  }

  warn(msg: string, fields?: LogFields): void {
    this.#write("warn", msg, fields);
  }

  error(msg: string, fields?: LogFields): void {
    this.#write("error", msg, fields);
  }

  child(context: LogFields): Logger {
    return new ContextLogger({ ...this.#context, ...context }, this.#sink);
  }
}

/** A logger with a fixed context; every line is `{"level", "msg", ...context, ...fields}`. */
export function createLogger(context: LogFields = {}, sink: LogSink = consoleSink): Logger {
  return new ContextLogger(context, sink);
}

/** The root logger. */
export const log: Logger = createLogger();
