// WebSocket frames between devices and a session: the one typed definition server, client and tests share.

import type { ErrorCode } from "./errors";
import type { SessionEvent } from "./events";

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

// The durable events are declared in events.ts; every importer of frames sees them here too.
export { EVENT_TYPES, type EventPayloads, type EventType, type ReasoningBlock, type SessionEvent } from "./events";

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
  /** snake_case, from the registry (protocol/errors.ts). */
  code: ErrorCode;
  /** Human-readable; never a stack trace. */
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
