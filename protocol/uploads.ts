// Uploads: the attachment reference a message carries, and the bodies of the upload routes.

/** Most upload ids one `user_message` frame may list; the configured limit (UPLOAD_MAX_FILES) is at most this. */
export const MAX_ATTACHMENT_IDS = 50;

/** Largest upload id a frame may carry. */
export const MAX_UPLOAD_ID_LENGTH = 64;

/** Image types sent to vision models as image parts (the formats both OpenAI and Anthropic take). */
export const INLINE_IMAGE_MIMES = ["image/png", "image/jpeg", "image/gif", "image/webp"] as const;

/** One stored upload: what `POST /api/sessions/:id/uploads` answers (201), and what a message lists. */
export interface Attachment {
  /** The upload id, unique within the session. */
  id: string;
  /** The safe file name, unique within the session; the file lands at `uploads/<name>` in the workspace. */
  name: string;
  /** The type decided from the bytes (never the client's claim). */
  mime: string;
  /** Size in bytes. */
  size: number;
}

/** Workspace path of an attachment. */
export const uploadPath = (name: string) => `uploads/${name}`;

/** True for an image type sent as an image part. */
export function isInlineImage(mime: string): boolean {
  return (INLINE_IMAGE_MIMES as readonly string[]).includes(mime);
}
