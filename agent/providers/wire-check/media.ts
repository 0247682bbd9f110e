// The rules the providers apply to images and documents in a request: data URL shape, media types, sizes.

import { isRecord, violation, type WireViolation } from "./violation.ts";

/** Image types OpenAI and Anthropic both take. */
export const IMAGE_MEDIA_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"];
/** Anthropic's limit per image, on the base64 text (its error names the text's length), so 3.75 MiB decoded. */
export const ANTHROPIC_MAX_IMAGE_BASE64 = 5 * 1024 * 1024;
/** OpenAI's limit per image. */
export const OPENAI_MAX_IMAGE_BYTES = 20 * 1024 * 1024;
/** Anthropic's most images in one request. */
export const ANTHROPIC_MAX_IMAGES = 100;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decoded length of a base64 string, or null when it is not base64. */
export function base64Bytes(data: string): number | null {
  if (data.length % 4 !== 0 || !BASE64.test(data)) return null;
  const padding = data.endsWith("==") ? 2 : data.endsWith("=") ? 1 : 0;
  return (data.length / 4) * 3 - padding;
}

/** Checks an image URL as OpenAI does: https, or a base64 data URL of an allowed image type within the limit. */
export function checkImageUrl(url: unknown, path: string, out: WireViolation[]): void {
  if (typeof url !== "string" || url === "") {
    out.push(violation("image_url", path, `Missing required parameter: '${path}'.`));
    return;
  }
  if (url.startsWith("https://")) return;
  const match = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (!match) {
    out.push(violation("image_url", path, "Invalid image URL: expected an https URL or a base64 data URL."));
    return;
  }
  const [, mime = "", data = ""] = match;
  if (!IMAGE_MEDIA_TYPES.includes(mime))
    out.push(
      violation(
        "image_media_type",
        path,
        `Invalid MIME type. Only image types ${IMAGE_MEDIA_TYPES.join(", ")} are supported. Got ${mime}.`,
      ),
    );
  const bytes = base64Bytes(data);
  if (bytes === null || bytes === 0) out.push(violation("image_data", path, "Invalid base64 image data."));
  else if (bytes > OPENAI_MAX_IMAGE_BYTES)
    out.push(violation("image_too_large", path, `Image exceeds the ${OPENAI_MAX_IMAGE_BYTES} byte limit.`));
}

/** Checks an Anthropic `image` or `document` block's source. */
export function checkAnthropicMedia(block: Record<string, unknown>, at: string, out: WireViolation[]): void {
  const source = isRecord(block.source) ? block.source : null;
  if (!source) {
    out.push(violation("media_source", `${at}.source`, `${at}.source: Field required`));
    return;
  }
  if (source.type === "url") {
    if (typeof source.url !== "string")
      out.push(violation("media_source", `${at}.source.url`, `${at}.source.url: Field required`));
    return;
  }
  if (block.type === "document" && source.type === "text") return;
  if (source.type !== "base64") {
    out.push(
      violation(
        "media_source",
        `${at}.source.type`,
        `${at}.source.type: Input tag '${String(source.type)}' is not expected`,
      ),
    );
    return;
  }
  const mediaType = String(source.media_type);
  const allowed = block.type === "image" ? IMAGE_MEDIA_TYPES : ["application/pdf"];
  if (!allowed.includes(mediaType))
    out.push(
      violation(
        "media_type",
        `${at}.source.media_type`,
        `${at}.source.base64.media_type: Input should be ${allowed.map((t) => `'${t}'`).join(", ")}`,
      ),
    );
  const bytes = typeof source.data === "string" ? base64Bytes(source.data) : null;
  if (bytes === null || bytes === 0)
    out.push(violation("media_data", `${at}.source.data`, `${at}.source.base64.data: invalid base64 data`));
  else if (block.type === "image" && String(source.data).length > ANTHROPIC_MAX_IMAGE_BASE64)
    out.push(
      violation(
        "image_too_large",
        at,
        `${at}.source.base64: image exceeds 5 MB maximum: ${String(source.data).length} bytes > ${ANTHROPIC_MAX_IMAGE_BASE64} bytes`,
      ),
    );
}
