// What a checker reports: the rule broken, where, and the message the real API would answer with.

export interface WireViolation {
  /** A short stable name of the rule, e.g. "tool_result_without_call". */
  rule: string;
  /** Where in the body, e.g. "messages[3]". */
  path: string;
  /** Close to the real API's 400 message. */
  message: string;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export const violation = (rule: string, path: string, message: string): WireViolation => ({ rule, path, message });

/** OpenAI's answer to a string or array past its maximum length. */
export const tooLong = (kind: "string" | "array", path: string, max: number, length: number): WireViolation =>
  violation(
    `${kind}_above_max_length`,
    path,
    `Invalid '${path}': ${kind} too long. Expected ${kind === "string" ? "a string" : "an array"} with maximum length ${max}, but got ${kind === "string" ? "a string" : "an array"} with length ${length} instead.`,
  );
