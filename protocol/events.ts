// The session's durable events: their payloads by type, the types in the contract's order, and the wire shape.

import type { ErrorCode } from "./errors";
import type { Attachment } from "./uploads";

/**
 * Reasoning the provider wants back with its step: Anthropic thinking (with the signature that proves it),
 * redacted thinking, OpenAI Responses' encrypted reasoning items.
 */
export type ReasoningBlock =
  | {
      kind: "thinking";
      /** The thinking text. */
      text: string;
      /** Opaque proof the text came from the model. */
      signature: string;
    }
  | {
      kind: "redacted_thinking";
      /** Encrypted thinking, opaque. */
      data: string;
    }
  | {
      kind: "encrypted";
      /** The reasoning item's id. */
      id: string;
      /** `reasoning.encrypted_content`, opaque. */
      encryptedContent: string;
      /** The readable summary, when the model gave one. */
      summary: string;
    };

/** Payloads of the durable events, keyed by type. Each is stored before it is sent. */
export interface EventPayloads {
  user_message: {
    /** The client-chosen id of the message. */
    id: string;
    /** The text the user sent. */
    text: string;
    /** Who sent it (the verified identity). */
    user: string;
    /** The device that sent it, when it said. */
    deviceId?: string;
    /** Set on an edited message: the id of the message it replaces (see {@link EditMessageFrame}). */
    editOf?: string;
    /** The uploads sent with the message (references; the bytes stay in R2 under the session). */
    attachments?: Attachment[];
  };
  assistant_delta: {
    /** The turn this text belongs to. */
    turnId: string;
    /** The next piece of the answer. */
    text: string;
  };
  assistant_message: {
    /** The turn this message finishes. */
    turnId: string;
    /** The model step within the turn (a turn with tool calls has several). */
    step: number;
    /** The whole text of the answer (of this step). */
    text: string;
    /** Set when the text is incomplete: the turn was cancelled, cut or interrupted. */
    partial?: boolean;
  };
  /** A piece of the model's reasoning as it streams (shown collapsed; not part of the answer). */
  reasoning_delta: {
    turnId: string;
    /** The next piece of reasoning text. */
    text: string;
  };
  /** The model's reasoning for one step, stored before that step's answer. */
  reasoning: {
    turnId: string;
    /** The model step it belongs to. */
    step: number;
    /** The readable reasoning (summary or thinking text; may be empty when only encrypted). */
    text: string;
    /** Blocks the provider requires back with this step on the next call (signatures, encrypted items). */
    blocks?: ReasoningBlock[];
  };
  tool_call: {
    turnId: string;
    /** The model step that asked for it. */
    step: number;
    /** Identifies the call across tool_output, tool_result and approvals. */
    toolCallId: string;
    /** Tool name. */
    name: string;
    /** Arguments as the model sent them: JSON text, which may be invalid. */
    args: string;
  };
  tool_output: {
    toolCallId: string;
    /** Which stream the chunk came from. */
    stream: "stdout" | "stderr";
    /** The chunk, as text. */
    text: string;
  };
  tool_result: {
    toolCallId: string;
    /** Whether the tool succeeded. */
    ok: boolean;
    /** What goes back to the model. */
    output: string;
    /** Exit code of a command, when there is one. */
    exitCode?: number;
    /** Wall time of the call. */
    durationMs?: number;
    /** Whether the output was cut to its limit. */
    truncated?: boolean;
  };
  approval_request: {
    toolCallId: string;
    name: string;
    /** Arguments as the model sent them (JSON text). */
    args: string;
    /** When an unanswered request is denied (epoch ms). */
    expiresAt: number;
  };
  usage: {
    turnId: string;
    provider: string;
    model: string;
    inputTokens: number;
    outputTokens: number;
    cacheReadTokens: number;
    cacheWriteTokens: number;
  };
  /** Older turns summarised for the model's context; the events themselves stay stored. */
  compaction: {
    /** The summary that replaces events up to `throughSeq` in the model's context ("" after /new). */
    summary: string;
    /** The last seq the summary covers. */
    throughSeq: number;
    /** What caused it. */
    reason: "auto" | "manual" | "overflow" | "reset";
  };
  /** The user's spending crossed 50, 80 or 100 % of a budget. */
  budget_warning: {
    /** "day:YYYY-MM-DD" or "month:YYYY-MM". */
    period: string;
    percent: number;
    spentUsd: number;
    limitUsd: number;
    /** When the period resets (epoch ms). */
    resetsAt: number;
  };
  /** A snapshot of the workspace was stored in R2. */
  snapshot: {
    snapshotId: string;
    reason: "manual" | "idle" | "before_stop";
    /** Files and archive size. */
    files: number;
    bytes: number;
  };
  /** A user's rating of a turn. */
  feedback: {
    turnId: string;
    rating: "up" | "down";
    user: string;
  };
  /** A new answer to the newest turn was asked for: that turn's answer leaves the model's context. */
  regenerate: {
    /** The turn whose answer is superseded (it stays stored, shown as an earlier version). */
    turnId: string;
    /** Who asked (the verified identity). */
    user: string;
  };
  /** A message from edgeclaw itself (command answers, warnings), not from the model. */
  notice: {
    /** Plain text. */
    text: string;
    /** What it is about, e.g. "help", "model", "usage". */
    topic: string;
  };
  /** A turn began: the model is being called. */
  turn_start: {
    turnId: string;
    /** The model the turn runs with. */
    model: string;
  };
  turn_end: {
    turnId: string;
    /** Why the turn ended. */
    reason: "done" | "cancelled" | "error" | "interrupted" | "step_limit" | "budget_exceeded" | "rate_limited";
  };
  error: {
    /** snake_case error code, from the registry (protocol/errors.ts). */
    code: ErrorCode;
    /** Human-readable explanation. */
    message: string;
  };
}

export type EventType = keyof EventPayloads;

/** Every durable event type, in the contract's order. */
export const EVENT_TYPES = [
  "user_message",
  "assistant_delta",
  "assistant_message",
  "reasoning_delta",
  "reasoning",
  "tool_call",
  "tool_output",
  "tool_result",
  "approval_request",
  "usage",
  "turn_start",
  "turn_end",
  "error",
  "compaction",
  "notice",
  "budget_warning",
  "feedback",
  "snapshot",
  "regenerate",
] as const satisfies readonly EventType[];

/** A stored event as it goes over the wire. */
export type SessionEvent = {
  [K in EventType]: {
    type: K;
    /** Session-wide, gapless, rising by one per event. */
    seq: number;
    /** When it was stored (epoch ms). */
    at: number;
  } & EventPayloads[K];
}[EventType];
