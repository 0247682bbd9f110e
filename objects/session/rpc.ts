// The RPC surface of a session Durable Object: what the worker and the admin API may call.

import type { ExecPolicy } from "../../config/sandbox";
import type { MessagesPage, SessionInspection } from "../../protocol/api";
import type { SessionEvent } from "../../protocol/frames";
import type { ApiTurnInput, ApiTurnResult } from "./api-turn";
import type { NewSession, QueueMode, SessionMeta } from "./meta-store";
import type { SnapshotSummary } from "./storage/session-files";
import type { SnapshotOutcome } from "./storage/snapshots";
import type { NewTask, Task } from "./tasks/task-store";

export type { MessagesPage, SessionInspection };

/** A user message from a channel (Telegram, the /v1 API) rather than a socket. */
export interface ChannelMessage {
  /** Idempotency key: a repeated id stores nothing. */
  id: string;
  text: string;
  /** The owner it is sent as. */
  user: string;
  /** The channel, e.g. `telegram`. */
  deviceId: string;
  /** Upload ids of this session the message carries. */
  attachments?: string[];
}

export interface SessionRpc {
  /** Stores a channel's user message as a device's would be (broadcast, a turn started or queued). */
  postMessage(message: ChannelMessage): Promise<{ seq: number; duplicate: boolean }>;
  /** Up to `limit` stored events with seq > `after`, in order (channels follow the log with it). */
  eventsAfter(after: number, limit: number): Promise<SessionEvent[]>;
  /** Cancels the running turn; false when none runs. */
  cancelTurn(): Promise<boolean>;
  /** Writes the metadata of a new session; repeated calls return what is stored. */
  initialize(meta: NewSession): Promise<SessionMeta>;
  getMeta(): Promise<SessionMeta | null>;
  /** Stores a /v1 user message once (by client id) and streams its turn's events as lines of JSON. */
  apiTurn(input: ApiTurnInput): Promise<ApiTurnResult>;
  rename(title: string): Promise<SessionMeta | null>;
  /** Sets what a message sent during a turn does. */
  setQueueMode(mode: QueueMode): Promise<SessionMeta | null>;
  /** Sets the gateway cache TTL of this session's calls (0 skips the cache, null the default). */
  setCacheTtl(seconds: number | null): Promise<SessionMeta | null>;
  /** Sets the exec tool's approval policy (null: EXEC_POLICY). */
  setExecPolicy(policy: ExecPolicy | null): Promise<SessionMeta | null>;
  /** Answers a pending approval request (the HTTP twin of tool_decision); false when none is pending. */
  decide(toolCallId: string, approve: boolean): Promise<boolean>;
  /** Stores a rating of a turn; false when the session has no such turn. */
  feedback(turnId: string, rating: "up" | "down", user: string): Promise<boolean>;
  listMessages(after: number, limit: number): Promise<MessagesPage>;
  inspect(): Promise<SessionInspection | null>;
  /** Cancels the running turn and closes every socket; returns how many were closed. */
  terminate(): Promise<number>;
  /** Snapshots the workspace to R2 now. */
  snapshot(): Promise<SnapshotOutcome<SnapshotSummary>>;
  listSnapshots(): Promise<SnapshotSummary[]>;
  /** Restores a snapshot into the sandbox after verifying its checksum. */
  restoreSnapshot(snapshotId: string): Promise<SnapshotOutcome<SnapshotSummary>>;
  /** Writes the transcript (JSONL and Markdown) as artifacts; returns their names. */
  exportTranscript(): Promise<string[]>;
  listTasks(): Promise<Task[]>;
  createTask(input: NewTask): Promise<{ task: Task } | { error: string }>;
  pauseTask(id: string, paused: boolean): Promise<Task | null>;
  deleteTask(id: string): Promise<boolean>;
  /** Whether a message of the transcript contains the text (case-insensitive). */
  containsText(text: string): Promise<boolean>;
  /** Closes every socket and erases the session's storage. */
  destroy(): Promise<void>;
}
