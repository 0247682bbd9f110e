// Splits `<think>…</think>` blocks of open models (DeepSeek-R1, Qwen3 …) out of streamed text, tags split anywhere.

const OPEN = "<think>";
const CLOSE = "</think>";

export interface ThinkPiece {
  kind: "text" | "reasoning";
  text: string;
}

/**
 * Feeds text pieces in order; returns what is certain so far, holding back a possible half tag. Only a block
 * that opens the answer (before any other text) is reasoning: a `<think>` later in the text is just text.
 */
export class ThinkTagSplitter {
  #inside = false;
  #held = "";
  #answered = false;

  push(piece: string): ThinkPiece[] {
    let buffer = this.#held + piece;
    this.#held = "";
    const out: ThinkPiece[] = [];
    for (;;) {
      if (this.#answered) {
        this.#emit(out, buffer);
        return out;
      }
      const tag = this.#inside ? CLOSE : OPEN;
      const at = buffer.indexOf(tag);
      if (at >= 0 && !this.#inside && buffer.slice(0, at).trim() !== "") {
        this.#emit(out, buffer);
        return out;
      }
      if (at >= 0) {
        this.#emit(out, buffer.slice(0, at));
        buffer = buffer.slice(at + tag.length);
        this.#inside = !this.#inside;
        continue;
      }
      // Keep back the longest tail that could start the tag.
      let keep = 0;
      for (let n = Math.min(tag.length - 1, buffer.length); n > 0; n--) {
        if (tag.startsWith(buffer.slice(buffer.length - n))) {
          keep = n;
          break;
        }
      }
      this.#emit(out, buffer.slice(0, buffer.length - keep));
      this.#held = buffer.slice(buffer.length - keep);
      return out;
    }
  }

  /** The held-back rest at the end of the stream. */
  end(): ThinkPiece[] {
    const out: ThinkPiece[] = [];
    this.#emit(out, this.#held);
    this.#held = "";
    return out;
  }

  #emit(out: ThinkPiece[], text: string): void {
    if (text === "") return;
    if (!this.#inside && text.trim() !== "") this.#answered = true;
    out.push({ kind: this.#inside ? "reasoning" : "text", text });
  }
}
