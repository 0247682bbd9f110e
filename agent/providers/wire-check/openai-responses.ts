// The rules OpenAI's Responses API enforces on a stateless (`store: false`) request body.

import { acceptsImages, openAiFamily } from "../model-family.ts";
import { checkImageUrl } from "./media.ts";
import { checkEffort } from "./openai-chat.ts";
import { checkOpenAiTools } from "./openai-tools.ts";
import { checkOutputCeiling } from "./output-ceilings.ts";
import { isRecord, violation, type WireViolation } from "./violation.ts";

/** function_call_output items answer an earlier function_call (same call_id); every call is answered. */
export function checkOpenAiResponses(body: unknown): WireViolation[] {
  const out: WireViolation[] = [];
  if (!isRecord(body)) return [violation("body", "", "the body must be a JSON object")];
  const model = typeof body.model === "string" ? body.model : "";
  if (model === "") out.push(violation("model", "model", "Missing required parameter: 'model'."));
  const input = Array.isArray(body.input) ? body.input : [];
  if (input.length === 0) out.push(violation("input_empty", "input", "Invalid 'input': empty array."));
  const calls = new Set<string>();
  const answered = new Set<string>();
  input.forEach((item, i) => {
    const path = `input[${i}]`;
    if (!isRecord(item)) return;
    if (Array.isArray(item.content) && item.role === "user") {
      item.content.forEach((part, j) => {
        const at = `${path}.content[${j}]`;
        const type = isRecord(part) ? String(part.type) : "";
        if (!isRecord(part) || !["input_text", "input_image", "input_file"].includes(type))
          out.push(violation("content_part", `${at}.type`, `Invalid value: '${type}'.`));
        else if (type === "input_image") {
          if (!acceptsImages("openai", model))
            out.push(
              violation(
                "image_unsupported",
                at,
                "Invalid content type. input_image is only supported by certain models.",
              ),
            );
          checkImageUrl(part.image_url, `${at}.image_url`, out);
        }
      });
    }
    if (item.type === "function_call") {
      if (typeof item.call_id !== "string" || item.call_id === "")
        out.push(violation("call_id", path, `Missing required parameter: '${path}.call_id'.`));
      else calls.add(item.call_id);
    } else if (item.type === "function_call_output") {
      const id = String(item.call_id);
      if (!calls.has(id))
        out.push(
          violation(
            "tool_result_without_call",
            path,
            `No tool call found for function call output with call_id ${id}.`,
          ),
        );
      answered.add(id);
    } else if (item.type === "reasoning") {
      if (body.store === false && typeof item.encrypted_content !== "string")
        out.push(
          violation(
            "reasoning_not_carried",
            path,
            `Item '${String(item.id)}' of type 'reasoning' was provided without its encrypted_content; with store=false reasoning items must carry it.`,
          ),
        );
    }
  });
  const missing = [...calls].filter((id) => !answered.has(id));
  if (missing.length > 0)
    out.push(
      violation("tool_call_unanswered", "input", `No tool output found for function call ${missing.join(", ")}.`),
    );
  const tools = (Array.isArray(body.tools) ? body.tools : []).map((tool, i) => {
    const fn = isRecord(tool) ? tool : {};
    return { name: fn.name, parameters: fn.parameters, path: `tools[${i}].parameters` };
  });
  checkOpenAiTools(tools, "tools", out);
  const reasoning = openAiFamily(model) === "openai-reasoning";
  if (body.max_tokens !== undefined || body.max_completion_tokens !== undefined)
    out.push(
      violation(
        "max_tokens_unsupported",
        "max_tokens",
        "Unsupported parameter: use 'max_output_tokens' with the Responses API.",
      ),
    );
  if (!reasoning && body.reasoning !== undefined)
    out.push(
      violation(
        "reasoning_unsupported",
        "reasoning",
        "Unsupported parameter: 'reasoning.effort' is not supported with this model.",
      ),
    );
  checkEffort(isRecord(body.reasoning) ? body.reasoning.effort : undefined, model, "reasoning.effort", out);
  checkOutputCeiling(model, body.max_output_tokens, "max_output_tokens", out);
  return out;
}
