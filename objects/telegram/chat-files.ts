// A photo or document sent to the bot, fetched from Telegram and checked like a web upload (size limit, type
// from the bytes) before anything is stored; a refusal is one short reply for the chat.

import type { BotApi } from "../../channels/telegram/bot-api";
import { downloadFile, TELEGRAM_DOWNLOAD_LIMIT } from "../../channels/telegram/file-download";
import type { TelegramFile } from "../../channels/telegram/update";
import { detectType } from "../session/uploads/file-type";

/** Stores a file's bytes as an upload of a session and returns its id (the web upload's service). */
export type StoreUpload = (sessionId: string, bytes: Uint8Array, name: string, mime: string) => Promise<{ id: string }>;

/** Where photos and documents go, and the web upload's size limit (UPLOAD_MAX_BYTES). */
export interface ChatUploads {
  maxBytes: number;
  store: StoreUpload;
}

/** A file ready to store, or the reply that says why it was not taken. */
export type ChatFile = { ok: true; bytes: Uint8Array; name: string } | { ok: false; reply: string };

/** Thrown when Telegram could not hand the file over now: the update is tried again. */
export class FileUnavailable extends Error {}

function megabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return mb >= 1 ? `${Math.floor(mb)} MB` : `${bytes} bytes`;
}

/** The largest file the bot takes: the web upload limit, and never more than Telegram lets bots download. */
export function chatFileLimit(uploads: Pick<ChatUploads, "maxBytes">): number {
  return Math.min(uploads.maxBytes, TELEGRAM_DOWNLOAD_LIMIT);
}

/**
 * Fetches and checks a file; stores nothing. A size Telegram states is checked before any download.
 * Throws {@link FileUnavailable} when Telegram is down (the chat object retries the update).
 */
export async function fetchChatFile(bot: BotApi, file: TelegramFile, maxBytes: number): Promise<ChatFile> {
  const tooLarge = `That file is too large: the limit is ${megabytes(maxBytes)}. Nothing was sent.`;
  if (file.size !== null && file.size > maxBytes) return { ok: false, reply: tooLarge };
  const download = await downloadFile(bot, file.fileId, maxBytes);
  if (!download.ok) {
    if (download.reason === "unavailable") throw new FileUnavailable(download.description);
    if (download.reason === "too_large") return { ok: false, reply: tooLarge };
    return { ok: false, reply: "Telegram would not hand over that file. Nothing was sent." };
  }
  if (download.bytes.byteLength === 0) return { ok: false, reply: "That file is empty. Nothing was sent." };
  if (detectType(download.bytes, file.name) === null)
    return {
      ok: false,
      reply:
        "That type of file is not taken (images, PDF, archives, office files and UTF-8 text are). Nothing was sent.",
    };
  return { ok: true, bytes: download.bytes, name: file.name };
}
