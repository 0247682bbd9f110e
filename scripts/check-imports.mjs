// The import-graph check run by `npm test`: no circle, no upward import outside a short allow-list, config loaded only at the edge.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * The layers, lowest first. A module may import its own layer and any lower one. The same list, with
 * the reasons, is in docs/architecture.md.
 */
export const LAYERS = [
  { name: "protocol", dirs: ["protocol", "log"] },
  { name: "config", dirs: ["config"] },
  { name: "sandbox", dirs: ["sandbox"] },
  { name: "agent", dirs: ["agent", "channels/telegram"] },
  { name: "objects", dirs: ["objects", "migrations"] },
  { name: "edge", dirs: ["worker", "channels/openai"] },
];

/** Separate programs that share only the protocol: they may import protocol/ and nothing else of ours. */
const CLIENTS = ["web/src"];

/**
 * Upward imports that stay, each with its reason (at most two).
 * - The Telegram chat object starts a session for a message the way the edge does: `createSession` is the one
 *   session lifecycle (session object, then the owner's directory, then the admin index), kept in one place.
 */
export const ALLOWED_UPWARD = [{ from: "objects/telegram/chat-actions.ts", to: "worker/sessions.ts" }];

/** Only the edge (worker/) reads the environment into a configuration: the loader is not for lower layers. */
const LOADER = "config/load.ts";
const LOADER_USERS = ["worker"];

const SOURCE = /\.(ts|tsx|mts)$/;

function sourceFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "dist" || name.startsWith(".")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (SOURCE.test(name) && !name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

function resolveImport(from, specifier) {
  if (!specifier.startsWith(".")) return null;
  const base = resolve(dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, "index.ts")]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not this candidate
    }
  }
  return null;
}

function layerOf(file) {
  const rel = relative(ROOT, file);
  const index = LAYERS.findIndex((layer) => layer.dirs.some((dir) => rel === dir || rel.startsWith(`${dir}/`)));
  return index === -1 ? null : index;
}

/** The import graph of the checked layers and clients: file → files it imports (value imports and types alike). */
export function importGraph() {
  const dirs = [...LAYERS.flatMap((layer) => layer.dirs), ...CLIENTS].map((dir) => join(ROOT, dir));
  const graph = new Map();
  for (const file of dirs.flatMap((dir) => sourceFiles(dir))) {
    const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
    const targets = info.importedFiles.map((ref) => resolveImport(file, ref.fileName)).filter((t) => t !== null);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Every elementary circle found by a depth-first search (one per back edge). */
export function circles(graph) {
  const found = [];
  const state = new Map();
  const stack = [];
  const visit = (file) => {
    state.set(file, "open");
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === "open") found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

/** Every problem of the graph, as readable lines. */
export function problems(graph) {
  const rel = (file) => relative(ROOT, file);
  const out = [];
  for (const circle of circles(graph)) out.push(`circle: ${circle.map(rel).join(" → ")}`);
  for (const [file, targets] of graph) {
    const from = rel(file);
    const client = CLIENTS.some((dir) => from.startsWith(`${dir}/`));
    for (const target of targets) {
      const to = rel(target);
      if (client) {
        if (!to.startsWith("protocol/") && !CLIENTS.some((dir) => to.startsWith(`${dir}/`)))
          out.push(`client import outside protocol/: ${from} → ${to}`);
        continue;
      }
      const fromLayer = layerOf(file);
      const toLayer = layerOf(target);
      if (fromLayer === null || toLayer === null) continue;
      if (to === LOADER && !LOADER_USERS.some((dir) => from.startsWith(`${dir}/`)))
        out.push(`config loader imported below the edge: ${from} → ${to}`);
      if (toLayer > fromLayer && !ALLOWED_UPWARD.some((edge) => edge.from === from && edge.to === to))
        out.push(`upward import (${LAYERS[fromLayer].name} → ${LAYERS[toLayer].name}): ${from} → ${to}`);
    }
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const found = problems(importGraph());
  for (const line of found) console.error(line);
  if (found.length > 0) {
    console.error(`import graph: ${found.length} problem(s); the layers are in docs/architecture.md`);
    process.exit(1);
  }
  console.log("import graph: no circle, no upward import beyond the allow-list");
}
