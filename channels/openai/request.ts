// Reads a /v1/chat/completions body into what the session needs: the model, the earlier messages, the new text.

import { MAX_MESSAGE_BYTES } from "../../protocol/frames";
import { isRecord } from "../../protocol/json";
import { AGENT_MODEL } from "../../protocol/openai-compat";
import { OpenAiError } from "./errors";

/** Most messages a request may carry (the earlier ones only seed a new session). */
export const MAX_REQUEST_MESSAGES = 500;

/** An earlier message of the request, seeded into a new session's history. */
export interface SeedMessage {
  role: "user" | "assistant";
  text: string;
}

export interface ChatRequest {
  /** The model the session should use (`edgeclaw/<model>`), or null for `edgeclaw`. */
  model: string | null;
  /** The messages before the last user message (system and developer ones as user instructions). */
  history: SeedMessage[];
  /** The last user message: the turn's input. */
  text: string;
  stream: boolean;
  /** The client asked for a usage chunk (stream_options.include_usage). */
  includeUsage: boolean;
}

const ROLES = new Set(["system", "developer", "user", "assistant", "tool"]);
const MODEL_NAME = /^[\w.:/@-]{1,128}$/;

/** The text of a message's content: a string, or the `text` parts of a list; null for anything else. */
function contentText(content: unknown): string | null {
  if (typeof content === "string") return content;
  if (content === null || content === undefined) return "";
  if (!Array.isArray(content)) return null;
  const parts: string[] = [];
  for (const part of content) {
    if (!isRecord(part) || typeof part.type !== "string") return null;
    if (part.type === "text" && typeof part.text === "string") parts.push(part.text);
  }
  return parts.join("\n");
}

/** `edgeclaw` → null, `edgeclaw/<model>` → the model; anything else is an unknown model. */
export function parseModel(model: unknown): string | null {
  if (typeof model !== "string") throw new OpenAiError("bad_request", "model is required", "model");
  if (model === AGENT_MODEL) return null;
  const prefix = `${AGENT_MODEL}/`;
  const name = model.startsWith(prefix) ? model.slice(prefix.length) : "";
  if (!MODEL_NAME.test(name)) {
    throw new OpenAiError(
      "model_not_found",
      `the model '${model}' does not exist: use ${AGENT_MODEL} or ${AGENT_MODEL}/<model>`,
      "model",
    );
  }
  return name;
}

export function parseChatRequest(body: unknown): ChatRequest {
  if (!isRecord(body)) throw new OpenAiError("bad_request", "the body must be a JSON object", null);
  const model = parseModel(body.model);
  const { messages, stream, stream_options: streamOptions } = body;
  if (stream !== undefined && stream !== null && typeof stream !== "boolean") {
    throw new OpenAiError("bad_request", "stream must be a boolean", "stream");
  }
  if (!Array.isArray(messages) || messages.length === 0 || messages.length > MAX_REQUEST_MESSAGES) {
    throw new OpenAiError(
      "bad_request",
      `messages must be a list of 1 to ${MAX_REQUEST_MESSAGES} messages`,
      "messages",
    );
  }
  const seeded: SeedMessage[] = [];
  messages.forEach((message, index) => {
    const param = `messages[${index}]`;
    if (!isRecord(message) || typeof message.role !== "string" || !ROLES.has(message.role)) {
      throw new OpenAiError("bad_request", `${param}.role must be system, developer, user, assistant or tool`, param);
    }
    const text = contentText(message.content);
    if (text === null) throw new OpenAiError("bad_request", `${param}.content must be text or text parts`, param);
    if (new TextEncoder().encode(text).length > MAX_MESSAGE_BYTES) {
      throw new OpenAiError("message_too_large", `${param} is over ${MAX_MESSAGE_BYTES} bytes`, param);
    }
    // Tool results of the caller's own tools have no place in an agent that runs its tools itself.
    if (message.role === "tool" || text.trim() === "") return;
    if (message.role === "system" || message.role === "developer") {
      seeded.push({ role: "user", text: `Instructions: ${text}` });
    } else seeded.push({ role: message.role === "user" ? "user" : "assistant", text });
  });
  // The last message is the turn's input: a user message with text (so it is also the last one seeded).
  const lastMessage: unknown = messages.at(-1);
  const last = seeded.at(-1);
  const lastText = isRecord(lastMessage) ? contentText(lastMessage.content) : null;
  if (!isRecord(lastMessage) || lastMessage.role !== "user" || !lastText?.trim() || last === undefined) {
    throw new OpenAiError("bad_request", "the last message must be a user message with text", "messages");
  }
  const includeUsage = isRecord(streamOptions) && streamOptions.include_usage === true;
  return { model, history: seeded.slice(0, -1), text: last.text, stream: stream === true, includeUsage };
}
