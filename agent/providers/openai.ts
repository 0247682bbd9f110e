// OpenAI-compatible Chat Completions over SSE (OpenAI, Ollama, vLLM, llama.cpp): text, tool calls, usage.

import { isRecord } from "../../protocol/json";
import { type FetchLike, postJson } from "./http";
import { parseData, readSse } from "./sse";
import {
  type ChatMessage,
  type ChatRequest,
  emptyUsage,
  type Provider,
  ProviderError,
  type ProviderEvent,
  type Usage,
} from "./types";

export interface OpenAiOptions {
  baseUrl: string;
  apiKey?: string;
  /** Extra headers on every call (AI Gateway's). */
  headers?: (request: ChatRequest) => Record<string, string>;
  fetch: FetchLike;
  /** A stream silent this long fails as stalled. */
  idleTimeoutMs?: number;
}

function toWire(system: string | undefined, messages: ChatMessage[]): unknown[] {
  const wire: unknown[] = system ? [{ role: "system", content: system }] : [];
  for (const message of messages) {
    if (message.role === "tool")
      wire.push({ role: "tool", tool_call_id: message.toolCallId, content: message.content });
    else if (message.role === "user") wire.push({ role: "user", content: message.content });
    else {
      const calls = message.toolCalls ?? [];
      wire.push({
        role: "assistant",
        content: message.content === "" && calls.length > 0 ? null : message.content,
        ...(calls.length > 0
          ? {
              tool_calls: calls.map((c) => ({
                id: c.id,
                type: "function",
                function: { name: c.name, arguments: c.argumentsJson },
              })),
            }
          : {}),
      });
    }
  }
  return wire;
}

const num = (value: unknown): number => (typeof value === "number" && Number.isFinite(value) ? value : 0);

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

const STOP: Record<string, "stop" | "tool_calls" | "length"> = {
  stop: "stop",
  tool_calls: "tool_calls",
  length: "length",
};

export function openAiProvider(options: OpenAiOptions): Provider {
  return {
    name: "openai",
    async *stream(request): AsyncIterable<ProviderEvent> {
      const body = {
        model: request.model,
        stream: true,
        stream_options: { include_usage: true },
        messages: toWire(request.system, request.messages),
        ...(request.tools && request.tools.length > 0
          ? { tools: request.tools.map((t) => ({ type: "function", function: t })) }
          : {}),
        ...(request.maxTokens ? { max_tokens: request.maxTokens } : {}),
      };
      const headers = {
        ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
        ...options.headers?.(request),
      };
      const { body: stream, meta } = await postJson(
        options.fetch,
        `${options.baseUrl}/chat/completions`,
        headers,
        body,
        request.signal,
      );
      yield meta;
      const calls = new Map<number, { id: string; name: string; argumentsJson: string }>();
      let usage: Usage | null = null;
      let stop: "stop" | "tool_calls" | "length" | "other" = "stop";
      for await (const event of readSse(stream, request.signal, options.idleTimeoutMs)) {
        if (event.data === "[DONE]") {
          for (const [, call] of [...calls].sort(([a], [b]) => a - b)) yield { type: "tool_call", ...call };
          if (usage) yield { type: "usage", usage };
          yield { type: "done", stopReason: calls.size > 0 ? "tool_calls" : stop };
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
        if (typeof delta.content === "string" && delta.content !== "") yield { type: "text", text: delta.content };
        if (Array.isArray(delta.tool_calls)) {
          for (const piece of delta.tool_calls) {
            if (!isRecord(piece)) continue;
            const index = num(piece.index);
            const call = calls.get(index) ?? { id: "", name: "", argumentsJson: "" };
            if (typeof piece.id === "string") call.id = piece.id;
            const fn = isRecord(piece.function) ? piece.function : {};
            if (typeof fn.name === "string") call.name += fn.name;
            if (typeof fn.arguments === "string") call.argumentsJson += fn.arguments;
            if (!call.id) call.id = `call_${index}`;
            calls.set(index, call);
          }
        }
      }
      throw new ProviderError("stream_cut", "the stream ended before [DONE]", { retryable: true });
    },
  };
}
