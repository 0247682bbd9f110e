// Workers AI through the AI binding: native `{response}` frames or OpenAI-shaped chunks, tool calls, usage.

import { isRecord } from "../../protocol/json";
import type { AiBinding } from "./ai-binding";
import { openAiUsage, readChatStream, ToolCallAssembler } from "./openai";
import { openAiChatBody } from "./openai-wire";
import { parseData, readSse, type SseEvent } from "./sse";
import { ThinkTagSplitter } from "./think-tags";
import { type ChatRequest, type Provider, ProviderError, type ProviderEvent, type Usage } from "./types";

export interface WorkersAiOptions {
  ai: AiBinding | undefined;
  /** AI Gateway options for the binding, when configured. */
  gateway?: (request: ChatRequest) => Record<string, unknown>;
}

/** The native shape: `{"response": "...", "tool_calls": [...], "usage": {...}}` frames, then `[DONE]`. */
async function* readNativeStream(events: AsyncIterable<SseEvent>): AsyncGenerator<ProviderEvent> {
  const calls = new ToolCallAssembler();
  const think = new ThinkTagSplitter();
  let usage: Usage | null = null;
  const text = (pieces: ReturnType<ThinkTagSplitter["push"]>): ProviderEvent[] =>
    pieces.map((p) => (p.kind === "text" ? { type: "text", text: p.text } : { type: "reasoning", text: p.text }));
  for await (const event of events) {
    if (event.data === "[DONE]") {
      yield* text(think.end());
      for (const call of calls.finish()) yield { type: "tool_call", ...call };
      if (usage) yield { type: "usage", usage };
      yield { type: "done", stopReason: calls.size > 0 ? "tool_calls" : "stop" };
      return;
    }
    const frame = parseData(event.data);
    if (!isRecord(frame)) continue;
    if (typeof frame.response === "string" && frame.response !== "") yield* text(think.push(frame.response));
    if (isRecord(frame.usage)) usage = openAiUsage(frame.usage);
    for (const call of Array.isArray(frame.tool_calls) ? frame.tool_calls : []) {
      if (!isRecord(call)) continue;
      // A whole call `{name, arguments}` is a call of its own; `{index, function}` pieces assemble like OpenAI's.
      if (isRecord(call.function)) calls.add(call);
      else
        calls.add({ index: calls.size, id: call.id, function: { name: call.name, arguments: call.arguments ?? {} } });
    }
  }
  throw new ProviderError("stream_cut", "the stream ended before [DONE]", { retryable: true });
}

/** Picks the reader by the first frame: `choices` means OpenAI-shaped chunks, else the native shape. */
async function* readAnyStream(body: ReadableStream<Uint8Array>, signal?: AbortSignal): AsyncGenerator<ProviderEvent> {
  const events = readSse(body, signal);
  const first = await events.next();
  if (first.done) throw new ProviderError("stream_cut", "Workers AI sent nothing", { retryable: true });
  const firstEvent = first.value;
  async function* all(): AsyncGenerator<SseEvent> {
    yield firstEvent;
    yield* events;
  }
  const head = firstEvent.data === "[DONE]" ? null : parseData(firstEvent.data);
  if (isRecord(head) && Array.isArray(head.choices)) yield* readChatStream(all());
  else yield* readNativeStream(all());
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
      // Attachments are described to Workers AI models (their image inputs differ per model).
      const chat = openAiChatBody({ ...request, vision: false });
      const input = {
        // Workers AI's input schema takes a string (or parts) as content, never the null Chat Completions allows
        // for an assistant message that only calls tools.
        messages: (chat.messages as Record<string, unknown>[]).map((m) =>
          m.content === null ? { ...m, content: "" } : m,
        ),
        stream: true,
        ...(chat.tools ? { tools: chat.tools } : {}),
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
      yield* readAnyStream(output, request.signal);
    },
  };
}
