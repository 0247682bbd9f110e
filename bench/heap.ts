// The JS heap of a `wrangler dev` worker's isolate, read through workerd's inspector after a forced full garbage
// collection: what the code's objects hold alive (closures, caches, statements' wrappers), apart from SQLite and
// the runtime. workerd leaves `HeapProfiler.collectGarbage` unanswered and runs no collection for it (V8 runs it
// as a posted task that workerd's inspector thread never runs), while V8 collects all garbage before it takes a
// heap snapshot: so a snapshot is the forced collection, its chunks discarded when only the size is wanted.

import { Inspector } from "./inspector.ts";

/**
 * Takes a heap snapshot (a full garbage collection first), hands its JSON chunks to `chunk`, and resolves with
 * the used heap in bytes right after it. The isolate answers its inspector in order, so the reply to the
 * `Runtime.getHeapUsage` sent after the snapshot comes after its last chunk.
 */
export async function snapshotThenUsage(inspector: Inspector, chunk: (text: string) => void): Promise<number> {
  inspector.on<{ chunk: string }>("HeapProfiler.addHeapSnapshotChunk", (params) => chunk(params.chunk));
  try {
    inspector.post("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
    const usage = await inspector.send<{ usedSize?: number }>("Runtime.getHeapUsage");
    if (typeof usage?.usedSize !== "number") throw new Error("the inspector did not report the heap");
    return usage.usedSize;
  } finally {
    inspector.on("HeapProfiler.addHeapSnapshotChunk", undefined);
  }
}

/** The used JS heap in bytes after a full garbage collection. */
export function liveHeap(inspector: Inspector): Promise<number> {
  return snapshotThenUsage(inspector, () => {});
}

/** A reader of the live JS heap in bytes of the isolate on inspector `port` (connects on first use). */
export function jsHeap(port: number): () => Promise<number> {
  let inspector: Promise<Inspector> | undefined;
  return async () => {
    inspector ??= Inspector.open(port);
    return liveHeap(await inspector);
  };
}
