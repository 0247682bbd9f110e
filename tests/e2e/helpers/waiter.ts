// Waits for a condition over frames that arrive on a socket: woken on each frame, bounded by a deadline,
// its timers always cleared.

export class Waiter {
  readonly #waiters = new Set<() => void>();

  /** Call on every frame (and on close): re-checks every pending condition. */
  wake(): void {
    for (const wake of this.#waiters) wake();
  }

  async until(predicate: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; ${describe()}`);
      let timer: NodeJS.Timeout | undefined;
      let wake: (() => void) | undefined;
      await new Promise<void>((resolve) => {
        wake = resolve;
        this.#waiters.add(resolve);
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
      if (wake) this.#waiters.delete(wake);
    }
  }
}
