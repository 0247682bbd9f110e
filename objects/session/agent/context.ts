// Builds the model's context from the event log: the newest compaction's summary, then the transcript after it.

import type { ChatMessage } from "../../../agent/providers/types";
import type { SessionEvent } from "../../../protocol/frames";
import type { EventLog } from "../event-log";
import { parseCommand } from "./commands";
import { withoutSuperseded } from "./superseded";

/** Event types that feed the model. */
const CONTEXT_TYPES = [
  "user_message",
  "assistant_message",
  "tool_call",
  "tool_result",
  "turn_start",
  "turn_end",
] as const;

export interface TurnContext {
  /** The summary of older turns, if a compaction covers them. */
  summary: string | null;
  /** The seq the summary covers up to (0 when none). */
  throughSeq: number;
  messages: ChatMessage[];
  /** The transcript events the messages came from (compaction picks its cut among them). */
  events: SessionEvent[];
}

/** A rough token count (4 characters a token); compaction needs an estimate before the call, not an exact one. */
export function estimateTokens(messages: ChatMessage[], extra = ""): number {
  let chars = extra.length;
  for (const message of messages) {
    chars += message.content.length;
    if (message.role === "assistant") for (const call of message.toolCalls ?? []) chars += call.argumentsJson.length;
  }
  return Math.ceil(chars / 4);
}

/**
 * Turns stored events into chat messages; tool calls join the assistant message of their step. A user
 * message that arrived while a turn ran is placed after that turn (it was queued for the next one); one
 * that arrived during a turn still running is left out, since the next turn answers it.
 */
export function toMessages(events: SessionEvent[]): ChatMessage[] {
  const messages: ChatMessage[] = [];
  let assistant: Extract<ChatMessage, { role: "assistant" }> | null = null;
  let assistantKey = "";
  let openTurn: string | null = null;
  let deferred: ChatMessage[] = [];
  for (const event of events) {
    switch (event.type) {
      case "turn_start":
        openTurn = event.turnId;
        break;
      case "turn_end":
        if (event.turnId === openTurn) {
          openTurn = null;
          messages.push(...deferred);
          deferred = [];
          assistant = null;
        }
        break;
      case "user_message":
        if (openTurn) deferred.push({ role: "user", content: event.text });
        else messages.push({ role: "user", content: event.text });
        assistant = null;
        break;
      case "assistant_message":
        assistant = { role: "assistant", content: event.text, toolCalls: [] };
        assistantKey = `${event.turnId}:${event.step}`;
        messages.push(assistant);
        break;
      case "tool_call": {
        const key = `${event.turnId}:${event.step}`;
        if (!assistant || assistantKey !== key) {
          assistant = { role: "assistant", content: "", toolCalls: [] };
          assistantKey = key;
          messages.push(assistant);
        }
        assistant.toolCalls?.push({ id: event.toolCallId, name: event.name, argumentsJson: event.args });
        break;
      }
      case "tool_result":
        messages.push({ role: "tool", toolCallId: event.toolCallId, content: event.output });
        break;
    }
  }
  return messages;
}

export function buildContext(log: EventLog): TurnContext {
  const compaction = log.latest("compaction");
  const throughSeq = compaction?.throughSeq ?? 0;
  // Slash commands are stored for the devices but are not part of the conversation.
  const stored = log
    .allOf(CONTEXT_TYPES, throughSeq)
    .filter((event) => event.type !== "user_message" || parseCommand(event.text) === null);
  // Regenerated answers and edited messages stay stored and shown, but leave the model's context.
  const events = withoutSuperseded(log, stored);
  return {
    summary: compaction && compaction.summary !== "" ? compaction.summary : null,
    throughSeq,
    messages: toMessages(events),
    events,
  };
}

/**
 * Where to cut for compaction: the seq just before the `keepTurns`-th newest user message, so the newest
 * turns stay verbatim and no tool call is separated from its result. Null when there is nothing to cut.
 */
export function compactionCut(events: SessionEvent[], keepTurns: number): number | null {
  const users = events.filter((event) => event.type === "user_message");
  const firstKept = users.at(-keepTurns);
  if (!firstKept || users.length <= keepTurns) return null;
  return firstKept.seq - 1;
}
