// The structured logger: one JSON line per entry, a child's context on every line, fields never lost.

import { describe, expect, it } from "vitest";
import { createLogger, type LogLevel } from "../../log/logger";

function collect() {
  const lines: { level: LogLevel; entry: unknown }[] = [];
  return { lines, sink: (level: LogLevel, line: string) => lines.push({ level, entry: JSON.parse(line) }) };
}

describe("logger", () => {
  it("writes one JSON object per entry with its level and message", () => {
    const { lines, sink } = collect();
    const logger = createLogger({}, sink);
    logger.warn("sandbox not destroyed", { session: "s1", error: "Error: gone" });
    logger.error("unhandled error");
    expect(lines).toEqual([
      { level: "warn", entry: { level: "warn", msg: "sandbox not destroyed", session: "s1", error: "Error: gone" } },
      { level: "error", entry: { level: "error", msg: "unhandled error" } },
    ]);
  });

  it("puts a child's context (session, then turn) on every line, the entry's own fields last", () => {
    const { lines, sink } = collect();
    const session = createLogger({}, sink).child({ session: "s1" });
    const turn = session.child({ turn: "t1" });
    turn.info("turn failed", { error: "x" });
    session.debug("socket error", { connection: "c1" });
    expect(lines.map((l) => l.entry)).toEqual([
      { level: "info", msg: "turn failed", session: "s1", turn: "t1", error: "x" },
      { level: "debug", msg: "socket error", session: "s1", connection: "c1" },
    ]);
  });

  it("keeps a message with quotes and newlines on one parseable line", () => {
    const raw: string[] = [];
    createLogger({}, (_, line) => raw.push(line)).warn('a "quoted"\nline', { user: "a@example.com" });
    expect(raw).toHaveLength(1);
    expect(raw[0]).not.toContain("\n");
    expect(JSON.parse(raw[0] ?? "")).toEqual({ level: "warn", msg: 'a "quoted"\nline', user: "a@example.com" });
  });
});
