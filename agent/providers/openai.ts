// OpenAI-compatible Chat Completions over SSE (OpenAI, Ollama, vLLM, llama.cpp): text, reasoning, tool calls, usage.

import { isRecord } from "../../protocol/json";
import { type HttpProviderOptions, postJson, usageNumber } from "./http";
import { openAiChatBody } from "./openai-wire";
import { parseData, readSse } from "./sse";
import { ThinkTagSplitter } from "./think-tags";
import { type ChatRequest, emptyUsage, type Provider, ProviderError, type ProviderEvent, type Usage } from "./types";

export { openAiChatBody } from "./openai-wire";

export type OpenAiOptions = HttpProviderOptions;

const num = usageNumber;

/** OpenAI's prompt_tokens include cached_tokens: uncached input is the difference. */
export function openAiUsage(raw: Record<string, unknown>): Usage {
  const prompt = num(raw.prompt_tokens);
  const cached = isRecord(raw.prompt_tokens_details) ? num(raw.prompt_tokens_details.cached_tokens) : 0;
  const reasoning = isRecord(raw.completion_tokens_details) ? num(raw.completion_tokens_details.reasoning_tokens) : 0;
  return {
    ...emptyUsage(),
    inputTokens: prompt - cached,
    outputTokens: num(raw.completion_tokens),
    cacheReadTokens: cached,
    reasoningTokens: reasoning,
  };
}

type Stop = "stop" | "tool_calls" | "length" | "other";
const STOP: Record<string, Stop> = {
  stop: "stop",
  tool_calls: "tool_calls",
  function_call: "tool_calls",
  length: "length",
};

interface PendingCall {
  id: string;
  name: string;
  argumentsJson: string;
}

/**
 * Tool calls arriving in pieces, keyed by `index`. Servers that leave `index` out (some llama.cpp and Ollama
 * builds send each call whole in one chunk) get one: a piece with a new id starts a call, one without continues
 * the last. A call without an id gets a unique one, so ids never repeat across steps.
 */
export class ToolCallAssembler {
  readonly #calls = new Map<number, PendingCall>();
  #last = -1;

  add(piece: Record<string, unknown>): void {
    const id = typeof piece.id === "string" && piece.id !== "" ? piece.id : null;
    let index: number;
    if (typeof piece.index === "number") index = piece.index;
    else if (id !== null && ![...this.#calls.values()].some((call) => call.id === id)) index = this.#calls.size;
    else index = Math.max(this.#last, 0);
    this.#last = index;
    const call = this.#calls.get(index) ?? { id: "", name: "", argumentsJson: "" };
    if (id !== null) call.id = id;
    const fn = isRecord(piece.function) ? piece.function : {};
    // A name repeated in later pieces replaces, as the official SDK's accumulator does.
    if (typeof fn.name === "string" && fn.name !== "") call.name = fn.name;
    if (typeof fn.arguments === "string") call.argumentsJson += fn.arguments;
    else if (isRecord(fn.arguments)) call.argumentsJson += JSON.stringify(fn.arguments);
    this.#calls.set(index, call);
  }

  get size(): number {
    return this.#calls.size;
  }

  /** The calls in index order, each with an id. */
  finish(): PendingCall[] {
    return [...this.#calls]
      .sort(([a], [b]) => a - b)
      .map(([, call]) => ({ ...call, id: call.id || `call_${crypto.randomUUID().replaceAll("-", "")}` }));
  }
}

/** Reads a Chat Completions stream (shared with Workers AI's OpenAI-shaped streams). */
export async function* readChatStream(events: AsyncIterable<{ data: string }>): AsyncGenerator<ProviderEvent> {
  const calls = new ToolCallAssembler();
  const think = new ThinkTagSplitter();
  let usage: Usage | null = null;
  let stop: Stop = "stop";
  const finish = function* (): Generator<ProviderEvent> {
    for (const piece of think.end())
      yield piece.kind === "text" ? { type: "text", text: piece.text } : { type: "reasoning", text: piece.text };
    for (const call of calls.finish()) yield { type: "tool_call", ...call };
    if (usage) yield { type: "usage", usage };
    yield { type: "done", stopReason: calls.size > 0 ? "tool_calls" : stop };
  };
  for await (const event of events) {
    if (event.data === "[DONE]") {
      yield* finish();
      return;
    }
    const chunk = parseData(event.data);
    if (!isRecord(chunk)) throw new ProviderError("bad_stream", "a chunk is not an object", { retryable: true });
    if (isRecord(chunk.error)) {
      throw new ProviderError("provider_error", `the provider failed mid-stream: ${String(chunk.error.message)}`, {
        retryable: true,
      });
    }
    if (isRecord(chunk.usage)) usage = openAiUsage(chunk.usage);
    const choice = Array.isArray(chunk.choices) ? chunk.choices[0] : undefined;
    if (!isRecord(choice)) continue;
    if (typeof choice.finish_reason === "string") stop = STOP[choice.finish_reason] ?? "other";
    const delta = choice.delta;
    if (!isRecord(delta)) continue;
    const thought = typeof delta.reasoning_content === "string" ? delta.reasoning_content : delta.reasoning;
    if (typeof thought === "string" && thought !== "") yield { type: "reasoning", text: thought };
    if (typeof delta.content === "string" && delta.content !== "") {
      for (const piece of think.push(delta.content))
        yield piece.kind === "text" ? { type: "text", text: piece.text } : { type: "reasoning", text: piece.text };
    }
    if (typeof delta.refusal === "string" && delta.refusal !== "") yield { type: "text", text: delta.refusal };
    if (Array.isArray(delta.tool_calls)) for (const piece of delta.tool_calls) if (isRecord(piece)) calls.add(piece);
  }
  throw new ProviderError("stream_cut", "the stream ended before [DONE]", { retryable: true });
}

/** POSTs to an OpenAI endpoint (`/chat/completions`, `/responses`) with the bearer key and extra headers. */
export function postOpenAi(options: OpenAiOptions, path: string, request: ChatRequest, body: unknown) {
  const headers = {
    ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
    ...options.headers?.(request),
  };
  return postJson(options.fetch, `${options.baseUrl}${path}`, headers, body, request.signal);
}

export function openAiProvider(options: OpenAiOptions): Provider {
  return {
    name: "openai",
    async *stream(request): AsyncIterable<ProviderEvent> {
      const { body: stream, meta } = await postOpenAi(options, "/chat/completions", request, openAiChatBody(request));
      yield meta;
      yield* readChatStream(readSse(stream, request.signal, options.idleTimeoutMs));
    },
  };
}
