// The one validating parser for client frames: raw socket data in, a typed frame or a coded error out.

import type { ErrorCode } from "./errors";
import { type ClientFrame, MAX_CLIENT_ID_LENGTH, MAX_FRAME_BYTES, MAX_MESSAGE_BYTES } from "./frames";
import { isRecord } from "./json";
import { MAX_ATTACHMENT_IDS, MAX_UPLOAD_ID_LENGTH } from "./uploads";

export type ParseResult = { ok: true; frame: ClientFrame } | { ok: false; code: ErrorCode; message: string };

const encoder = new TextEncoder();

/** UTF-8 length of a string; a string longer than the frame limit in UTF-16 units is not encoded. */
export function utf8Length(text: string): number {
  // Every UTF-16 unit encodes to at least one byte, so the length is a lower bound.
  if (text.length > MAX_FRAME_BYTES) return text.length;
  return encoder.encode(text).length;
}

function fail(code: ErrorCode, message: string): ParseResult {
  return { ok: false, code, message };
}

/** True for a string that is valid UTF-16 (no lone surrogates), so it survives storage and re-encoding. */
function isWellFormed(text: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

function parseHello(obj: Record<string, unknown>): ParseResult {
  const { lastSeq, deviceId, batch } = obj;
  if (batch !== undefined && typeof batch !== "boolean") return fail("invalid_frame", "hello.batch must be a boolean");
  if (lastSeq !== undefined && (typeof lastSeq !== "number" || !Number.isSafeInteger(lastSeq) || lastSeq < 0)) {
    return fail("invalid_frame", "hello.lastSeq must be a non-negative integer");
  }
  if (deviceId !== undefined && (typeof deviceId !== "string" || deviceId.length === 0 || deviceId.length > 128)) {
    return fail("invalid_frame", "hello.deviceId must be a string of 1 to 128 characters");
  }
  return {
    ok: true,
    frame: {
      type: "hello",
      ...(lastSeq === undefined ? {} : { lastSeq }),
      ...(deviceId === undefined ? {} : { deviceId }),
      ...(batch === undefined ? {} : { batch }),
    },
  };
}

/** True for a valid client-chosen id. */
function isId(id: unknown): id is string {
  return typeof id === "string" && id.length > 0 && id.length <= MAX_CLIENT_ID_LENGTH && isWellFormed(id);
}

function badId(field: string): ParseResult {
  return fail("invalid_frame", `${field} must be a string of 1 to ${MAX_CLIENT_ID_LENGTH} characters`);
}

/** Checks a message text that is a string; returns the failure, or null when it is valid. */
function badText(field: string, text: string): ParseResult | null {
  if (text.trim().length === 0) return fail("invalid_frame", `${field} must not be empty`);
  if (!isWellFormed(text)) return fail("invalid_frame", `${field} contains a lone surrogate`);
  if (utf8Length(text) > MAX_MESSAGE_BYTES)
    return fail("message_too_large", `${field} is over ${MAX_MESSAGE_BYTES} bytes`);
  return null;
}

/** The upload ids of a user message: distinct non-empty strings, at most MAX_ATTACHMENT_IDS. */
function parseAttachments(value: unknown): string[] | ParseResult {
  const bad = fail(
    "invalid_frame",
    `user_message.attachments must be an array of at most ${MAX_ATTACHMENT_IDS} upload ids`,
  );
  if (!Array.isArray(value) || value.length > MAX_ATTACHMENT_IDS) return bad;
  const ids: string[] = [];
  for (const id of value) {
    if (typeof id !== "string" || id.length === 0 || id.length > MAX_UPLOAD_ID_LENGTH || !isWellFormed(id)) return bad;
    if (!ids.includes(id)) ids.push(id);
  }
  return ids;
}

function parseUserMessage(obj: Record<string, unknown>): ParseResult {
  const { id, text } = obj;
  if (!isId(id)) return badId("user_message.id");
  if (typeof text !== "string") return fail("invalid_frame", "user_message.text must be a string");
  const attachments = obj.attachments === undefined ? [] : parseAttachments(obj.attachments);
  if (!Array.isArray(attachments)) return attachments;
  // A message with attachments may have no text of its own.
  if (attachments.length > 0 && text.trim() === "") {
    if (utf8Length(text) > MAX_MESSAGE_BYTES)
      return fail("message_too_large", `user_message.text is over ${MAX_MESSAGE_BYTES} bytes`);
    return { ok: true, frame: { type: "user_message", id, text: "", attachments } };
  }
  return (
    badText("user_message.text", text) ?? {
      ok: true,
      frame: { type: "user_message", id, text, ...(attachments.length > 0 ? { attachments } : {}) },
    }
  );
}

function parseRegenerate(obj: Record<string, unknown>): ParseResult {
  const { id, turnId } = obj;
  if (!isId(id)) return badId("regenerate.id");
  if (!isId(turnId)) return badId("regenerate.turnId");
  return { ok: true, frame: { type: "regenerate", id, turnId } };
}

function parseEditMessage(obj: Record<string, unknown>): ParseResult {
  const { id, editOf, text } = obj;
  if (!isId(id)) return badId("edit_message.id");
  if (!isId(editOf)) return badId("edit_message.editOf");
  if (typeof text !== "string") return fail("invalid_frame", "edit_message.text must be a string");
  return badText("edit_message.text", text) ?? { ok: true, frame: { type: "edit_message", id, editOf, text } };
}

function parseToolDecision(obj: Record<string, unknown>): ParseResult {
  const { toolCallId, approve } = obj;
  if (typeof toolCallId !== "string" || toolCallId.length === 0 || toolCallId.length > 128) {
    return fail("invalid_frame", "tool_decision.toolCallId must be a non-empty string");
  }
  if (typeof approve !== "boolean") return fail("invalid_frame", "tool_decision.approve must be a boolean");
  return { ok: true, frame: { type: "tool_decision", toolCallId, approve } };
}

function parseFeedback(obj: Record<string, unknown>): ParseResult {
  const { turnId, rating } = obj;
  if (typeof turnId !== "string" || turnId.length === 0 || turnId.length > 128) {
    return fail("invalid_frame", "feedback.turnId must be a non-empty string");
  }
  if (rating !== "up" && rating !== "down") return fail("invalid_frame", 'feedback.rating must be "up" or "down"');
  return { ok: true, frame: { type: "feedback", turnId, rating } };
}

/** Parses one socket message. Never throws. */
export function parseClientFrame(data: string | ArrayBuffer): ParseResult {
  if (typeof data !== "string") return fail("unsupported_frame", "binary frames are not supported; send JSON text");
  // A UTF-16 unit encodes to at most 3 bytes: a frame that short is within the limit without encoding it.
  if (data.length * 3 > MAX_FRAME_BYTES && utf8Length(data) > MAX_FRAME_BYTES)
    return fail("frame_too_large", `frames are limited to ${MAX_FRAME_BYTES} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return fail("invalid_json", "the frame is not valid JSON");
  }
  if (!isRecord(value)) return fail("invalid_frame", "a frame must be a JSON object");
  switch (value.type) {
    case "hello":
      return parseHello(value);
    case "user_message":
      return parseUserMessage(value);
    case "cancel":
      return { ok: true, frame: { type: "cancel" } };
    case "ping":
      return { ok: true, frame: { type: "ping" } };
    case "tool_decision":
      return parseToolDecision(value);
    case "feedback":
      return parseFeedback(value);
    case "regenerate":
      return parseRegenerate(value);
    case "edit_message":
      return parseEditMessage(value);
    case undefined:
      return fail("invalid_frame", "a frame needs a string `type`");
    default:
      return fail("unknown_frame_type", `unknown frame type: ${String(value.type).slice(0, 64)}`);
  }
}
