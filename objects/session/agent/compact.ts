// Compaction: the model summarises older turns into a stored compaction event; the events themselves stay.

import { describeAttachment } from "../../../agent/providers/attachments";
import type { EventPayloads, EventType, SessionEvent } from "../../../protocol/frames";
import { uploadPath } from "../../../protocol/uploads";
import type { EventLog } from "../event-log";
import { buildContext, compactionCut } from "./context";
import { type AttemptMeter, type ResolvedModel, streamStep } from "./model-call";

/** The newest user turns kept verbatim. */
export const KEEP_TURNS = 2;
/** Longest transcript text sent to be summarised (older text beyond it is dropped from the prompt). */
const MAX_SUMMARY_INPUT_CHARS = 200_000;

const SUMMARY_PROMPT =
  "You compact conversations. Summarise the conversation below for your future self: the user's goals, " +
  "decisions, facts learned, files and commands used with their results, and open tasks. Be concise and complete. " +
  "Keep every attached file's name and workspace path (lines starting with '[attached'): the files stay in the " +
  "workspace, only their content leaves your context. " +
  "Before the summary, write each lasting fact about the user worth remembering in later sessions on its own line " +
  "starting with 'REMEMBER: '.";

/** Splits the model's answer into facts to remember and the summary itself. */
export function splitMemories(text: string): { facts: string[]; summary: string } {
  const facts: string[] = [];
  const rest: string[] = [];
  for (const line of text.split("\n")) {
    const match = /^\s*REMEMBER:\s*(.+)$/i.exec(line);
    if (match?.[1]) facts.push(match[1].trim());
    else rest.push(line);
  }
  return { facts, summary: rest.join("\n").trim() };
}

export interface CompactDeps {
  log: EventLog;
  emit<K extends EventType>(type: K, payload: EventPayloads[K]): SessionEvent;
  providerFor(ref: string): ResolvedModel;
  models: string[];
  signal: AbortSignal;
  reason: "auto" | "overflow" | "manual";
  meter?: AttemptMeter;
  /** Stores facts the model chose to remember before older turns leave its context. */
  remember?(facts: string[]): Promise<void>;
}

function render(event: SessionEvent): string {
  switch (event.type) {
    case "user_message":
      // Attachments are kept as references (name, type, size, path), never their bytes.
      return [
        `User: ${event.text}`,
        ...(event.attachments ?? []).map((a) => describeAttachment({ ...a, path: uploadPath(a.name) }, false)),
      ].join("\n");
    case "assistant_message":
      return `Assistant: ${event.text}`;
    case "tool_call":
      return `Tool call ${event.name}(${event.args})`;
    case "tool_result":
      return `Tool result (${event.ok ? "ok" : "failed"}): ${event.output}`;
    default:
      return "";
  }
}

export async function compactSession(deps: CompactDeps): Promise<boolean> {
  const context = buildContext(deps.log);
  const cut = compactionCut(context.events, deps.reason === "manual" ? 1 : KEEP_TURNS);
  if (cut === null) return false;
  const transcript = context.events
    .filter((event) => event.seq <= cut)
    .map(render)
    .join("\n")
    .slice(-MAX_SUMMARY_INPUT_CHARS);
  const earlier = context.summary ? `Earlier summary:\n${context.summary}\n\n` : "";
  const result = await streamStep({
    providerFor: deps.providerFor,
    models: deps.models,
    request: {
      system: SUMMARY_PROMPT,
      messages: [{ role: "user", content: `${earlier}Conversation:\n${transcript}` }],
    },
    signal: deps.signal,
    onText: () => {},
    ...(deps.meter ? { meter: deps.meter } : {}),
  });
  const { facts, summary } = splitMemories(result.text);
  if (facts.length > 0) await deps.remember?.(facts).catch(() => undefined);
  deps.emit("compaction", { summary, throughSeq: cut, reason: deps.reason });
  return true;
}
