// Tool call ids as each provider takes them. The history keeps the ids of whichever provider made the calls,
// and a session may change provider between turns (`/model`): Anthropic takes only [a-zA-Z0-9_-] (Kimi's
// `functions.bash:0` is refused), OpenAI at most 40 characters (vLLM's `chatcmpl-tool-<32 hex>` is 46). An id
// that fits goes unchanged; another keeps a readable stem and gains a hash of the whole, so a call and its
// result still pair up and two different ids stay different.

import { fnv1a } from "../stable-hash";

const ANTHROPIC_ID = /^[a-zA-Z0-9_-]+$/;
const OPENAI_MAX_ID = 40;

/** The id Anthropic takes for a tool call (`tool_use.id`, `tool_result.tool_use_id`). */
export function anthropicToolId(id: string): string {
  if (ANTHROPIC_ID.test(id)) return id;
  return `${id.replace(/[^a-zA-Z0-9_-]/g, "_").slice(0, 40)}_${fnv1a(id)}`;
}

/** The id OpenAI takes for a tool call (`tool_calls[].id`, `tool_call_id`, the Responses API's `call_id`). */
export function openAiToolId(id: string): string {
  if (id.length <= OPENAI_MAX_ID) return id;
  return `${id.slice(0, OPENAI_MAX_ID - 9)}_${fnv1a(id)}`;
}
