// The built-in demo model's scripted replies: a streamed welcome, the shell tool when asked to run something, an artifact when asked to save.

import type { Step } from "./scripts.ts";

/** The model name `npm run dev` gives the demo model (priced at 0 through LLM_PRICES, see scripts/detect-provider.mjs). */
export const DEMO_MODEL = "edgeclaw-demo";

/** Milliseconds between streamed words, so the reply visibly streams. */
const WORD_DELAY_MS = 12;
/** The note the demo writes and saves as an artifact. */
const NOTE_PATH = "demo-note.md";
const MAX_OUTPUT_CHARS = 2000;

interface WireMessage {
  role: string;
  content: string;
  /** The tool call names of an assistant message, in order. */
  toolNames: string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function messagesOf(body: unknown): WireMessage[] {
  const raw = isRecord(body) && Array.isArray(body.messages) ? body.messages : [];
  return raw.filter(isRecord).map((m) => ({
    role: typeof m.role === "string" ? m.role : "",
    content: typeof m.content === "string" ? m.content : "",
    toolNames: Array.isArray(m.tool_calls)
      ? m.tool_calls.map((c) => (isRecord(c) && isRecord(c.function) ? String(c.function.name) : ""))
      : [],
  }));
}

function toolsOffered(body: unknown): Set<string> {
  const tools = isRecord(body) && Array.isArray(body.tools) ? body.tools : [];
  return new Set(tools.map((t) => (isRecord(t) && isRecord(t.function) ? String(t.function.name) : "")));
}

/** Text streamed word by word. */
function say(text: string): Step {
  const chunks = text.split(/(?<= )/);
  return { kind: "text", chunks, delayMs: WORD_DELAY_MS };
}

function call(name: string, args: Record<string, unknown>): Step {
  return {
    kind: "tools",
    calls: [{ id: `demo_${name}_${Date.now().toString(36)}`, name, args: JSON.stringify(args) }],
  };
}

const CONNECT =
  "To talk to a real model, put `OPENAI_API_KEY=...` (or `LLM_PROVIDER=anthropic` and `ANTHROPIC_API_KEY=...`) in `.dev.vars` " +
  "(see `.dev.vars.example`), or start Ollama, then run `npm run dev` again.";

const SCRIPTED = "(A scripted demo reply: the banner above says how to connect a real model.)";

const WELCOME =
  "Hello! I am edgeclaw's **built-in demo model**: my replies are scripted, so I cannot really understand you. " +
  "I can still show what edgeclaw does:\n\n" +
  "- ask me to **run** something, e.g. `run ls -la` or `run echo hello`: I call the shell tool, " +
  "you approve the command, and it runs in this session's sandbox;\n" +
  "- ask me to **save** a note: I write a file in the workspace and save it as an artifact you can download;\n" +
  "- every answer streams, live, to every device that has this session open.\n\n" +
  CONNECT;

/** The command a message asks to run: the text in backticks, else what follows "run", else a harmless default. */
export function commandOf(text: string): string {
  const quoted = /`([^`]+)`/.exec(text)?.[1]?.trim();
  if (quoted) return quoted;
  const after = /\b(?:run|execute)\b[:\s]+(.+)$/is.exec(text)?.[1]?.trim();
  return after && after.length > 0 ? after : "uname -a && ls -la";
}

function afterTool(name: string, output: string): Step {
  if (name === "write_file") return call("save_artifact", { path: NOTE_PATH, name: NOTE_PATH });
  const shown = output.length > MAX_OUTPUT_CHARS ? `${output.slice(0, MAX_OUTPUT_CHARS)}…` : output;
  if (name === "save_artifact") {
    return say(`Saved \`${NOTE_PATH}\` as an artifact (the tool said: ${shown.trim()}). ${SCRIPTED}`);
  }
  return say(`The tool \`${name}\` finished. It returned:\n\n\`\`\`\n${shown.trim()}\n\`\`\`\n\n${SCRIPTED}`);
}

/** The demo model's next step for an OpenAI Chat Completions request body. */
export function demoStep(body: unknown): Step {
  const messages = messagesOf(body);
  const last = messages.at(-1);
  if (last?.role === "tool") {
    const caller = [...messages].reverse().find((m) => m.role === "assistant" && m.toolNames.length > 0);
    return afterTool(caller?.toolNames.at(-1) ?? "tool", last.content);
  }
  const text = [...messages].reverse().find((m) => m.role === "user")?.content ?? "";
  const offered = toolsOffered(body);
  if (/\b(run|execute)\b/i.test(text)) {
    if (!offered.has("exec"))
      return say(`The shell tool is turned off for this session (EXEC_POLICY=deny). ${CONNECT}`);
    return call("exec", { command: commandOf(text) });
  }
  if (/\b(save|artifact|note)\b/i.test(text) && offered.has("write_file") && offered.has("save_artifact")) {
    const note = `# A note from the edgeclaw demo\n\nYou asked: ${text.slice(0, 500)}\n`;
    return call("write_file", { path: NOTE_PATH, content: note });
  }
  return say(WELCOME);
}
