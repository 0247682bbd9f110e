// Settlements of model calls on their way to the usage objects: off the answer's critical path (a turn
// ends when its answer is delivered), yet in order: the session's next admission waits for them. A turn's
// end rides with its last settlement when that has not gone yet (one call to the usage object, not two).

import { log } from "../../../log/logger";

/** A queued settlement: its turn, and whether it also ends that turn. */
interface Queued {
  turnId: string;
  endsTurn: boolean;
  started: boolean;
}

/** Resolves after the current task: the work of the turn that queued a settlement finishes first. */
const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export class Settlements {
  #tail: Promise<void> = Promise.resolve();
  #last: Queued | undefined;

  /**
   * Queues a settlement after those before it; a failure is logged, never thrown into a later call. It
   * starts after the current task, so a turn that ends right after its last call ends with it.
   */
  add(turnId: string, work: (endsTurn: boolean) => Promise<void>): void {
    const queued: Queued = { turnId, endsTurn: false, started: false };
    this.#last = queued;
    this.#chain(async () => {
      await nextTask();
      queued.started = true;
      await work(queued.endsTurn);
    });
  }

  /** Ends a turn: with its last settlement when that has not started, else with `alone` after the queue. */
  endTurn(turnId: string, alone: () => Promise<void>): void {
    const last = this.#last;
    if (last && !last.started && last.turnId === turnId) last.endsTurn = true;
    else this.#chain(alone);
  }

  /** Resolves once every settlement queued so far is done. */
  idle(): Promise<void> {
    return this.#tail;
  }

  #chain(work: () => Promise<void>): void {
    this.#tail = this.#tail.then(work).catch((error: unknown) => {
      log.error("settlement failed", { error: String(error) });
    });
  }
}
