// WebSocket frames between devices and a session: the one typed definition server, client and tests share.

import type { Attachment } from "./uploads";

/** Largest client frame accepted, counted in UTF-8 bytes (the contract's 1 MiB). */
export const MAX_FRAME_BYTES = 1024 * 1024;
/** Largest user message text, in UTF-8 bytes; keeps every stored row far below SQLite's 2 MB. */
export const MAX_MESSAGE_BYTES = 256 * 1024;
/** Largest client-chosen message id. */
export const MAX_CLIENT_ID_LENGTH = 128;
/** The exact text a client sends to keep its socket alive; answered without waking the session. */
export const PING_FRAME = '{"type":"ping"}';
/** The exact answer to {@link PING_FRAME}. */
export const PONG_FRAME = '{"type":"pong"}';
/** Close code for a socket whose Access token has expired: re-authenticate, then resume. */
export const CLOSE_TOKEN_EXPIRED = 4401;
/** Close code for a socket an admin terminated. */
export const CLOSE_TERMINATED = 4000;
/** Close code for a session that was deleted. */
export const CLOSE_SESSION_DELETED = 4404;
/** Close code (the standard "policy violation") for a socket that carried no verified identity. */
export const CLOSE_UNAUTHENTICATED = 1008;

// ---- client → server -------------------------------------------------------

/** Resume: the server sends every stored event with `seq > lastSeq`, then live events. */
export interface HelloFrame {
  type: "hello";
  /** Highest `seq` this device has seen; absent means the whole history. */
  lastSeq?: number;
  /** A stable id for this device (browser profile, phone); shown in presence. */
  deviceId?: string;
  /** Replay in `batch` frames of many events each (faster for long histories); live events stay single. */
  batch?: boolean;
}

/** A user turn. Idempotent by `id`: the same id sent twice is stored once. */
export interface UserMessageFrame {
  type: "user_message";
  /** Client-chosen id, unique within the session (1–128 characters). */
  id: string;
  /** The message text (at most {@link MAX_MESSAGE_BYTES} UTF-8 bytes). */
  text: string;
  /** Upload ids of this session (`POST /api/sessions/:id/uploads`) sent with the message; an unknown id refuses it. */
  attachments?: string[];
}

/** Stop the running turn. */
export interface CancelFrame {
  type: "cancel";
}

/** Answer to an `approval_request`. The first decision wins. */
export interface ToolDecisionFrame {
  type: "tool_decision";
  /** The `toolCallId` of the approval request. */
  toolCallId: string;
  /** true runs the tool, false refuses it. */
  approve: boolean;
}

/** Keep-alive; normally answered by the runtime's auto-response, see {@link PING_FRAME}. */
export interface PingFrame {
  type: "ping";
}

/** Thumbs up or down on a finished turn; joined to the usage ledger for A/B comparisons. */
export interface FeedbackFrame {
  type: "feedback";
  turnId: string;
  rating: "up" | "down";
}

/**
 * Asks for a new answer to the newest turn. The old answer stays stored and shown as an earlier version;
 * a durable `regenerate` event takes it out of the model's context and a new turn runs.
 */
export interface RegenerateFrame {
  type: "regenerate";
  /** Client-chosen id (1–128 characters); idempotent like a user_message id. */
  id: string;
  /** The newest turn, whose answer is replaced; any other turn is refused with `conflict`. */
  turnId: string;
}

/**
 * Sends a new version of an earlier user message: stored as a new `user_message` with `editOf`. The old
 * message and everything after it stay stored and shown, but leave the model's context; a new turn runs.
 */
export interface EditMessageFrame {
  type: "edit_message";
  /** Client-chosen id of the new message (1–128 characters), unique within the session. */
  id: string;
  /** The `id` of the stored user message this one replaces. */
  editOf: string;
  /** The new text (at most {@link MAX_MESSAGE_BYTES} UTF-8 bytes). */
  text: string;
}

export type ClientFrame =
  | HelloFrame
  | UserMessageFrame
  | CancelFrame
  | ToolDecisionFrame
  | PingFrame
  | FeedbackFrame
  | RegenerateFrame
  | EditMessageFrame;

// ---- server → client -------------------------------------------------------

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
    /** snake_case error code, see protocol/errors.ts. */
    code: string;
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

/** One connected device, as shown in presence. */
export interface Device {
  /** Server-assigned connection id (not an identity). */
  connectionId: string;
  /** The device id the client gave in hello, if any. */
  deviceId: string | null;
  /** The verified user. */
  user: string;
  /** When it connected (epoch ms). */
  since: number;
}

/** The devices connected now; not durable, carries no seq. */
export interface PresenceFrame {
  type: "presence";
  devices: Device[];
}

/** Part of hello's replay when the device asked for batches: stored events, in order. */
export interface BatchFrame {
  type: "batch";
  events: SessionEvent[];
}

/** The model a session's turns use, as the client shows it. */
export interface ModelInfo {
  /** The provider: "openai" (or any OpenAI-compatible server), "anthropic" or "workers-ai". */
  provider: string;
  /** The model name sent to the provider. */
  model: string;
  /** True for the built-in demo model of `npm run dev`: its replies are scripted. */
  demo: boolean;
}

/** Sent once after hello's replay: everything up to `seq` has been delivered. */
export interface ReadyFrame {
  type: "ready";
  /** The newest stored seq at the time of the replay. */
  seq: number;
  /** The model this session uses now (its `/model` choice, else the configured one). */
  model?: ModelInfo;
}

/** A non-durable error for one device (bad frame, rate limit); carries no seq. */
export interface ErrorFrame {
  type: "error";
  code: string;
  message: string;
}

/** Acknowledges a user_message whose id was already stored; `seq` is the stored one. */
export interface DuplicateFrame {
  type: "duplicate";
  id: string;
  seq: number;
}

export interface PongFrame {
  type: "pong";
}

export type ServerFrame =
  | SessionEvent
  | PresenceFrame
  | ReadyFrame
  | ErrorFrame
  | DuplicateFrame
  | PongFrame
  | BatchFrame;
