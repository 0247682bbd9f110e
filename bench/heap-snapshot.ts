// A V8 heap snapshot (the `.heapsnapshot` JSON the inspector streams) summed by kind of object: for each
// constructor (objects), function name (closures) or internal kind (strings, arrays, code, hidden), how many
// live and their self size; and the difference of two such summaries, per session.

/** The parts of a `.heapsnapshot` this reads. */
interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: unknown[] } };
  nodes: number[];
  strings: string[];
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

/** Sums the snapshot's nodes by kind. */
export function summarise(json: string): HeapSummary {
  const parsed = JSON.parse(json) as Snapshot;
  const fields = parsed.snapshot.meta.node_fields;
  const types = parsed.snapshot.meta.node_types[0];
  if (!Array.isArray(types)) throw new Error("a heap snapshot without node types");
  const [typeAt, nameAt, sizeAt] = ["type", "name", "self_size"].map((field) => fields.indexOf(field));
  if (typeAt === undefined || nameAt === undefined || sizeAt === undefined || Math.min(typeAt, nameAt, sizeAt) < 0)
    throw new Error("a heap snapshot without type, name and self_size");
  const summary: HeapSummary = new Map();
  const { nodes, strings } = parsed;
  for (let i = 0; i < nodes.length; i += fields.length) {
    const kind = kindOf(String(types[nodes[i + typeAt] ?? 0]), strings[nodes[i + nameAt] ?? 0] ?? "");
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
