// Settlements of model calls on their way to the usage objects: off the answer's critical path (a turn
// ends when its answer is delivered), yet in order: the session's next admission waits for them.

import { log } from "../../../log/logger";

export class Settlements {
  #tail: Promise<void> = Promise.resolve();

  /** Queues a settlement after those before it; a failure is logged, never thrown into a later call. */
  add(work: () => Promise<void>): void {
    this.#tail = this.#tail.then(work).catch((error: unknown) => {
      log.error("settlement failed", { error: String(error) });
    });
  }

  /** Resolves once every settlement queued so far is done. */
  idle(): Promise<void> {
    return this.#tail;
  }
}
