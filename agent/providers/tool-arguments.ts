// A tool call's arguments as the history sends them back. The model may have produced JSON that does not parse
// (a stream cut by the token limit) or is not an object: the call was refused, but it stays in the history, and
// Anthropic (an object `input`) and Ollama (which parses every `arguments` string) refuse it as it was.

import { isRecord } from "../../protocol/json";

/** The arguments as an object: as they were when they are one, else wrapped so the model still sees them. */
export function argumentsObject(json: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(json || "{}");
    return isRecord(value) ? value : { value };
  } catch {
    return { invalid_json: json };
  }
}

/** The `arguments` string of an OpenAI tool call: unchanged when it is a JSON object, else that object's JSON. */
export function argumentsString(json: string): string {
  try {
    if (isRecord(JSON.parse(json))) return json;
  } catch {
    // Sent as the object argumentsObject makes of it.
  }
  return JSON.stringify(argumentsObject(json));
}
