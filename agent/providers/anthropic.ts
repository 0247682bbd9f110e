// Anthropic Messages over SSE: text, thinking (with signatures), tool_use blocks, and usage with cache reads and writes.

import { isRecord } from "../../protocol/json";
import { anthropicBody } from "./anthropic-wire";
import { type HttpProviderOptions, postJson, usageNumber } from "./http";
import { parseData, readSse } from "./sse";
import { emptyUsage, type Provider, ProviderError, type ProviderEvent, type Usage } from "./types";

export const ANTHROPIC_VERSION = "2023-06-01";
export { anthropicBody, DEFAULT_MAX_TOKENS } from "./anthropic-wire";

export type AnthropicOptions = HttpProviderOptions;

const num = usageNumber;

/** Folds a usage object into the running totals: later (cumulative) figures replace earlier ones. */
export function foldAnthropicUsage(total: Usage, raw: Record<string, unknown>): Usage {
  const next = { ...total };
  if (typeof raw.input_tokens === "number") next.inputTokens = raw.input_tokens;
  if (typeof raw.output_tokens === "number") next.outputTokens = raw.output_tokens;
  if (typeof raw.cache_read_input_tokens === "number") next.cacheReadTokens = raw.cache_read_input_tokens;
  if (typeof raw.cache_creation_input_tokens === "number") next.cacheWriteTokens = raw.cache_creation_input_tokens;
  if (isRecord(raw.cache_creation)) {
    next.cacheWrite5mTokens = num(raw.cache_creation.ephemeral_5m_input_tokens);
    next.cacheWrite1hTokens = num(raw.cache_creation.ephemeral_1h_input_tokens);
  }
  return next;
}

const STOP: Record<string, "stop" | "tool_calls" | "length"> = {
  end_turn: "stop",
  stop_sequence: "stop",
  tool_use: "tool_calls",
  max_tokens: "length",
};

export function anthropicProvider(options: AnthropicOptions): Provider {
  return {
    name: "anthropic",
    async *stream(request): AsyncIterable<ProviderEvent> {
      const body = anthropicBody(request);
      const headers = {
        "anthropic-version": ANTHROPIC_VERSION,
        ...(options.apiKey ? { "x-api-key": options.apiKey } : {}),
        ...options.headers?.(request),
      };
      const { body: stream, meta } = await postJson(
        options.fetch,
        `${options.baseUrl}/v1/messages`,
        headers,
        body,
        request.signal,
      );
      yield meta;
      const blocks = new Map<number, { id: string; name: string; argumentsJson: string }>();
      const thoughts = new Map<number, { text: string; signature: string }>();
      let usage = emptyUsage();
      let stop: "stop" | "tool_calls" | "length" | "other" = "stop";
      for await (const event of readSse(stream, request.signal, options.idleTimeoutMs)) {
        const data = parseData(event.data);
        if (!isRecord(data)) throw new ProviderError("bad_stream", "an event is not an object", { retryable: true });
        const type = typeof data.type === "string" ? data.type : event.event;
        const index = num(data.index);
        if (type === "message_start" && isRecord(data.message) && isRecord(data.message.usage)) {
          usage = foldAnthropicUsage(usage, data.message.usage);
        } else if (type === "content_block_start" && isRecord(data.content_block)) {
          const start = data.content_block;
          if (start.type === "tool_use")
            blocks.set(index, {
              id: String(start.id ?? `toolu_${index}`),
              name: String(start.name ?? ""),
              argumentsJson: "",
            });
          else if (start.type === "thinking") thoughts.set(index, { text: "", signature: "" });
          else if (start.type === "redacted_thinking" && typeof start.data === "string")
            yield { type: "reasoning_part", part: { kind: "redacted_thinking", data: start.data } };
        } else if (type === "content_block_delta" && isRecord(data.delta)) {
          const thought = thoughts.get(index);
          if (data.delta.type === "text_delta" && typeof data.delta.text === "string")
            yield { type: "text", text: data.delta.text };
          else if (thought && data.delta.type === "thinking_delta" && typeof data.delta.thinking === "string") {
            thought.text += data.delta.thinking;
            yield { type: "reasoning", text: data.delta.thinking };
          } else if (thought && data.delta.type === "signature_delta" && typeof data.delta.signature === "string")
            thought.signature += data.delta.signature;
          const block = blocks.get(index);
          if (block && data.delta.type === "input_json_delta" && typeof data.delta.partial_json === "string")
            block.argumentsJson += data.delta.partial_json;
        } else if (type === "content_block_stop") {
          const block = blocks.get(index);
          if (block) yield { type: "tool_call", ...block };
          const thought = thoughts.get(index);
          if (thought) yield { type: "reasoning_part", part: { kind: "thinking", ...thought } };
        } else if (type === "message_delta") {
          if (isRecord(data.usage)) usage = foldAnthropicUsage(usage, data.usage);
          if (isRecord(data.delta) && typeof data.delta.stop_reason === "string")
            stop = STOP[data.delta.stop_reason] ?? "other";
        } else if (type === "message_stop") {
          yield { type: "usage", usage };
          yield { type: "done", stopReason: stop };
          return;
        } else if (type === "error") {
          const error = isRecord(data.error) ? data.error : {};
          const overloaded = error.type === "overloaded_error" || error.type === "api_error";
          throw new ProviderError(
            overloaded ? "provider_error" : "bad_stream",
            `the provider failed mid-stream: ${String(error.message ?? "error")}`,
            { retryable: true },
          );
        }
      }
      throw new ProviderError("stream_cut", "the stream ended before message_stop", { retryable: true });
    },
  };
}
