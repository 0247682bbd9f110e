// The Chat Completions request body for a chat request: messages, tools, and the parameters of the model family.

import { attachmentWire, dataUrl, textWithDescriptions } from "./attachments";
import { openAiFamily, outputTokens, reasoningEffort } from "./model-family";
import { argumentsString } from "./tool-arguments";
import { openAiToolId } from "./tool-ids";
import { openAiParameters } from "./tool-parameters";
import type { ChatMessage, ChatRequest } from "./types";

/** A user message: plain text, or text plus `image_url` parts (data URLs: a URL the provider fetched could not pass Access). */
function userContent(message: Extract<ChatMessage, { role: "user" }>, request: ChatRequest): unknown {
  const attachments = message.attachments ?? [];
  const wires = attachments.map((a) => attachmentWire(a, "openai", request));
  const text = textWithDescriptions(message, wires);
  if (!wires.includes("image")) return text;
  const images = attachments
    .filter((_, i) => wires[i] === "image")
    .map((a) => ({ type: "image_url", image_url: { url: dataUrl(a) } }));
  return [{ type: "text", text }, ...images];
}

function toWire(system: string | undefined, messages: ChatMessage[], request: ChatRequest): unknown[] {
  const wire: unknown[] = system ? [{ role: "system", content: system }] : [];
  for (const message of messages) {
    if (message.role === "tool")
      wire.push({ role: "tool", tool_call_id: openAiToolId(message.toolCallId), content: message.content });
    else if (message.role === "user") wire.push({ role: "user", content: userContent(message, request) });
    else {
      const calls = message.toolCalls ?? [];
      wire.push({
        role: "assistant",
        content: message.content === "" && calls.length > 0 ? null : message.content,
        ...(calls.length > 0
          ? {
              tool_calls: calls.map((c) => ({
                id: openAiToolId(c.id),
                type: "function",
                function: { name: c.name, arguments: argumentsString(c.argumentsJson) },
              })),
            }
          : {}),
      });
    }
  }
  return wire;
}

/**
 * The body we POST: o-series and gpt-5 take `max_completion_tokens` and `reasoning_effort`; other models
 * (and OpenAI-compatible servers) take `max_tokens`.
 */
export function openAiChatBody(request: ChatRequest): Record<string, unknown> {
  const reasoning = openAiFamily(request.model) === "openai-reasoning";
  return {
    model: request.model,
    stream: true,
    stream_options: { include_usage: true },
    messages: toWire(request.system, request.messages, request),
    ...(request.tools && request.tools.length > 0
      ? {
          tools: request.tools.map((t) => ({
            type: "function",
            function: { ...t, parameters: openAiParameters(t.parameters) },
          })),
        }
      : {}),
    ...(request.maxTokens
      ? { [reasoning ? "max_completion_tokens" : "max_tokens"]: outputTokens(request.model, request.maxTokens) }
      : {}),
    ...(reasoning && request.think ? { reasoning_effort: reasoningEffort(request.think, request.model) } : {}),
  };
}
