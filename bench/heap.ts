// The JS heap of a `wrangler dev` worker's isolate, read through workerd's inspector (`Runtime.getHeapUsage`):
// what the code's objects hold (closures, caches, statements' wrappers), apart from SQLite and the runtime.

import { Inspector } from "./inspector.ts";

/** A reader of the used JS heap in bytes of the isolate on inspector `port` (connects on first use). */
export function jsHeap(port: number): () => Promise<number> {
  let inspector: Promise<Inspector> | undefined;
  return async () => {
    inspector ??= Inspector.open(port);
    const usage = await (await inspector).send<{ usedSize?: number }>("Runtime.getHeapUsage");
    if (typeof usage?.usedSize !== "number") throw new Error("the inspector did not report the heap");
    return usage.usedSize;
  };
}
