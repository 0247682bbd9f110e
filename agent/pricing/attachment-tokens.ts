// An upper bound of the input tokens attachments can be billed for: images by the providers' own caps,
// PDFs per page, and the description line of everything else.

import { describeAttachment } from "../providers/attachments";
import type { AttachmentPart } from "../providers/types";

/**
 * Tokens one image can cost at most. Anthropic scales images to about 1.15 megapixels (≈1,600 tokens);
 * OpenAI's tile models cost 85 + 170 per 512 px tile (gpt-4o: at most 8 tiles, 1,445), its patch models
 * at most 1,536 patches times a model multiplier (gpt-4.1-nano 2.46: 3,779), and gpt-4o-mini counts tiles
 * 33 times over (2,833 + 5,667 per tile, at most 8 tiles: 48,169).
 */
export const IMAGE_TOKENS = 4_000;
export const MINI_IMAGE_TOKENS = 48_200;
/** Anthropic bills a PDF page as its text plus the page as an image. */
export const PDF_PAGE_TOKENS = 3_000;

const encoder = new TextEncoder();

/** Pages of a PDF, counted from its `/Type /Page` objects (at least one). */
export function pdfPages(base64: string): number {
  const text = atob(base64);
  return Math.max(1, (text.match(/\/Type\s*\/Page(?!s)/g) ?? []).length);
}

/** The most tokens these attachments can add to a call (images and PDFs only when their bytes go along). */
export function attachmentTokenBound(attachments: AttachmentPart[], model = ""): number {
  let total = 0;
  for (const a of attachments) {
    // A byte-level tokenizer never makes a token of less than one byte: the line's bytes bound its tokens.
    total += encoder.encode(describeAttachment(a, true)).length + 1;
    if (a.data === undefined) continue;
    if (a.mime === "application/pdf") total += pdfPages(a.data) * PDF_PAGE_TOKENS;
    else if (a.mime.startsWith("image/")) total += /gpt-4o-mini/i.test(model) ? MINI_IMAGE_TOKENS : IMAGE_TOKENS;
  }
  return total;
}
