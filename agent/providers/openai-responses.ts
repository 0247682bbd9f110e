// OpenAI's Responses API, stateless (`store: false`): reasoning items travel back as encrypted content.

import { isRecord } from "../../protocol/json";
import { attachmentWire, dataUrl, textWithDescriptions } from "./attachments";
import { usageNumber } from "./http";
import { openAiFamily, outputTokens, reasoningEffort } from "./model-family";
import { type OpenAiOptions, postOpenAi } from "./openai";
import { parseData, readSse } from "./sse";
import { argumentsString } from "./tool-arguments";
import { openAiToolId } from "./tool-ids";
import { openAiParameters } from "./tool-parameters";
import {
  type ChatMessage,
  type ChatRequest,
  emptyUsage,
  type Provider,
  ProviderError,
  type ProviderEvent,
  type ReasoningPart,
  type Usage,
} from "./types";

function reasoningItem(part: ReasoningPart): Record<string, unknown> | null {
  if (part.kind !== "encrypted") return null;
  return {
    type: "reasoning",
    id: part.id,
    encrypted_content: part.encryptedContent,
    summary: part.summary ? [{ type: "summary_text", text: part.summary }] : [],
  };
}

/** A user message: text, plus `input_image` parts with data URLs for models that take images. */
function userInput(message: Extract<ChatMessage, { role: "user" }>, request: ChatRequest): unknown {
  const attachments = message.attachments ?? [];
  const wires = attachments.map((a) => attachmentWire(a, "openai-responses", request));
  const text = textWithDescriptions(message, wires);
  if (!wires.includes("image")) return { role: "user", content: text };
  const images = attachments
    .filter((_, i) => wires[i] === "image")
    .map((a) => ({ type: "input_image", image_url: dataUrl(a) }));
  return { role: "user", content: [{ type: "input_text", text }, ...images] };
}

function toInput(messages: ChatMessage[], request: ChatRequest): unknown[] {
  const input: unknown[] = [];
  for (const m of messages) {
    if (m.role === "user") input.push(userInput(m, request));
    else if (m.role === "tool")
      input.push({ type: "function_call_output", call_id: openAiToolId(m.toolCallId), output: m.content });
    else {
      for (const part of m.reasoning ?? []) {
        const item = reasoningItem(part);
        if (item) input.push(item);
      }
      if (m.content !== "") input.push({ role: "assistant", content: m.content });
      for (const c of m.toolCalls ?? [])
        input.push({
          type: "function_call",
          call_id: openAiToolId(c.id),
          name: c.name,
          arguments: argumentsString(c.argumentsJson),
        });
    }
  }
  return input;
}

/** The body we POST to /responses. */
export function openAiResponsesBody(request: ChatRequest): Record<string, unknown> {
  const reasoning = openAiFamily(request.model) === "openai-reasoning";
  return {
    model: request.model,
    stream: true,
    store: false,
    input: toInput(request.messages, request),
    ...(request.system ? { instructions: request.system } : {}),
    ...(request.tools && request.tools.length > 0
      ? {
          tools: request.tools.map((t) => ({
            type: "function",
            name: t.name,
            description: t.description,
            parameters: openAiParameters(t.parameters),
          })),
        }
      : {}),
    ...(request.maxTokens ? { max_output_tokens: outputTokens(request.model, request.maxTokens) } : {}),
    ...(reasoning
      ? {
          include: ["reasoning.encrypted_content"],
          reasoning: {
            summary: "auto",
            ...(request.think ? { effort: reasoningEffort(request.think, request.model) } : {}),
          },
        }
      : {}),
  };
}

const num = usageNumber;

export function responsesUsage(raw: Record<string, unknown>): Usage {
  const cached = isRecord(raw.input_tokens_details) ? num(raw.input_tokens_details.cached_tokens) : 0;
  const reasoning = isRecord(raw.output_tokens_details) ? num(raw.output_tokens_details.reasoning_tokens) : 0;
  return {
    ...emptyUsage(),
    inputTokens: num(raw.input_tokens) - cached,
    outputTokens: num(raw.output_tokens),
    cacheReadTokens: cached,
    reasoningTokens: reasoning,
  };
}

function summaryText(item: Record<string, unknown>): string {
  const parts = Array.isArray(item.summary) ? item.summary.filter(isRecord) : [];
  return parts.map((p) => (typeof p.text === "string" ? p.text : "")).join("\n\n");
}

/** Reads the Responses event stream into our events. */
export async function* readResponsesStream(events: AsyncIterable<{ data: string }>): AsyncGenerator<ProviderEvent> {
  let calls = 0;
  for await (const event of events) {
    const data = parseData(event.data);
    if (!isRecord(data)) throw new ProviderError("bad_stream", "an event is not an object", { retryable: true });
    const item = isRecord(data.item) ? data.item : null;
    switch (data.type) {
      case "response.output_text.delta":
        if (typeof data.delta === "string" && data.delta !== "") yield { type: "text", text: data.delta };
        break;
      case "response.reasoning_summary_text.delta":
        if (typeof data.delta === "string" && data.delta !== "") yield { type: "reasoning", text: data.delta };
        break;
      case "response.output_item.done":
        if (item?.type === "function_call") {
          calls++;
          yield {
            type: "tool_call",
            id: String(item.call_id),
            name: String(item.name),
            argumentsJson: String(item.arguments ?? ""),
          };
        } else if (item?.type === "reasoning" && typeof item.encrypted_content === "string") {
          const part = { kind: "encrypted" as const, id: String(item.id), encryptedContent: item.encrypted_content };
          yield { type: "reasoning_part", part: { ...part, summary: summaryText(item) } };
        }
        break;
      case "response.completed":
      case "response.incomplete": {
        const response = isRecord(data.response) ? data.response : {};
        if (isRecord(response.usage)) yield { type: "usage", usage: responsesUsage(response.usage) };
        const stop = calls > 0 ? "tool_calls" : data.type === "response.incomplete" ? "length" : "stop";
        yield { type: "done", stopReason: stop };
        return;
      }
      case "response.failed":
      case "error": {
        const response = isRecord(data.response) ? data.response : data;
        const error = isRecord(response.error) ? response.error : {};
        throw new ProviderError(
          "provider_error",
          `the provider failed mid-stream: ${String(error.message ?? data.message ?? "error")}`,
          {
            retryable: true,
          },
        );
      }
    }
  }
  throw new ProviderError("stream_cut", "the stream ended before response.completed", { retryable: true });
}

export function openAiResponsesProvider(options: OpenAiOptions): Provider {
  return {
    name: "openai",
    async *stream(request): AsyncIterable<ProviderEvent> {
      const { body, meta } = await postOpenAi(options, "/responses", request, openAiResponsesBody(request));
      yield meta;
      yield* readResponsesStream(readSse(body, request.signal, options.idleTimeoutMs));
    },
  };
}
