// Coalesces streamed text into few assistant_delta events: flushed after at most MAX_DELAY_MS or MAX_CHARS.

/** Text is never held back longer than this. */
export const DELTA_MAX_DELAY_MS = 50;
/** A buffer this large is flushed at once. */
export const DELTA_MAX_CHARS = 8 * 1024;

export class DeltaBuffer {
  readonly #emit: (text: string) => void;
  #pending = "";
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Everything pushed so far (the step's whole text). */
  text = "";

  constructor(emit: (text: string) => void) {
    this.#emit = emit;
  }

  push(piece: string): void {
    if (piece === "") return;
    this.text += piece;
    this.#pending += piece;
    if (this.#pending.length >= DELTA_MAX_CHARS) {
      this.flush();
      return;
    }
    this.#timer ??= setTimeout(() => this.flush(), DELTA_MAX_DELAY_MS);
  }

  /** Emits what is pending now (before any other event, so order holds). */
  flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending === "") return;
    const text = this.#pending;
    this.#pending = "";
    this.#emit(text);
  }
}
