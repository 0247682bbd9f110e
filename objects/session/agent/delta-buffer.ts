// Coalesces streamed text into few assistant_delta events: the first piece goes at once, later ones at most
// every DELTA_MAX_DELAY_MS (or when DELTA_MAX_CHARS pile up), so text is never held back longer than that.

/** Text is never held back longer than this. */
export const DELTA_MAX_DELAY_MS = 50;
/** A buffer this large is flushed at once. */
export const DELTA_MAX_CHARS = 8 * 1024;

export class DeltaBuffer {
  readonly #emit: (text: string) => void;
  readonly #now: () => number;
  #pending = "";
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastFlush = Number.NEGATIVE_INFINITY;
  /** Everything pushed so far (the step's whole text). */
  text = "";

  constructor(emit: (text: string) => void, now: () => number = Date.now) {
    this.#emit = emit;
    this.#now = now;
  }

  push(piece: string): void {
    if (piece === "") return;
    this.text += piece;
    this.#pending += piece;
    const wait = this.#lastFlush + DELTA_MAX_DELAY_MS - this.#now();
    if (wait <= 0 || this.#pending.length >= DELTA_MAX_CHARS) {
      this.flush();
      return;
    }
    this.#timer ??= setTimeout(() => this.flush(), wait);
  }

  /** Emits what is pending now (before any other event, so order holds). */
  flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending === "") return;
    const text = this.#pending;
    this.#pending = "";
    this.#lastFlush = this.#now();
    this.#emit(text);
  }
}
