// The rules OpenAI applies to the tools of a request, in Chat Completions and the Responses API alike.

import { isRecord, tooLong, violation, type WireViolation } from "./violation.ts";

/** The most tools one request may carry. */
const MAX_TOOLS = 128;

/**
 * Checks the tools' count and each one's parameter schema: a root `type: "object"` with a `properties` object
 * (OpenAI refuses `{"type": "object"}` alone: "object schema missing properties").
 */
export function checkOpenAiTools(
  tools: { name: unknown; parameters: unknown; path: string }[],
  at: string,
  out: WireViolation[],
): void {
  if (tools.length > MAX_TOOLS) out.push(tooLong("array", at, MAX_TOOLS, tools.length));
  for (const { name, parameters, path } of tools) {
    if (parameters === undefined) continue;
    const problem = !isRecord(parameters)
      ? "schema must be a JSON Schema of 'type: \"object\"'"
      : parameters.type !== "object"
        ? `schema must be a JSON Schema of 'type: "object"', got 'type: "${String(parameters.type)}"'`
        : !isRecord(parameters.properties)
          ? "In context=(), object schema missing properties"
          : null;
    if (problem)
      out.push(
        violation("invalid_function_parameters", path, `Invalid schema for function '${String(name)}': ${problem}.`),
      );
  }
}
