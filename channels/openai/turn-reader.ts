// Follows one turn's stored events and turns them into the answer's text pieces, usage and outcome.

import type { SessionEvent } from "../../protocol/frames";
import type { CompletionUsage, FinishReason } from "../../protocol/openai-compat";

/** How a turn ended, for the caller. */
export type TurnOutcome = { ok: true; finishReason: FinishReason } | { ok: false; code: string; message: string };

/** Between the text of two model steps (the steps around a tool call) the answer gets a blank line. */
export const STEP_SEPARATOR = "\n\n";

export class TurnReader {
  /** The id of the completion: the session and the seq of the user message it answers. */
  id = "";
  /** The whole answer so far. */
  content = "";
  readonly usage: CompletionUsage = {
    prompt_tokens: 0,
    completion_tokens: 0,
    total_tokens: 0,
    prompt_tokens_details: { cached_tokens: 0 },
  };
  #stepText = "";
  #separate = false;
  #lastError: { code: string; message: string } | null = null;
  #endReason: string | null = null;

  constructor(readonly sessionId: string) {}

  /** Whether the turn has ended (a command's answer ends without a turn). */
  get ended(): boolean {
    return this.#endReason !== null;
  }

  /** Feeds the next event; returns the text it adds to the answer ("" when none). */
  feed(event: SessionEvent): string {
    switch (event.type) {
      case "user_message":
        if (this.id === "") this.id = `chatcmpl-${this.sessionId}-${event.seq}`;
        return "";
      case "assistant_delta":
        this.#stepText += event.text;
        return this.#add(event.text);
      case "assistant_message": {
        // A provider that did not stream gives the whole step here; a streamed step adds nothing new.
        const rest = event.text.startsWith(this.#stepText) ? event.text.slice(this.#stepText.length) : "";
        const piece = this.#add(rest);
        this.#stepText = "";
        this.#separate = this.content !== "";
        return piece;
      }
      case "notice": {
        const piece = this.#add(event.text);
        this.#separate = true;
        return piece;
      }
      case "usage": {
        const prompt = event.inputTokens + event.cacheReadTokens + event.cacheWriteTokens;
        this.usage.prompt_tokens += prompt;
        this.usage.completion_tokens += event.outputTokens;
        this.usage.total_tokens += prompt + event.outputTokens;
        this.usage.prompt_tokens_details.cached_tokens += event.cacheReadTokens;
        return "";
      }
      case "error":
        this.#lastError = { code: event.code, message: event.message };
        return "";
      case "turn_end":
        this.#endReason = event.reason;
        return "";
      default:
        return "";
    }
  }

  /** The session's stream ended before the turn did (the object restarted): the turn goes on in the session. */
  breakOff(): void {
    if (this.#endReason !== null) return;
    this.#lastError = { code: "turn_interrupted", message: "the answer stopped streaming; the session keeps the turn" };
    this.#endReason = "interrupted";
  }

  #add(text: string): string {
    if (text === "") return "";
    const piece = this.#separate ? STEP_SEPARATOR + text : text;
    this.#separate = false;
    this.content += piece;
    return piece;
  }

  /** The outcome once the events are over: a finished, cancelled or cut turn answers; the rest are errors. */
  outcome(): TurnOutcome {
    const reason = this.#endReason;
    if (reason === null || reason === "done" || reason === "cancelled") return { ok: true, finishReason: "stop" };
    if (reason === "step_limit") return { ok: true, finishReason: "length" };
    return this.#lastError
      ? { ok: false, ...this.#lastError }
      : {
          ok: false,
          code: reason === "interrupted" ? "turn_interrupted" : reason,
          message: `the turn ended: ${reason}`,
        };
  }
}
