// The validating parser of Telegram updates: the parts edgeclaw acts on, everything else is "other".

import { isRecord } from "../../protocol/json";

/** A Telegram user as edgeclaw keeps it. */
export interface TelegramSender {
  /** Telegram's user id. */
  id: number;
  /** `@username` without the @, when the user has one. */
  username: string | null;
}

/** A file sent with a message (the largest photo size, or a document). */
export interface TelegramFile {
  /** Telegram's file id, for `getFile`. */
  fileId: string;
  name: string;
  mime: string;
  /** Bytes, when Telegram says. */
  size: number | null;
}

export type TelegramUpdate =
  | {
      kind: "message";
      updateId: number;
      from: TelegramSender;
      chatId: number;
      /** Telegram's chat type: only `private` chats are served. */
      chatType: string;
      /** The text, or a photo's or document's caption; "" when there is none. */
      text: string;
      file: TelegramFile | null;
    }
  | {
      kind: "callback";
      updateId: number;
      from: TelegramSender;
      /** The callback query's id, for answerCallbackQuery. */
      callbackId: string;
      data: string;
      /** The chat and message the button was on. */
      chatId: number | null;
      messageId: number | null;
    }
  | { kind: "other"; updateId: number };

function sender(value: unknown): TelegramSender | null {
  if (!isRecord(value) || typeof value.id !== "number" || !Number.isSafeInteger(value.id)) return null;
  return { id: value.id, username: typeof value.username === "string" ? value.username : null };
}

/** The largest size of a photo (Telegram lists several, smallest first): by bytes, else by pixels, else the last. */
function largestPhoto(sizes: unknown[]): Record<string, unknown> | null {
  let best: Record<string, unknown> | null = null;
  const weight = (size: Record<string, unknown>) =>
    typeof size.file_size === "number"
      ? size.file_size
      : typeof size.width === "number" && typeof size.height === "number"
        ? size.width * size.height
        : 0;
  for (const size of sizes)
    if (isRecord(size) && typeof size.file_id === "string" && (!best || weight(size) >= weight(best))) best = size;
  return best;
}

function file(message: Record<string, unknown>): TelegramFile | null {
  const { photo, document } = message;
  const largest = Array.isArray(photo) ? largestPhoto(photo) : null;
  if (largest && typeof largest.file_id === "string")
    return {
      fileId: largest.file_id,
      name: "photo.jpg",
      mime: "image/jpeg",
      size: typeof largest.file_size === "number" ? largest.file_size : null,
    };
  if (isRecord(document) && typeof document.file_id === "string")
    return {
      fileId: document.file_id,
      name: typeof document.file_name === "string" ? document.file_name : "document",
      mime: typeof document.mime_type === "string" ? document.mime_type : "application/octet-stream",
      size: typeof document.file_size === "number" ? document.file_size : null,
    };
  return null;
}

/** Parses an update; null when it is not one (no integer `update_id`). */
export function parseUpdate(body: unknown): TelegramUpdate | null {
  if (!isRecord(body) || typeof body.update_id !== "number" || !Number.isSafeInteger(body.update_id)) return null;
  const updateId = body.update_id;
  const message = body.message;
  if (isRecord(message)) {
    const from = sender(message.from);
    const chat = message.chat;
    if (from && isRecord(chat) && typeof chat.id === "number" && typeof chat.type === "string") {
      const text =
        typeof message.text === "string" ? message.text : typeof message.caption === "string" ? message.caption : "";
      return { kind: "message", updateId, from, chatId: chat.id, chatType: chat.type, text, file: file(message) };
    }
  }
  const query = body.callback_query;
  if (isRecord(query)) {
    const from = sender(query.from);
    if (from && typeof query.id === "string" && typeof query.data === "string") {
      const origin = isRecord(query.message) ? query.message : {};
      const chat = isRecord(origin.chat) ? origin.chat : {};
      return {
        kind: "callback",
        updateId,
        from,
        callbackId: query.id,
        data: query.data,
        chatId: typeof chat.id === "number" ? chat.id : null,
        messageId: typeof origin.message_id === "number" ? origin.message_id : null,
      };
    }
  }
  return { kind: "other", updateId };
}
