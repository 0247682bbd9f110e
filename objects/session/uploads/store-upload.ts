// Stores one upload of a session: limits, type from the bytes, safe name, bytes into R2, the record into the
// session object. Usable outside the HTTP route (the Telegram channel turns photos into uploads with it).

import { AppError } from "../../../protocol/errors";
import type { Attachment } from "../../../protocol/uploads";
import type { UploadConfig } from "../../../worker/config-uploads";
import { uploadKey } from "../storage/keys";
import { detectType } from "./file-type";
import { safeName } from "./names";

/** What storing needs: the bucket, the session object's upload RPC, the limits. */
export interface UploadTarget {
  bucket: R2Bucket;
  /** The session object's RPC that records the upload (and renames it on a collision). */
  session: { addUpload(record: Attachment): Promise<Attachment> };
  limits: Pick<UploadConfig, "maxBytes">;
}

/** A fresh upload id: `up_` and 24 hex characters. */
export function newUploadId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `up_${[...bytes].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/**
 * Stores `bytes` as an upload of `sessionId` and returns its record. The caller has checked ownership.
 * Refusals (`upload_too_large` 413, `unsupported_media_type` 415) store nothing; a failure after the bytes
 * reached R2 removes them again. `claimedMime` is recorded nowhere: the type comes from the bytes.
 */
export async function storeUpload(
  target: UploadTarget,
  sessionId: string,
  bytes: Uint8Array,
  name: string,
  _claimedMime?: string,
): Promise<Attachment> {
  if (bytes.byteLength > target.limits.maxBytes)
    throw new AppError("upload_too_large", `an upload is limited to ${target.limits.maxBytes} bytes`);
  if (bytes.byteLength === 0) throw new AppError("bad_request", "the file is empty");
  const mime = detectType(bytes, name);
  if (mime === null)
    throw new AppError(
      "unsupported_media_type",
      "this type of file is not taken: images, PDF, archives, office files and UTF-8 text (CSV, JSON, Markdown, code) are",
    );
  const record: Attachment = { id: newUploadId(), name: safeName(name, mime), mime, size: bytes.byteLength };
  const key = uploadKey(sessionId, record.id);
  await target.bucket.put(key, bytes, { httpMetadata: { contentType: mime } });
  try {
    return await target.session.addUpload(record);
  } catch (error) {
    await target.bucket.delete(key).catch(() => undefined);
    throw error;
  }
}
