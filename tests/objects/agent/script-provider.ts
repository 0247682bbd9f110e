// A scripted in-memory Provider for turn tests: each call takes the next script (events, errors, delays).
// Like the real APIs it refuses a request that OpenAI or Anthropic would answer 400 (the wire checker).

import { anthropicBody } from "../../../agent/providers/anthropic-wire";
import { openAiChatBody } from "../../../agent/providers/openai-wire";
import {
  type ChatRequest,
  type Provider,
  ProviderError,
  type ProviderEvent,
  type ReasoningPart,
  type Usage,
} from "../../../agent/providers/types";
import { checkWire } from "../../../agent/providers/wire-check/index";

export type Step =
  | { kind: "text"; pieces: string[]; delayMs?: number; usage?: Partial<Usage> }
  | {
      kind: "tools";
      calls: { id: string; name: string; argumentsJson: string }[];
      text?: string;
      /** Reasoning streamed before the calls, and the blocks that must come back with them. */
      reasoning?: { text: string; parts: ReasoningPart[] };
    }
  | { kind: "error"; error: ProviderError }
  | { kind: "cut"; pieces: string[] };

export const usage = (extra: Partial<Usage> = {}): Usage => ({
  inputTokens: 10,
  outputTokens: 5,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
  source: "provider",
  ...extra,
});

function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(new ProviderError("aborted", "aborted", { retryable: false }));
    });
  });
}

export class ScriptProvider implements Provider {
  readonly name = "openai" as const;
  readonly requests: ChatRequest[] = [];
  readonly #steps: Step[];

  constructor(steps: Step[]) {
    this.#steps = steps;
  }

  async *stream(request: ChatRequest): AsyncIterable<ProviderEvent> {
    this.requests.push(request);
    const violations = [
      ...checkWire("openai-chat", openAiChatBody(request)),
      ...checkWire("anthropic", anthropicBody(request)),
    ];
    if (violations.length > 0) {
      const message = `400 from the provider: ${violations.map((v) => v.message).join("; ")}`;
      throw new ProviderError("provider_error", message, { retryable: false, status: 400 });
    }
    const step = this.#steps.shift();
    if (!step) throw new Error("the script has no more steps");
    if (step.kind === "error") throw step.error;
    if (step.kind === "text" || step.kind === "cut") {
      for (const piece of step.pieces) {
        if (step.kind === "text" && step.delayMs) await wait(step.delayMs, request.signal);
        if (request.signal?.aborted) throw new ProviderError("aborted", "aborted", { retryable: false });
        yield { type: "text", text: piece };
      }
      if (step.kind === "cut") throw new ProviderError("stream_cut", "the stream ended early", { retryable: true });
      yield { type: "usage", usage: usage(step.usage) };
      yield { type: "done", stopReason: "stop" };
      return;
    }
    if (step.reasoning) {
      yield { type: "reasoning", text: step.reasoning.text };
      for (const part of step.reasoning.parts) yield { type: "reasoning_part", part };
    }
    if (step.text) yield { type: "text", text: step.text };
    for (const call of step.calls) yield { type: "tool_call", ...call };
    yield { type: "usage", usage: usage() };
    yield { type: "done", stopReason: "tool_calls" };
  }
}
