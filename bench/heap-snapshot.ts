// A V8 heap snapshot (the `.heapsnapshot` JSON the inspector streams) summed by kind of object: for each
// constructor (objects), function name (closures) or internal kind (strings, arrays, code, hidden), how many
// live and their self size; and the difference of two such summaries, per session. A closure is named with its
// source line (through `resolve`, the bundle's source map) and an object's out-of-object property store with
// its owner's constructor, so a per-session cost points at the code that makes it.

import type { Resolve } from "./cpu-profile.ts";

/** The parts of a `.heapsnapshot` this reads. */
interface Snapshot {
  snapshot: {
    meta: { node_fields: string[]; node_types: unknown[]; edge_fields: string[]; location_fields?: string[] };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
  locations?: number[];
}

/** Count and self size in bytes per kind of object. */
export type HeapSummary = Map<string, { count: number; bytes: number }>;

/** The kind a node is summed under: its constructor, `closure name`, or `(type)` for the runtime's own. */
function kindOf(type: string, name: string): string {
  if (type === "object" || type === "native") return name;
  if (type === "closure") return `closure ${name || "(anonymous)"}`;
  if (type === "array" || type === "hidden" || type === "object shape") return `(${type}) ${name.slice(0, 40)}`;
  return `(${type})`;
}

/** The index of each named field in `fields` (the snapshot's meta), or an error naming the missing one. */
function indexes(fields: string[], names: string[]): number[] {
  return names.map((name) => {
    const at = fields.indexOf(name);
    if (at < 0) throw new Error(`a heap snapshot without ${name}`);
    return at;
  });
}

/** Where each closure was defined ("file:line"), by node offset, when the snapshot has locations. */
function closureLines(parsed: Snapshot, resolve: Resolve | null): Map<number, string> {
  const lines = new Map<number, string>();
  const fields = parsed.snapshot.meta.location_fields;
  if (!resolve || !fields || !parsed.locations) return lines;
  const [objectAt = 0, lineAt = 2, columnAt = 3] = indexes(fields, ["object_index", "line", "column"]);
  for (let i = 0; i < parsed.locations.length; i += fields.length) {
    const where = resolve(parsed.locations[i + lineAt] ?? 0, parsed.locations[i + columnAt] ?? 0);
    if (where) lines.set(parsed.locations[i + objectAt] ?? 0, `${where.file}:${where.line}`);
  }
  return lines;
}

/** The owner's name of each out-of-object property store, by the store's node offset. */
function propertyOwners(
  parsed: Snapshot,
  nameOf: (offset: number) => string,
  kindAt: (offset: number) => string,
): Map<number, string> {
  const { node_fields: nodeFields, edge_fields: edgeFields } = parsed.snapshot.meta;
  const [countAt = 0] = indexes(nodeFields, ["edge_count"]);
  const [toAt = 0] = indexes(edgeFields, ["to_node"]);
  const owners = new Map<number, string>();
  let edge = 0;
  for (let node = 0; node < parsed.nodes.length; node += nodeFields.length) {
    const count = parsed.nodes[node + countAt] ?? 0;
    for (let k = 0; k < count; k++, edge += edgeFields.length) {
      const to = parsed.edges[edge + toAt] ?? 0;
      if (nameOf(to) === "(object properties)" && !owners.has(to)) owners.set(to, kindAt(node));
    }
  }
  return owners;
}

/** Sums the snapshot's nodes by kind (closures by source line when `resolve` maps the bundle). */
export function summarise(json: string, resolve: Resolve | null = null): HeapSummary {
  const parsed = JSON.parse(json) as Snapshot;
  const fields = parsed.snapshot.meta.node_fields;
  const types = parsed.snapshot.meta.node_types[0];
  if (!Array.isArray(types)) throw new Error("a heap snapshot without node types");
  const [typeAt = 0, nameAt = 1, sizeAt = 3] = indexes(fields, ["type", "name", "self_size"]);
  const summary: HeapSummary = new Map();
  const { nodes, strings } = parsed;
  const nameOf = (offset: number) => strings[nodes[offset + nameAt] ?? 0] ?? "";
  const lines = closureLines(parsed, resolve);
  const kindAt = (offset: number) => {
    const kind = kindOf(String(types[nodes[offset + typeAt] ?? 0]), nameOf(offset));
    const line = lines.get(offset);
    return line === undefined ? kind : `${kind} @${line}`;
  };
  const owners = propertyOwners(parsed, nameOf, kindAt);
  for (let i = 0; i < nodes.length; i += fields.length) {
    const owner = owners.get(i);
    const kind = owner === undefined ? kindAt(i) : `(properties of) ${owner}`;
    const entry = summary.get(kind) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += nodes[i + sizeAt] ?? 0;
    summary.set(kind, entry);
  }
  return summary;
}

/** What `after` holds beyond `before`, per session, largest first (kinds that grew by under 0.5 objects left out). */
export function perSession(
  before: HeapSummary,
  after: HeapSummary,
  sessions: number,
): { kind: string; count: number; bytes: number }[] {
  const rows: { kind: string; count: number; bytes: number }[] = [];
  for (const [kind, { count, bytes }] of after) {
    const was = before.get(kind) ?? { count: 0, bytes: 0 };
    const grew = { kind, count: (count - was.count) / sessions, bytes: (bytes - was.bytes) / sessions };
    if (Math.abs(grew.count) >= 0.5 || Math.abs(grew.bytes) >= 16) rows.push(grew);
  }
  return rows.sort((a, b) => b.bytes - a.bytes);
}

/** The self size of everything in the summary. */
export function totalBytes(summary: HeapSummary): number {
  let total = 0;
  for (const { bytes } of summary.values()) total += bytes;
  return total;
}
