// Handles one parsed client frame for a device: hello's replay, idempotent user messages, turn controls.

import type { Connection } from "partyserver";
import type { ErrorCode } from "../../protocol/errors";
import type {
  ClientFrame,
  EditMessageFrame,
  HelloFrame,
  ModelInfo,
  RegenerateFrame,
  UserMessageFrame,
} from "../../protocol/frames";
import type { Attachment } from "../../protocol/uploads";
import { lastQuestion, refuseEdit, refuseRegenerate } from "./agent/superseded";
import { type DeviceState, send } from "./devices";
import { type EventLog, PAGE_SIZE } from "./event-log";
import type { EventSink } from "./session-events";

/** What the handler needs from the session object. */
export interface FrameContext {
  /** Reads of the stored events (replay, duplicates, what an edit or regenerate refers to). */
  log: EventLog;
  /** Stores a durable event and sends it to every ready device. */
  events: EventSink;
  /** Tells every device who is connected. */
  broadcastPresence(): void;
  /** Called after a user message is stored for the first time (its uploads are now referenced; a turn starts or queues). */
  startTurn(text: string, attachmentIds?: string[]): void;
  /** Cancels the running turn; false when none runs. */
  cancelTurn(): boolean;
  /** Delivers an approval decision; false when no such request is pending. */
  decideTool(toolCallId: string, approve: boolean): boolean;
  /** Stores a rating of a turn; false when there is no such turn. */
  feedback(turnId: string, rating: "up" | "down", user: string): boolean;
  /** The model the session uses now, shown by the client. */
  modelInfo(): ModelInfo;
  /** Counts a repeated replay against the socket's frame budget, in frames. */
  chargeReplay(connectionId: string, frames: number): void;
  /** Whether a turn is running now (a regenerate or an edit waits until it ends). */
  turnRunning(): boolean;
  /** The uploads of this session a message lists, or why they cannot be attached (nothing is stored then). */
  attachments(ids: string[]): { ok: true; attachments: Attachment[] } | { ok: false; code: ErrorCode; message: string };
}

/**
 * A repeated hello on a ready socket costs one frame of the socket's budget per this many bytes replayed
 * (the first hello of a socket, however long the history, costs nothing extra).
 */
export const REPLAY_BYTES_PER_FRAME = 4 * 1024;

/** Most characters of events in one batch frame. */
const MAX_BATCH_CHARS = 1024 * 1024;

/** Sends serialised events as `batch` frames of at most MAX_BATCH_CHARS (a larger single event goes alone). */
function sendBatches(connection: Connection, frames: string[]): number {
  let sent = 0;
  let batch: string[] = [];
  let size = 0;
  const flush = () => {
    if (batch.length === 0) return;
    const text = `{"type":"batch","events":[${batch.join(",")}]}`;
    connection.send(text);
    sent += text.length;
    batch = [];
    size = 0;
  };
  for (const frame of frames) {
    if (size + frame.length > MAX_BATCH_CHARS) flush();
    batch.push(frame);
    size += frame.length + 1;
  }
  flush();
  return sent;
}

/**
 * Sends every stored event after `lastSeq` in pages, then marks the device ready. It runs without an
 * await, so no live event can slip in between the replay and the switch to live delivery, and one socket
 * never has two replays interleaved. A repeated hello on a ready socket is charged to its frame budget.
 */
function hello(ctx: FrameContext, connection: Connection, state: DeviceState, frame: HelloFrame): void {
  let after = frame.lastSeq ?? 0;
  let bytes = 0;
  for (;;) {
    const page = ctx.log.framesAfter(after, PAGE_SIZE);
    if (frame.batch)
      bytes += sendBatches(
        connection,
        page.map((p) => p.frame),
      );
    else
      for (const { frame: text } of page) {
        connection.send(text);
        bytes += text.length;
      }
    const last = page.at(-1);
    if (!last || page.length < PAGE_SIZE) break;
    after = last.seq;
  }
  const deviceChanged = frame.deviceId !== undefined && frame.deviceId !== state.deviceId;
  connection.setState({ ...state, ready: true, deviceId: frame.deviceId ?? state.deviceId });
  send(connection, { type: "ready", seq: ctx.log.lastSeq, model: ctx.modelInfo() });
  if (state.ready) ctx.chargeReplay(connection.id, Math.ceil(bytes / REPLAY_BYTES_PER_FRAME));
  if (deviceChanged) ctx.broadcastPresence();
}

/** True (after answering `duplicate`) when the client id is already stored. */
function duplicate(ctx: FrameContext, connection: Connection, id: string): boolean {
  const existing = ctx.log.seqOfClientId(id);
  if (existing !== undefined) send(connection, { type: "duplicate", id, seq: existing });
  return existing !== undefined;
}

/** An edit keeps the attachments of the message it replaces. */
function editedAttachments(log: EventLog, editOf: string): string[] {
  const seq = log.seqOfClientId(editOf);
  const original = seq === undefined ? undefined : log.after(seq - 1, 1)[0];
  return original?.type === "user_message" ? (original.attachments ?? []).map((a) => a.id) : [];
}

function userMessage(
  ctx: FrameContext,
  connection: Connection,
  state: DeviceState,
  frame: UserMessageFrame | EditMessageFrame,
): void {
  if (duplicate(ctx, connection, frame.id)) return;
  if (frame.type === "edit_message") {
    const refusal = refuseEdit(ctx.log, frame.editOf, ctx.turnRunning());
    if (refusal) {
      send(connection, { type: "error", code: "conflict", message: refusal });
      return;
    }
  }
  const ids = frame.type === "user_message" ? (frame.attachments ?? []) : editedAttachments(ctx.log, frame.editOf);
  const resolved = ctx.attachments(ids);
  if (!resolved.ok) {
    send(connection, { type: "error", code: resolved.code, message: resolved.message });
    return;
  }
  const attachments = resolved.attachments;
  ctx.events.emit(
    "user_message",
    {
      id: frame.id,
      text: frame.text,
      user: state.user,
      ...(state.deviceId ? { deviceId: state.deviceId } : {}),
      ...(frame.type === "edit_message" ? { editOf: frame.editOf } : {}),
      ...(attachments.length > 0 ? { attachments } : {}),
    },
    frame.id,
  );
  ctx.startTurn(frame.text, ids);
}

/** Stores a `regenerate` event, then runs a new turn for the conversation without the superseded answer. */
function regenerate(ctx: FrameContext, connection: Connection, state: DeviceState, frame: RegenerateFrame): void {
  if (duplicate(ctx, connection, frame.id)) return;
  const refusal = refuseRegenerate(ctx.log, frame.turnId, ctx.turnRunning());
  if (refusal) {
    send(connection, { type: "error", code: "conflict", message: refusal });
    return;
  }
  ctx.events.emit("regenerate", { turnId: frame.turnId, user: state.user }, frame.id);
  ctx.startTurn(lastQuestion(ctx.log));
}

export function handleFrame(ctx: FrameContext, connection: Connection, state: DeviceState, frame: ClientFrame): void {
  switch (frame.type) {
    case "hello":
      hello(ctx, connection, state, frame);
      return;
    case "user_message":
    case "edit_message":
      userMessage(ctx, connection, state, frame);
      return;
    case "regenerate":
      regenerate(ctx, connection, state, frame);
      return;
    case "cancel":
      if (!ctx.cancelTurn()) send(connection, { type: "error", code: "conflict", message: "no turn is running" });
      return;
    case "tool_decision":
      if (!ctx.decideTool(frame.toolCallId, frame.approve)) {
        send(connection, { type: "error", code: "not_found", message: "no pending approval with that toolCallId" });
      }
      return;
    case "ping":
      send(connection, { type: "pong" });
      return;
    case "feedback":
      if (!ctx.feedback(frame.turnId, frame.rating, state.user)) {
        send(connection, { type: "error", code: "not_found", message: "no such turn in this session" });
      }
      return;
  }
}
