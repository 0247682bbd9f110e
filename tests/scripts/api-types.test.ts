// protocol/api.ts is the one declaration of every HTTP body: no other module (server or web client) declares one again.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (name === "node_modules" || name === "dist") return [];
    if (statSync(join(ROOT, path)).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) && !name.endsWith(".d.ts") ? [path] : [];
  });
}

/** The names protocol/api.ts declares. */
function bodyNames(): string[] {
  const text = readFileSync(join(ROOT, "protocol/api.ts"), "utf8");
  return [...text.matchAll(/^export (?:interface|type) (\w+)/gm)].flatMap((m) => (m[1] ? [m[1]] : []));
}

describe("protocol/api.ts", () => {
  it("declares the bodies the client used to redeclare", () => {
    expect(bodyNames()).toEqual(
      expect.arrayContaining(["Me", "SessionEntry", "MemoryNote", "Task", "Artifact", "SnapshotSummary"]),
    );
    expect(bodyNames()).toEqual(expect.arrayContaining(["SessionInspection", "BudgetStatus", "AdminBudgets"]));
  });

  it("is the only declaration of each body in the worker, the objects, the agent and the web client", () => {
    const names = bodyNames();
    const declared = new RegExp(
      `^\\s*(?:export )?(?:interface|type) (${names.join("|")})\\b(?=\\s*[={<]|\\s+extends)`,
      "gm",
    );
    const found: string[] = [];
    for (const dir of ["worker", "objects", "agent", "web/src", "protocol"]) {
      for (const file of sources(dir)) {
        if (file === join("protocol", "api.ts")) continue;
        for (const match of readFileSync(join(ROOT, file), "utf8").matchAll(declared))
          found.push(`${file}: ${match[1]}`);
      }
    }
    expect(found).toEqual([]);
  });
});
