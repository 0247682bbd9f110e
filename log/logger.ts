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

/** A logger with a fixed context; every line is `{"level", "msg", ...context, ...fields}`. */
export function createLogger(context: LogFields = {}, sink: LogSink = consoleSink): Logger {
  const write =
    (level: LogLevel) =>
    (msg: string, fields: LogFields = {}) => {
      sink(level, JSON.stringify({ level, msg, ...context, ...fields }));
    };
  return {
    debug: write("debug"),
    info: write("info"),
    warn: write("warn"),
    error: write("error"),
    child: (more) => createLogger({ ...context, ...more }, sink),
  };
}

/** The root logger. */
export const log: Logger = createLogger();
