// The session object's upload rules: which ids a message may attach, and the sweep of uploads nobody sent.

import type { ErrorCode } from "../../../protocol/errors";
import type { Attachment } from "../../../protocol/uploads";
import type { UploadConfig } from "../../../worker/config-uploads";
import { uploadKey } from "../storage/keys";
import type { UploadStore } from "./upload-store";

export type AttachmentCheck = { ok: true; attachments: Attachment[] } | { ok: false; code: ErrorCode; message: string };

/** The records of the ids a message lists; refused when there are too many or one is not of this session. */
export function attachmentsFor(store: UploadStore, ids: string[], maxFiles: number): AttachmentCheck {
  if (ids.length > maxFiles)
    return { ok: false, code: "too_many_attachments", message: `a message may carry at most ${maxFiles} attachments` };
  const resolved = store.resolve(ids);
  if (!resolved.ok)
    return {
      ok: false,
      code: "upload_not_found",
      message: `no upload ${resolved.missing.slice(0, 64)} in this session`,
    };
  return resolved;
}

/** Removes uploads no message listed within their lifetime: the record first, then the bytes. */
export async function sweepUploads(
  store: UploadStore,
  bucket: R2Bucket,
  sessionId: string,
  config: Pick<UploadConfig, "unreferencedMs">,
): Promise<number> {
  const expired = store.takeExpired(config.unreferencedMs);
  if (expired.length > 0) await bucket.delete(expired.map((id) => uploadKey(sessionId, id)));
  return expired.length;
}
