// Workers AI through the AI binding: a streamed answer in `{"response": ...}` frames with a final usage frame.

import { isRecord } from "../../protocol/json";
import type { AiBinding } from "../../worker/config";
import { openAiUsage } from "./openai";
import { parseData, readSse } from "./sse";
import { type ChatRequest, type Provider, ProviderError, type ProviderEvent, type Usage } from "./types";

export interface WorkersAiOptions {
  ai: AiBinding | undefined;
  /** AI Gateway options for the binding, when configured. */
  gateway?: (request: ChatRequest) => Record<string, unknown>;
}

function toWire(request: ChatRequest): unknown[] {
  const wire: unknown[] = request.system ? [{ role: "system", content: request.system }] : [];
  for (const m of request.messages) {
    if (m.role === "tool") wire.push({ role: "tool", tool_call_id: m.toolCallId, content: m.content });
    else if (m.role === "user") wire.push({ role: "user", content: m.content });
    else {
      const calls = (m.toolCalls ?? []).map((c) => ({
        id: c.id,
        type: "function",
        function: { name: c.name, arguments: c.argumentsJson },
      }));
      wire.push({ role: "assistant", content: m.content, ...(calls.length ? { tool_calls: calls } : {}) });
    }
  }
  return wire;
}

export function workersAiProvider(options: WorkersAiOptions): Provider {
  return {
    name: "workers-ai",
    async *stream(request): AsyncIterable<ProviderEvent> {
      const ai = options.ai;
      if (!ai)
        throw new ProviderError(
          "provider_unavailable",
          'Workers AI needs the AI binding: add [ai] binding = "AI" to wrangler.toml',
          { retryable: false },
        );
      const input = {
        messages: toWire(request),
        stream: true,
        ...(request.tools?.length ? { tools: request.tools.map((t) => ({ type: "function", function: t })) } : {}),
        ...(request.maxTokens ? { max_tokens: request.maxTokens } : {}),
      };
      let output: unknown;
      try {
        output = await ai.run(
          request.model,
          input,
          options.gateway ? { gateway: options.gateway(request) } : undefined,
        );
      } catch (error) {
        throw new ProviderError("provider_error", `Workers AI failed: ${String(error)}`, { retryable: true });
      }
      if (!(output instanceof ReadableStream))
        throw new ProviderError("bad_stream", "Workers AI did not stream", { retryable: false });
      let usage: Usage | null = null;
      let calls = 0;
      for await (const event of readSse(output, request.signal)) {
        if (event.data === "[DONE]") {
          if (usage) yield { type: "usage", usage };
          yield { type: "done", stopReason: calls > 0 ? "tool_calls" : "stop" };
          return;
        }
        const frame = parseData(event.data);
        if (!isRecord(frame)) continue;
        if (typeof frame.response === "string" && frame.response !== "") yield { type: "text", text: frame.response };
        if (isRecord(frame.usage)) usage = openAiUsage(frame.usage);
        for (const call of Array.isArray(frame.tool_calls) ? frame.tool_calls : []) {
          if (!isRecord(call)) continue;
          const args = typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments ?? {});
          calls++;
          yield {
            type: "tool_call",
            id: typeof call.id === "string" ? call.id : `call_${calls}`,
            name: String(call.name ?? ""),
            argumentsJson: args,
          };
        }
      }
      throw new ProviderError("stream_cut", "the stream ended before [DONE]", { retryable: true });
    },
  };
}
