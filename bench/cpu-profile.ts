// A CPU profile of a running workerd through its inspector (Chrome DevTools protocol), summarised as the
// functions and source files that took the most time: what `bench/profile.ts` prints.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { SourceMap } from "node:module";
import { join } from "node:path";
import { Inspector } from "./inspector.ts";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

/** Where a bundled position came from: the original file (relative to the repo) and line. */
export type Resolve = (line: number, column: number) => { file: string; line: number } | null;

/** Reads the source map of the newest `wrangler dev` bundle under `dir` (call it while the server runs). */
export function bundleSourceMap(dir: string): Resolve | null {
  const tmp = join(dir, ".wrangler", "tmp");
  let newest: { path: string; at: number } | null = null;
  try {
    for (const entry of readdirSync(tmp)) {
      const path = join(tmp, entry, "index.js.map");
      try {
        const at = statSync(path).mtimeMs;
        if (!newest || at > newest.at) newest = { path, at };
      } catch {
        // Not a bundle directory.
      }
    }
  } catch {
    return null;
  }
  if (!newest) return null;
  const map = new SourceMap(JSON.parse(readFileSync(newest.path, "utf8")));
  return (line, column) => {
    const entry = map.findEntry(line, column);
    if (!("originalSource" in entry) || !entry.originalSource) return null;
    const file = entry.originalSource.replace(
      /^.*?\/(node_modules\/|objects\/|agent\/|worker\/|protocol\/|sandbox\/)/,
      "$1",
    );
    return { file, line: entry.originalLine + 1 };
  };
}

/** A V8 CPU profile, as `Profiler.stop` returns it. */
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** One line of the summary: self time (in the function itself) and total time (with what it called). */
export interface ProfileLine {
  name: string;
  selfMs: number;
  totalMs: number;
}

/** Profiles the workerd behind `port` while `work` runs. */
export async function profileWhile(port: number, work: () => Promise<void>, intervalUs = 200): Promise<CpuProfile> {
  const inspector = await Inspector.open(port);
  try {
    await inspector.send("Profiler.enable");
    await inspector.send("Profiler.setSamplingInterval", { interval: intervalUs });
    await inspector.send("Profiler.start");
    await work();
    const { profile } = await inspector.send<{ profile: CpuProfile }>("Profiler.stop");
    return profile;
  } finally {
    inspector.close();
  }
}

/** The sampling interval: the median time between samples. */
export function intervalMs(profile: CpuProfile): number {
  const sorted = [...profile.timeDeltas].sort((a, b) => a - b);
  return (sorted[Math.floor(sorted.length / 2)] ?? 0) / 1000;
}

/** How a sample is attributed: to the function it was in, to that function's source file, or to the
 * nearest function of this repository on its stack (library and runtime time charged to our caller). */
export type Attribution = "function" | "file" | "ours";

/**
 * Self and total time per key: total counts a key once per sample even when it recurs on the stack.
 */
export function summarise(profile: CpuProfile, by: Attribution, resolve: Resolve | null = null): ProfileLine[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const where = (node: ProfileNode) => {
    const { url, lineNumber, columnNumber } = node.callFrame;
    if (!url) return null;
    return resolve?.(lineNumber, columnNumber) ?? { file: url, line: lineNumber + 1 };
  };
  const keyOf = (node: ProfileNode) => {
    const name = node.callFrame.functionName || "(anonymous)";
    const at = where(node);
    if (!at) return `${name} (native)`;
    return by === "file" ? at.file : `${name} ${at.file}:${at.line}`;
  };
  const isOurs = (node: ProfileNode) => {
    const at = where(node);
    return at !== null && !at.file.includes("node_modules");
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  // Each sample counts one sampling interval: on a loaded machine the thread is descheduled between
  // samples, and weighting by the time since the last sample would charge that wait to a random function.
  const ms = intervalMs(profile);
  profile.samples.forEach((id) => {
    let leaf = byId.get(id);
    if (!leaf) return;
    if (by === "ours") {
      let node: ProfileNode | undefined = leaf;
      while (node && !isOurs(node)) node = byId.get(parent.get(node.id) ?? -1);
      leaf = node ?? leaf;
    }
    const leafKey = keyOf(leaf);
    self.set(leafKey, (self.get(leafKey) ?? 0) + ms);
    const seen = new Set<string>();
    for (let node: ProfileNode | undefined = leaf; node; node = byId.get(parent.get(node.id) ?? -1)) {
      const key = keyOf(node);
      if (seen.has(key)) continue;
      seen.add(key);
      total.set(key, (total.get(key) ?? 0) + ms);
    }
  });
  return [...total.entries()]
    .map(([name, totalMs]) => ({ name, selfMs: self.get(name) ?? 0, totalMs }))
    .sort((a, b) => b.selfMs - a.selfMs);
}
