// An MCP tool result as the text the model sees: text parts joined, other parts described, capped in size.

import { isRecord } from "../../protocol/json";

/** Most characters of a result the model gets. */
export const MAX_RESULT_CHARS = 64 * 1024;

function partText(part: unknown): string {
  if (!isRecord(part)) return "";
  if (part.type === "text" && typeof part.text === "string") return part.text;
  if (part.type === "resource" && isRecord(part.resource)) {
    const r = part.resource;
    return typeof r.text === "string" ? r.text : `[resource ${String(r.uri ?? "")}]`;
  }
  if (part.type === "resource_link") return `[resource ${String(part.uri ?? "")}]`;
  if (part.type === "image" || part.type === "audio") return `[${part.type} ${String(part.mimeType ?? "")}]`;
  return "";
}

/** The model's text for a `tools/call` result, and whether it was cut. */
export function resultText(result: Record<string, unknown>): { text: string; truncated: boolean } {
  const parts = Array.isArray(result.content) ? result.content.map(partText).filter(Boolean) : [];
  if (parts.length === 0 && result.structuredContent !== undefined)
    parts.push(JSON.stringify(result.structuredContent));
  if (parts.length === 0 && "toolResult" in result) parts.push(JSON.stringify(result.toolResult));
  const text = parts.join("\n");
  if (text.length <= MAX_RESULT_CHARS) return { text, truncated: false };
  return { text: `${text.slice(0, MAX_RESULT_CHARS)}\n[cut at ${MAX_RESULT_CHARS} characters]`, truncated: true };
}
