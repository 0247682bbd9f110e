// One invariant checker for outgoing model requests, per wire API: what the real provider would answer 400 to.
// Used by the adapters' tests, the property tests over random sessions, and the stand-in LLM, which refuses
// exactly what the checker refuses.

import { checkAnthropic } from "./anthropic.ts";
import { checkOpenAiChat } from "./openai-chat.ts";
import { checkOpenAiResponses } from "./openai-responses.ts";
import type { WireViolation } from "./violation.ts";

export { MAX_CACHE_BREAKPOINTS } from "./anthropic.ts";
export type { WireViolation } from "./violation.ts";

/** The request shapes we send: Chat Completions, Anthropic Messages, OpenAI Responses. */
export type WireApi = "openai-chat" | "anthropic" | "openai-responses";

export function checkWire(api: WireApi, body: unknown): WireViolation[] {
  switch (api) {
    case "openai-chat":
      return checkOpenAiChat(body);
    case "anthropic":
      return checkAnthropic(body);
    case "openai-responses":
      return checkOpenAiResponses(body);
  }
}

/** Which API a request path belongs to. */
export function wireApiOf(path: string): WireApi | null {
  if (path.endsWith("/v1/messages")) return "anthropic";
  if (path.endsWith("/chat/completions")) return "openai-chat";
  if (path.endsWith("/responses")) return "openai-responses";
  return null;
}

/** The JSON error body the real API sends with its 400, so clients parse ours the same way. */
export function wireErrorBody(api: WireApi, violations: WireViolation[]): string {
  const message = violations.map((v) => v.message).join("; ");
  if (api === "anthropic") return JSON.stringify({ type: "error", error: { type: "invalid_request_error", message } });
  return JSON.stringify({
    error: {
      message,
      type: "invalid_request_error",
      param: violations[0]?.path ?? null,
      code: violations[0]?.rule ?? null,
    },
  });
}
