// The transcript as JSONL (one stored event a line) and as Markdown (what a person reads).

import { formatSize } from "../../../agent/providers/attachments";
import type { SessionEvent } from "../../../protocol/frames";
import type { Attachment } from "../../../protocol/uploads";

/** Said once at the top of a Markdown export that lists attachments: the bytes are not in it. */
export const ATTACHMENTS_NOTE =
  "Attachments are listed by reference (name, type, size, upload id); their bytes are not part of this export. " +
  "The session's owner downloads them at GET /api/sessions/<session>/uploads/<upload id>.";

const attachmentLines = (attachments: Attachment[]) =>
  attachments.map((a) => `- 📎 ${a.name} (${a.mime}, ${formatSize(a.size)}, upload ${a.id})`);

/** The event types a transcript export holds (deltas and the like are not read at all). */
export const EXPORT_TYPES = [
  "user_message",
  "assistant_message",
  "tool_call",
  "tool_result",
  "notice",
  "compaction",
] as const;
const KINDS: ReadonlySet<string> = new Set(EXPORT_TYPES);

export function transcriptJsonl(events: SessionEvent[]): string {
  return events
    .filter((e) => KINDS.has(e.type))
    .map((e) => JSON.stringify(e))
    .join("\n")
    .concat("\n");
}

const fence = (text: string) => {
  const ticks = "`".repeat(Math.max(3, ...[...text.matchAll(/`+/g)].map((m) => m[0].length + 1)));
  return `${ticks}\n${text}\n${ticks}`;
};

export function transcriptMarkdown(title: string, events: SessionEvent[]): string {
  const lines = [`# ${title}`, ""];
  if (events.some((e) => e.type === "user_message" && (e.attachments?.length ?? 0) > 0))
    lines.push(`> ${ATTACHMENTS_NOTE}`, "");
  for (const e of events) {
    const at = new Date(e.at).toISOString();
    if (e.type === "user_message") {
      lines.push(`## ${e.user} — ${at}`, "", e.text, "");
      if (e.attachments?.length) lines.push(...attachmentLines(e.attachments), "");
    } else if (e.type === "assistant_message")
      lines.push(`## assistant — ${at}${e.partial ? " (incomplete)" : ""}`, "", e.text, "");
    else if (e.type === "tool_call") lines.push(`**tool call** \`${e.name}\``, "", fence(e.args), "");
    else if (e.type === "tool_result")
      lines.push(`**tool result** (${e.ok ? "ok" : "failed"})`, "", fence(e.output), "");
    else if (e.type === "notice") lines.push(`> ${e.text.replaceAll("\n", "\n> ")}`, "");
  }
  return lines.join("\n");
}
