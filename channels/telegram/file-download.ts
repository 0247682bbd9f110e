// Files users send to the bot: getFile, then the download from Telegram's file server, within a byte limit.

import { isRecord } from "../../protocol/json";
import { type BotApi, transient } from "./bot-api";

/** Telegram lets bots download files up to 20 MB. */
export const TELEGRAM_DOWNLOAD_LIMIT = 20 * 1024 * 1024;

/**
 * A download's outcome. `too_large`: over the limit (Telegram's or ours); `refused`: Telegram will not give
 * it (unknown file id); `unavailable`: Telegram could not be reached or failed, worth trying again.
 */
export type Download =
  | { ok: true; bytes: Uint8Array }
  | { ok: false; reason: "too_large" | "refused" | "unavailable"; description: string };

/** The body of a download, refused as soon as it passes `maxBytes` (never buffered past the limit). */
async function readCapped(response: Response, maxBytes: number): Promise<Uint8Array | null> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared > maxBytes || !response.body) {
    await response.body?.cancel();
    return declared > maxBytes ? null : new Uint8Array(0);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    size += read.value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(read.value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

const failed = (reason: "too_large" | "refused" | "unavailable", description: string): Download => ({
  ok: false,
  reason,
  description,
});

/** A file a user sent: getFile, then its download, at most `maxBytes` (never buffered past that). */
export async function downloadFile(bot: BotApi, fileId: string, maxBytes: number): Promise<Download> {
  const info = await bot.call("getFile", { file_id: fileId });
  if (!info.ok) {
    if (info.description.includes("file is too big")) return failed("too_large", info.description);
    return failed(transient(info.status) ? "unavailable" : "refused", info.description);
  }
  const path = isRecord(info.result) ? info.result.file_path : undefined;
  const size = isRecord(info.result) ? info.result.file_size : undefined;
  if (typeof path !== "string") return failed("refused", "Telegram gave no file path");
  if (typeof size === "number" && size > maxBytes) return failed("too_large", `${size} bytes`);
  let response: Response;
  try {
    response = await bot.fetchFile(path);
  } catch (error) {
    return failed("unavailable", `the download failed: ${String(error)}`);
  }
  if (!response.ok) {
    await response.body?.cancel();
    return failed(
      transient(response.status) ? "unavailable" : "refused",
      `the download failed (HTTP ${response.status})`,
    );
  }
  const bytes = await readCapped(response, maxBytes).catch(() => undefined);
  if (bytes === undefined) return failed("unavailable", "the download broke off");
  return bytes === null ? failed("too_large", `over ${maxBytes} bytes`) : { ok: true, bytes };
}
