// A tool's parameter schema as OpenAI takes it. MCP servers often describe a tool without arguments as
// `{"type": "object"}` (valid JSON Schema), which OpenAI refuses: "object schema missing properties".

import { isRecord } from "../../protocol/json";

/** The schema with `type: "object"` and a `properties` object at its root, adding only what is missing. */
export function openAiParameters(schema: Record<string, unknown>): Record<string, unknown> {
  const type = schema.type ?? "object";
  if (type !== "object" || isRecord(schema.properties)) return schema.type === undefined ? { ...schema, type } : schema;
  return { ...schema, type, properties: {} };
}
