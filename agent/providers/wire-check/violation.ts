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
