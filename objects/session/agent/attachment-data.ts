// Loads the bytes of the attachments that go to the model with a call: images (and PDFs) of the newest
// UPLOAD_IMAGE_TURNS user messages, within the providers' limits; everything else stays a description.

import type { AttachmentPart, ChatMessage } from "../../../agent/providers/types";
import { isInlineImage } from "../../../protocol/uploads";

/**
 * Largest image sent (larger ones are described): Anthropic takes 5 MB of base64 text per image, which is 3.75 MiB
 * of image (OpenAI takes up to 20 MB).
 */
export const MAX_INLINE_IMAGE_BYTES = ((5 * 1024 * 1024) / 4) * 3;
/** Largest PDF sent as a document (Anthropic's request limit is 32 MB, and base64 adds a third). */
export const MAX_INLINE_PDF_BYTES = 10 * 1024 * 1024;
/** Most attachment bytes one call carries; the newest messages' files go first, the rest are described. */
export const MAX_INLINE_BYTES_PER_CALL = 16 * 1024 * 1024;

export interface AttachmentDataDeps {
  /** User messages (newest first) whose images are sent; 0 sends none. */
  imageTurns: number;
  /** The upload's bytes, or null when they are gone. */
  load(id: string): Promise<Uint8Array | null>;
}

function wanted(a: AttachmentPart): boolean {
  if (isInlineImage(a.mime)) return a.size <= MAX_INLINE_IMAGE_BYTES;
  return a.mime === "application/pdf" && a.size <= MAX_INLINE_PDF_BYTES;
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** The messages with `data` set on the attachments that go along; the input is not changed. */
export async function withAttachmentData(messages: ChatMessage[], deps: AttachmentDataDeps): Promise<ChatMessage[]> {
  const out = [...messages];
  let turns = 0;
  let budget = MAX_INLINE_BYTES_PER_CALL;
  for (let i = out.length - 1; i >= 0 && turns < deps.imageTurns; i--) {
    const message = out[i];
    if (message?.role !== "user") continue;
    turns++;
    if (!message.attachments?.some(wanted)) continue;
    const attachments: AttachmentPart[] = [];
    for (const a of message.attachments) {
      const bytes = wanted(a) && a.size <= budget ? await deps.load(a.id) : null;
      if (bytes) budget -= bytes.byteLength;
      attachments.push(bytes ? { ...a, data: base64(bytes) } : a);
    }
    out[i] = { ...message, attachments };
  }
  return out;
}

/**
 * A loader that keeps what one call sends (a turn's steps send the same files again): it forgets
 * everything once more than a call's worth of bytes is held, so memory stays bounded.
 */
export function cachedLoader(
  load: (id: string) => Promise<Uint8Array | null>,
): (id: string) => Promise<Uint8Array | null> {
  const kept = new Map<string, Uint8Array>();
  let held = 0;
  return async (id) => {
    const hit = kept.get(id);
    if (hit) return hit;
    const bytes = await load(id);
    if (!bytes) return null;
    if (held + bytes.byteLength > MAX_INLINE_BYTES_PER_CALL) {
      kept.clear();
      held = 0;
    }
    kept.set(id, bytes);
    held += bytes.byteLength;
    return bytes;
  };
}
