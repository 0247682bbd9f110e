// The delta coalescer: first piece at once, then at most one event per 50 ms, nothing held longer.

import { describe, expect, it, vi } from "vitest";
import { DELTA_MAX_CHARS, DELTA_MAX_DELAY_MS, DeltaBuffer } from "../../../objects/session/agent/delta-buffer";

describe("DeltaBuffer", () => {
  it("sends the first piece at once and coalesces the burst that follows, held no longer than the delay", () => {
    vi.useFakeTimers();
    try {
      const sent: string[] = [];
      const buffer = new DeltaBuffer((text) => sent.push(text));
      buffer.push("a");
      expect(sent).toEqual(["a"]);
      for (const piece of ["b", "c", "d"]) buffer.push(piece);
      expect(sent).toHaveLength(1);
      vi.advanceTimersByTime(DELTA_MAX_DELAY_MS - 1);
      expect(sent).toHaveLength(1);
      vi.advanceTimersByTime(1);
      expect(sent).toEqual(["a", "bcd"]);
      expect(buffer.text).toBe("abcd");
    } finally {
      vi.useRealTimers();
    }
  });

  it("flushes a large pile at once and on demand", () => {
    const sent: string[] = [];
    let now = 0;
    const buffer = new DeltaBuffer(
      (text) => sent.push(text),
      () => now,
    );
    buffer.push("x");
    buffer.push("y".repeat(DELTA_MAX_CHARS));
    expect(sent).toEqual(["x", "y".repeat(DELTA_MAX_CHARS)]);
    now += 1;
    buffer.push("z");
    buffer.flush();
    expect(sent.at(-1)).toBe("z");
    buffer.flush();
    expect(sent).toHaveLength(3);
  });
});
