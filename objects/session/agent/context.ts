// Builds the model's context from the event log: the newest compaction's summary, then the transcript after it.

import { attachmentTokenBound } from "../../../agent/pricing/attachment-tokens";
import type { ChatMessage, ReasoningPart } from "../../../agent/providers/types";
import type { SessionEvent } from "../../../protocol/frames";
import { uploadPath } from "../../../protocol/uploads";
import type { EventLog } from "../event-log";
import { parseCommand } from "./commands";
import { withoutSuperseded } from "./superseded";
import { pairToolResults } from "./tool-pairs";
import { cutToolResult } from "./tool-result-cut";

/** Event types that feed the model. */
const CONTEXT_TYPES = [
  "user_message",
  "assistant_message",
  "reasoning",
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
  let attached = 0;
  for (const message of messages) {
    chars += message.content.length;
    if (message.role === "user") attached += attachmentTokenBound(message.attachments ?? []);
    if (message.role === "assistant") for (const call of message.toolCalls ?? []) chars += call.argumentsJson.length;
  }
  return Math.ceil(chars / 4) + attached;
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
  // Reasoning blocks wait for their step's message (they are stored just before it).
  const reasoning = new Map<string, ReasoningPart[]>();
  const withReasoning = (key: string, message: Extract<ChatMessage, { role: "assistant" }>) => {
    const blocks = reasoning.get(key);
    if (blocks && blocks.length > 0) message.reasoning = blocks;
    return message;
  };
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
      case "user_message": {
        // Providers refuse blank text (the frame parser refuses it too, unless files are attached).
        const attachments = (event.attachments ?? []).map((a) => ({ ...a, path: uploadPath(a.name) }));
        if (event.text.trim() === "" && attachments.length === 0) break;
        const message: ChatMessage = {
          role: "user",
          content: event.text,
          ...(attachments.length > 0 ? { attachments } : {}),
        };
        if (openTurn) deferred.push(message);
        else messages.push(message);
        assistant = null;
        break;
      }
      case "reasoning":
        if (event.blocks) reasoning.set(`${event.turnId}:${event.step}`, event.blocks);
        break;
      case "assistant_message":
        assistantKey = `${event.turnId}:${event.step}`;
        assistant = withReasoning(assistantKey, { role: "assistant", content: event.text, toolCalls: [] });
        messages.push(assistant);
        break;
      case "tool_call": {
        const key = `${event.turnId}:${event.step}`;
        if (!assistant || assistantKey !== key) {
          assistant = withReasoning(key, { role: "assistant", content: "", toolCalls: [] });
          assistantKey = key;
          messages.push(assistant);
        }
        assistant.toolCalls?.push({ id: event.toolCallId, name: event.name, argumentsJson: event.args });
        break;
      }
      case "tool_result":
        messages.push({
          role: "tool",
          toolCallId: event.toolCallId,
          content: cutToolResult(event.output, event.toolCallId),
        });
        break;
    }
  }
  return pairToolResults(messages);
}

/**
 * The stored events the model's context is made of, after the newest compaction: the one place that decides
 * which events count (a later event type that takes turns out of the context filters here).
 */
export function contextEvents(log: EventLog, throughSeq: number): SessionEvent[] {
  // Slash commands are stored for the devices but are not part of the conversation.
  const stored = log
    .allOf(CONTEXT_TYPES, throughSeq, { keep: true })
    .filter((event) => event.type !== "user_message" || parseCommand(event.text) === null);
  // Regenerated answers and edited messages stay stored and shown, but leave the model's context.
  return withoutSuperseded(log, stored);
}

/** The next model call's context: the summary of compacted turns, then the messages after them. */
export function buildContext(log: EventLog): TurnContext {
  const compaction = log.latest("compaction");
  const throughSeq = compaction?.throughSeq ?? 0;
  const events = contextEvents(log, throughSeq);
  return {
    summary: compaction && compaction.summary !== "" ? compaction.summary : null,
    throughSeq,
    messages: toMessages(events),
    events,
  };
}

/**
 * Where to cut for compaction: just before the `keepTurns`-th newest user message, moved earlier to a point
 * where no turn is running, so the newest turns stay verbatim and no tool call is separated from its result
 * (a message queued while a turn ran is stored inside that turn). Null when there is nothing to cut.
 */
export function compactionCut(events: SessionEvent[], keepTurns: number): number | null {
  const users = events.filter((event) => event.type === "user_message");
  const firstKept = users.at(-keepTurns);
  if (!firstKept || users.length <= keepTurns) return null;
  let openTurn: string | null = null;
  let cut: number | null = null;
  for (const event of events) {
    if (event.seq > firstKept.seq) break;
    if (event.type === "turn_start") openTurn = event.turnId;
    else if (event.type === "turn_end" && event.turnId === openTurn) openTurn = null;
    else if (event.type === "user_message" && openTurn === null) cut = event.seq - 1;
  }
  const first = events[0];
  return cut !== null && first && cut >= first.seq ? cut : null;
}
