// Makes a message list one every provider accepts: each tool result right after the call it answers, every
// call answered (a cancel or crash mid-tool gets a stand-in result), results with no call in view dropped.

import type { ChatMessage } from "../../../agent/providers/types";

/** What the model reads for a call whose result never came (cancelled, crashed, cut off by a reset). */
export const NO_RESULT_TEXT = "(no result: the call was stopped before it finished)";

type Assistant = Extract<ChatMessage, { role: "assistant" }>;
type ToolMessage = Extract<ChatMessage, { role: "tool" }>;

/**
 * Each tool message goes to the newest assistant message before it that made that call and has no result
 * for it yet; the output then lists every assistant message followed by the results of all its calls.
 */
export function pairToolResults(messages: ChatMessage[]): ChatMessage[] {
  const results = new Map<Assistant, Map<string, ToolMessage>>();
  const assistants: Assistant[] = [];
  for (const message of messages) {
    if (message.role === "assistant") {
      assistants.push(message);
      results.set(message, new Map());
    } else if (message.role === "tool") {
      for (let i = assistants.length - 1; i >= 0; i--) {
        const owner = assistants[i];
        const answered = owner ? results.get(owner) : undefined;
        const asked = owner?.toolCalls?.some((call) => call.id === message.toolCallId) ?? false;
        if (owner && answered && asked && !answered.has(message.toolCallId)) {
          answered.set(message.toolCallId, message);
          break;
        }
      }
    }
  }
  const out: ChatMessage[] = [];
  for (const message of messages) {
    if (message.role === "tool") continue;
    out.push(message);
    if (message.role !== "assistant") continue;
    const answered = results.get(message);
    for (const call of message.toolCalls ?? [])
      out.push(answered?.get(call.id) ?? { role: "tool", toolCallId: call.id, content: NO_RESULT_TEXT });
  }
  // A context cut mid-turn (a /new while a turn runs) may start with the model's side: it starts with the user.
  const firstUser = out.findIndex((message) => message.role === "user");
  return firstUser < 0 ? [] : out.slice(firstUser);
}
