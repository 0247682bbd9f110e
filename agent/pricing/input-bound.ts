// An upper bound of the input tokens a call can be billed for, from the bytes it will send.

import type { ChatRequest } from "../providers/types";
import { attachmentTokenBound } from "./attachment-tokens";

/**
 * Tokens a provider may add per call on its own (chat template, Anthropic's tool-use system prompt, tool
 * framing): counted on top of the bytes we send.
 */
export const CALL_OVERHEAD_TOKENS = 1_024;
/** Template tokens per message (role markers, separators). */
export const MESSAGE_OVERHEAD_TOKENS = 8;

const encoder = new TextEncoder();
const bytes = (text: string) => encoder.encode(text).length;

/**
 * Input tokens the request can cost at most. Byte-level BPE tokenizers (OpenAI, Anthropic, Llama) never
 * make a token of less than one byte, so the UTF-8 bytes of everything sent (system prompt with its memory
 * digest, every message, tool calls and results, tool schemas) plus the providers' framing bound the count.
 * Attached images and PDFs add their own bound (agent/pricing/attachment-tokens.ts); `attachmentTokens` adds more.
 */
export function inputTokenBound(request: ChatRequest, attachmentTokens = 0): number {
  let total = CALL_OVERHEAD_TOKENS + bytes(request.system ?? "") + attachmentTokens;
  for (const message of request.messages) {
    total += MESSAGE_OVERHEAD_TOKENS + bytes(message.content);
    if (message.role === "user") total += attachmentTokenBound(message.attachments ?? [], request.model);
    if (message.role === "assistant") {
      for (const call of message.toolCalls ?? []) total += MESSAGE_OVERHEAD_TOKENS + bytes(JSON.stringify(call));
    }
    if (message.role === "tool") total += bytes(message.toolCallId);
  }
  for (const tool of request.tools ?? []) total += MESSAGE_OVERHEAD_TOKENS + bytes(JSON.stringify(tool));
  return total;
}
