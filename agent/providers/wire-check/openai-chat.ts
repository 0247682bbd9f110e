// The rules OpenAI Chat Completions enforces on a request body (400 invalid_request_error when broken).

import { acceptsImages, openAiFamily } from "../model-family.ts";
import { checkImageUrl } from "./media.ts";
import { checkOpenAiTools } from "./openai-tools.ts";
import { checkOutputCeiling } from "./output-ceilings.ts";
import { isRecord, tooLong, violation, type WireViolation } from "./violation.ts";

const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
/**
 * The `reasoning_effort` values each model takes ("Unsupported value" otherwise), from OpenAI's model pages. Kept
 * here on purpose, apart from model-family.ts: a checker that shared the adapter's table would agree with its bugs.
 */
function effortsOf(model: string): string[] {
  const name = model.trim().replace(/^openai\//i, "");
  if (/codex/i.test(name)) return ["low", "medium", "high"];
  if (/^gpt-5\.\d/i.test(name)) return ["none", "low", "medium", "high", "xhigh"];
  if (/^gpt-5/i.test(name)) return ["minimal", "low", "medium", "high"];
  if (/^o\d/i.test(name)) return ["low", "medium", "high"];
  return ["none", "minimal", "low", "medium", "high"];
}

/** Refuses an effort (when one is sent) the model does not take. */
export function checkEffort(effort: unknown, model: string, path: string, out: WireViolation[]): void {
  const efforts = effortsOf(model);
  if (effort !== undefined && !efforts.includes(String(effort)))
    out.push(
      violation(
        "reasoning_effort",
        path,
        `Unsupported value: '${path}' does not support '${String(effort)}' with this model. Supported values are: ${efforts.map((e) => `'${e}'`).join(", ")}.`,
      ),
    );
}
/** The longest tool call id OpenAI takes ("string too long. Expected a string with maximum length 40"). */
const MAX_CALL_ID = 40;

function checkCallIdLength(id: string, path: string, out: WireViolation[]): void {
  if (id.length > MAX_CALL_ID) out.push(tooLong("string", path, MAX_CALL_ID, id.length));
}

function callIds(message: Record<string, unknown>): string[] {
  const calls = Array.isArray(message.tool_calls) ? message.tool_calls : [];
  return calls.map((call) => (isRecord(call) && typeof call.id === "string" ? call.id : ""));
}

/**
 * Each call's `arguments` must be a JSON object. OpenAI itself takes any string here, but OpenAI-compatible
 * servers parse it (Ollama: "invalid tool call arguments"), and this checker stands in for them too.
 */
function checkCallArguments(message: Record<string, unknown>, path: string, out: WireViolation[]): void {
  const calls = Array.isArray(message.tool_calls) ? message.tool_calls : [];
  calls.forEach((call, j) => {
    const fn = isRecord(call) && isRecord(call.function) ? call.function : {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(String(fn.arguments));
    } catch {
      parsed = undefined;
    }
    if (!isRecord(parsed))
      out.push(
        violation(
          "tool_arguments",
          `${path}.tool_calls[${j}].function.arguments`,
          "invalid tool call arguments: not a JSON object",
        ),
      );
  });
}

/** Tool messages answer the assistant message right before them; every call is answered before anything else. */
function checkToolPairs(messages: unknown[], out: WireViolation[]): void {
  let open = new Set<string>();
  for (const [i, message] of messages.entries()) {
    const path = `messages[${i}]`;
    if (!isRecord(message)) {
      out.push(violation("message_not_object", path, `${path} must be an object`));
      continue;
    }
    if (message.role === "tool") {
      const id = typeof message.tool_call_id === "string" ? message.tool_call_id : "";
      checkCallIdLength(id, `${path}.tool_call_id`, out);
      if (!open.has(id)) {
        out.push(
          violation(
            "tool_result_without_call",
            path,
            "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
          ),
        );
      } else open.delete(id);
      if (typeof message.content !== "string" && !Array.isArray(message.content))
        out.push(violation("tool_content", `${path}.content`, `${path}.content must be a string or parts`));
      continue;
    }
    if (open.size > 0) {
      out.push(
        violation(
          "tool_call_unanswered",
          path,
          `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...open].join(", ")}`,
        ),
      );
    }
    open = new Set();
    if (message.role === "assistant") {
      const ids = callIds(message);
      open = new Set(ids);
      if (ids.some((id) => id === "")) out.push(violation("tool_call_id", path, `${path}.tool_calls[].id is required`));
      for (const [j, id] of ids.entries()) checkCallIdLength(id, `${path}.tool_calls[${j}].id`, out);
      checkCallArguments(message, path, out);
      if ((message.content === null || message.content === undefined) && ids.length === 0)
        out.push(violation("assistant_empty", path, `${path}: content is required unless tool_calls is set`));
    } else if (!["system", "developer", "user"].includes(String(message.role))) {
      out.push(violation("role", `${path}.role`, `Invalid value: '${String(message.role)}'.`));
    }
  }
  const last = open;
  if (last.size > 0) {
    out.push(
      violation(
        "tool_call_unanswered",
        `messages[${messages.length}]`,
        `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...last].join(", ")}`,
      ),
    );
  }
}

const PART_TYPES: Record<string, string[]> = {
  user: ["text", "image_url", "input_audio", "file"],
  system: ["text"],
  developer: ["text"],
  assistant: ["text", "refusal"],
};

/** Content given as parts: known part types for the role, text parts with text, images only for vision models. */
function checkContentParts(body: Record<string, unknown>, messages: unknown[], out: WireViolation[]): void {
  const model = typeof body.model === "string" ? body.model : "";
  messages.forEach((message, i) => {
    if (!isRecord(message) || !Array.isArray(message.content)) return;
    const role = String(message.role);
    const allowed = PART_TYPES[role];
    if (!allowed) return;
    if (message.content.length === 0)
      out.push(violation("content_empty", `messages[${i}].content`, `Invalid 'messages[${i}].content': empty array.`));
    message.content.forEach((part, j) => {
      const path = `messages[${i}].content[${j}]`;
      const type = isRecord(part) ? String(part.type) : "";
      if (!isRecord(part) || !allowed.includes(type)) {
        out.push(
          violation(
            "content_part",
            `${path}.type`,
            `Invalid value: '${type}'. Supported values are: ${allowed.map((t) => `'${t}'`).join(", ")}.`,
          ),
        );
        return;
      }
      if (type === "text" && typeof part.text !== "string")
        out.push(violation("content_text", `${path}.text`, `Missing required parameter: '${path}.text'.`));
      if (type === "image_url") {
        if (!acceptsImages("openai", model))
          out.push(
            violation(
              "image_unsupported",
              path,
              "Invalid content type. image_url is only supported by certain models.",
            ),
          );
        const image = isRecord(part.image_url) ? part.image_url : {};
        checkImageUrl(image.url, `${path}.image_url.url`, out);
        if (image.detail !== undefined && !["auto", "low", "high"].includes(String(image.detail)))
          out.push(violation("image_detail", `${path}.image_url.detail`, "Invalid value for 'detail'."));
      }
    });
  });
}

function checkParameters(body: Record<string, unknown>, out: WireViolation[]): void {
  const model = typeof body.model === "string" ? body.model : "";
  if (model === "") out.push(violation("model", "model", "you must provide a model parameter"));
  const reasoning = openAiFamily(model) === "openai-reasoning";
  if (reasoning && body.max_tokens !== undefined)
    out.push(
      violation(
        "max_tokens_unsupported",
        "max_tokens",
        "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
      ),
    );
  if (!reasoning && body.reasoning_effort !== undefined)
    out.push(
      violation(
        "reasoning_effort_unsupported",
        "reasoning_effort",
        "Unsupported parameter: 'reasoning_effort' is not supported with this model.",
      ),
    );
  checkEffort(body.reasoning_effort, String(body.model), "reasoning_effort", out);
  for (const field of ["max_tokens", "max_completion_tokens"])
    checkOutputCeiling(String(body.model), body[field], field, out);
  if (body.stream_options !== undefined && body.stream !== true)
    out.push(
      violation(
        "stream_options",
        "stream_options",
        "The 'stream_options' parameter is only allowed when 'stream' is true.",
      ),
    );
  const tools = Array.isArray(body.tools) ? body.tools : [];
  const functions = tools.map((tool, i) => {
    const fn = isRecord(tool) && isRecord(tool.function) ? tool.function : {};
    return { name: fn.name, parameters: fn.parameters, path: `tools[${i}].function.parameters` };
  });
  checkOpenAiTools(functions, "tools", out);
  tools.forEach((tool, i) => {
    const fn = isRecord(tool) && isRecord(tool.function) ? tool.function : null;
    if (!fn || typeof fn.name !== "string" || !FUNCTION_NAME.test(fn.name))
      out.push(
        violation(
          "tool_name",
          `tools[${i}].function.name`,
          "Invalid 'tools[].function.name': must match ^[a-zA-Z0-9_-]{1,64}$.",
        ),
      );
  });
}

/** Everything the real API would refuse in this Chat Completions body (empty when it would accept it). */
export function checkOpenAiChat(body: unknown): WireViolation[] {
  const out: WireViolation[] = [];
  if (!isRecord(body)) return [violation("body", "", "the body must be a JSON object")];
  const messages = Array.isArray(body.messages) ? body.messages : [];
  if (messages.length === 0)
    out.push(
      violation(
        "messages_empty",
        "messages",
        "Invalid 'messages': empty array. Expected an array with minimum length 1.",
      ),
    );
  checkToolPairs(messages, out);
  checkContentParts(body, messages, out);
  checkParameters(body, out);
  return out;
}
