// What each provider gets for a user message's attachments: a description line per file always, and the
// bytes as an image part (or an Anthropic PDF document) where the model takes them.

import { isInlineImage } from "../../protocol/uploads";
import { imageSize } from "./image-size";
import { acceptsImages } from "./model-family";
import type { AttachmentPart, ChatMessage, ChatRequest, ProviderName } from "./types";

/** A size for people: 812 B, 12.3 KB, 4.1 MB. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** One line naming a file, its type, size and workspace path, so the agent can open it with its tools. */
export function describeAttachment(a: Pick<AttachmentPart, "name" | "mime" | "size" | "path">, shown: boolean): string {
  const what = shown ? "attached (shown above)" : "attached";
  return `[${what}: ${a.name} (${a.mime}, ${formatSize(a.size)}), in the workspace at ${a.path}]`;
}

/** How one attachment travels to this model. */
export type AttachmentWire = "image" | "document" | "described";

export function attachmentWire(
  a: AttachmentPart,
  provider: ProviderName | "openai-responses",
  request: ChatRequest,
): AttachmentWire {
  if (a.data === undefined) return "described";
  const base = provider === "openai-responses" ? "openai" : provider;
  const vision = request.vision ?? acceptsImages(base, request.model);
  if (isInlineImage(a.mime) && vision)
    return provider !== "anthropic" || fitsAnthropic(a, request) ? "image" : "described";
  if (a.mime === "application/pdf" && provider === "anthropic") return "document";
  return "described";
}

/** Images with their bytes in a request, counted once per request. */
const imageCounts = new WeakMap<ChatRequest, number>();

function inlineImages(request: ChatRequest): number {
  let count = imageCounts.get(request);
  if (count === undefined) {
    count = 0;
    for (const m of request.messages)
      if (m.role === "user") for (const a of m.attachments ?? []) if (a.data && isInlineImage(a.mime)) count++;
    imageCounts.set(request, count);
  }
  return count;
}

/** Whether Anthropic takes the image's size: 8000 px a side, 2000 px when the request carries more than 20. */
function fitsAnthropic(a: AttachmentPart, request: ChatRequest): boolean {
  const size = imageSize(a.data ?? "");
  const limit = inlineImages(request) > 20 ? 2000 : 8000;
  return size === null || Math.max(size.width, size.height) <= limit;
}

/** The message text followed by one line per attachment (never blank when there are attachments). */
export function textWithDescriptions(message: Extract<ChatMessage, { role: "user" }>, wires: AttachmentWire[]): string {
  const lines = (message.attachments ?? []).map((a, i) => describeAttachment(a, wires[i] !== "described"));
  return [message.content, ...lines].filter((line) => line.trim() !== "").join("\n");
}

export const dataUrl = (a: AttachmentPart) => `data:${a.mime};base64,${a.data ?? ""}`;
