// `.dev.vars.example` lists every variable the worker reads, commented out, and nothing it does not read.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { KNOWN_VARIABLES } from "../../config/config.ts";
import { PROBE_SWITCH } from "../../scripts/detect-provider.mjs";

describe(".dev.vars.example", () => {
  it("has every known variable, each commented out with an explanation above it", () => {
    const lines = readFileSync(".dev.vars.example", "utf8").split("\n");
    const listed = lines.flatMap((line) => /^# ([A-Z][A-Z0-9_]+)=/.exec(line)?.[1] ?? []);
    expect(lines.filter((line) => line.trim() !== "" && !line.startsWith("#"))).toEqual([]);
    expect([...KNOWN_VARIABLES].filter((name) => !listed.includes(name))).toEqual([]);
    expect(listed.filter((name) => !KNOWN_VARIABLES.has(name) && name !== PROBE_SWITCH)).toEqual([]);
  });
});
