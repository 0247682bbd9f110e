// The session's `/think` level: a setting of the session (its metadata), set by the command.

import type { ThinkLevel } from "../../../protocol/api";

const LEVELS: readonly ThinkLevel[] = ["off", "low", "high"];

export function isThinkLevel(value: string): value is ThinkLevel {
  return LEVELS.some((level) => level === value);
}
