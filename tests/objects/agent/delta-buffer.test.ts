// The delta coalescer: first piece at once, then at most one event per 50 ms, nothing held longer.

import { describe, expect, it } from "vitest";
import { DELTA_MAX_CHARS, DELTA_MAX_DELAY_MS, DeltaBuffer } from "../../../objects/session/agent/delta-buffer";

describe("DeltaBuffer", () => {
  it("sends the first piece at once and coalesces the burst that follows", async () => {
    const sent: [number, string][] = [];
    const start = Date.now();
    const buffer = new DeltaBuffer((text) => sent.push([Date.now() - start, text]));
    buffer.push("a");
    expect(sent.map(([, t]) => t)).toEqual(["a"]);
    for (const piece of ["b", "c", "d"]) buffer.push(piece);
    expect(sent).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, DELTA_MAX_DELAY_MS + 30));
    expect(sent.map(([, t]) => t)).toEqual(["a", "bcd"]);
    expect(sent[1]?.[0]).toBeLessThan(DELTA_MAX_DELAY_MS + 30);
    expect(buffer.text).toBe("abcd");
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
