// The JS heap of a `wrangler dev` worker's isolate, read through workerd's inspector after a forced full garbage
// collection: what the code's objects hold alive (closures, caches, statements' wrappers), apart from SQLite and
// the runtime. V8 runs `HeapProfiler.collectGarbage` as a task on the isolate's thread, and workerd runs such
// tasks when a request next enters the isolate: so the collection is asked for, then a request pokes the worker
// until the inspector answers. (A heap snapshot also collects first, but it leaves workerd's resident set
// hundreds of MiB larger for good, which would spoil every later RSS reading: snapshots are for bench:heap.)

import { Inspector } from "./inspector.ts";

/** Forces a full garbage collection: asks for it, and pokes the worker (`poke`) until it has run. */
export async function collectGarbage(inspector: Inspector, poke: () => Promise<void>): Promise<void> {
  let collected = false;
  const done = inspector.send("HeapProfiler.collectGarbage").then(() => {
    collected = true;
  });
  while (!collected) {
    await poke();
    // Paces the pokes while the answer is on its way (it follows the request that ran the collection).
    await Promise.race([done, new Promise((paced) => setTimeout(paced, 50))]);
  }
}

/** The used JS heap in bytes, right after a forced full garbage collection. */
export async function liveHeap(inspector: Inspector, poke: () => Promise<void>): Promise<number> {
  await collectGarbage(inspector, poke);
  return heapUsage(inspector);
}

/** The isolate's used JS heap in bytes, as it is now. */
async function heapUsage(inspector: Inspector): Promise<number> {
  const usage = await inspector.send<{ usedSize?: number }>("Runtime.getHeapUsage");
  if (typeof usage?.usedSize !== "number") throw new Error("the inspector did not report the heap");
  return usage.usedSize;
}

/**
 * Takes a heap snapshot (a full garbage collection first), hands its JSON chunks to `chunk`, and resolves with
 * the used heap in bytes right after it. The isolate answers its inspector in order, so the reply to the
 * `Runtime.getHeapUsage` sent after the snapshot comes after its last chunk.
 */
export async function snapshotThenUsage(inspector: Inspector, chunk: (text: string) => void): Promise<number> {
  inspector.on<{ chunk: string }>("HeapProfiler.addHeapSnapshotChunk", (params) => chunk(params.chunk));
  try {
    inspector.post("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
    return await heapUsage(inspector);
  } finally {
    inspector.on("HeapProfiler.addHeapSnapshotChunk", undefined);
  }
}

/** A request that enters the worker's isolate (any answer will do: it runs the worker's code). */
export function pokeWorker(base: string): () => Promise<void> {
  return async () => {
    await (await fetch(`${base}/api/bench-heap-poke`)).arrayBuffer();
  };
}

/**
 * A reader of the live JS heap in bytes of the worker at `base`, whose isolate's inspector is on `port`
 * (connects on first use).
 */
export function jsHeap(port: number, base: string): () => Promise<number> {
  let inspector: Promise<Inspector> | undefined;
  const poke = pokeWorker(base);
  return async () => {
    inspector ??= Inspector.open(port);
    return liveHeap(await inspector, poke);
  };
}
