// The import-graph check: the tree passes, and a circle, an upward import or the config loader below the edge fail.

import { describe, expect, it } from "vitest";
import { ALLOWED_UPWARD, circles, importGraph, problems } from "../../scripts/check-imports.mjs";

const at = (path: string) => `${process.cwd()}/${path}`;

describe("import-graph check", () => {
  it("finds no problem in the tree, with at most two allowed upward imports", () => {
    expect(problems(importGraph())).toEqual([]);
    expect(ALLOWED_UPWARD.length).toBeLessThanOrEqual(2);
  });

  it("reports a circle", () => {
    const graph = new Map([
      [at("worker/app.ts"), [at("worker/routes/a.ts")]],
      [at("worker/routes/a.ts"), [at("worker/app.ts")]],
    ]);
    expect(circles(graph)).toHaveLength(1);
    expect(problems(graph)).toEqual(["circle: worker/app.ts → worker/routes/a.ts → worker/app.ts"]);
  });

  it("reports an import from a lower layer up, and the config loader imported below the edge", () => {
    const graph = new Map([
      [at("agent/tools/memory.ts"), [at("objects/directory/directory-object.ts")]],
      [at("objects/session/session-object.ts"), [at("config/load.ts")]],
      [at("objects/directory/directory-object.ts"), []],
      [at("config/load.ts"), []],
    ]);
    expect(problems(graph)).toEqual([
      "upward import (agent → objects): agent/tools/memory.ts → objects/directory/directory-object.ts",
      "config loader imported below the edge: objects/session/session-object.ts → config/load.ts",
    ]);
  });

  it("lets the web client import the protocol and nothing else of ours", () => {
    const graph = new Map([
      [at("web/src/app.tsx"), [at("protocol/frames.ts"), at("objects/names.ts")]],
      [at("protocol/frames.ts"), []],
      [at("objects/names.ts"), []],
    ]);
    expect(problems(graph)).toEqual(["client import outside protocol/: web/src/app.tsx → objects/names.ts"]);
  });
});
