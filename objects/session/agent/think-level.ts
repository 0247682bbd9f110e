// The session's `/think` level: the newest valid `/think` command in the log (commands are stored as messages).

import type { ThinkLevel } from "../../../agent/providers/types";
import type { EventLog } from "../event-log";
import { parseCommand } from "./commands";

const LEVELS: readonly ThinkLevel[] = ["off", "low", "high"];

export function isThinkLevel(value: string): value is ThinkLevel {
  return LEVELS.some((level) => level === value);
}

/** The level set with `/think`, or undefined when never set (the provider's default applies). */
export function sessionThinkLevel(log: EventLog): ThinkLevel | undefined {
  // Only messages that mention /think can set it (the text is stored as JSON, where "/" is not escaped).
  const messages = log.userMessagesContaining("/think");
  for (let i = messages.length - 1; i >= 0; i--) {
    const event = messages[i];
    if (event?.type !== "user_message") continue;
    const command = parseCommand(event.text);
    if (command?.name === "/think" && isThinkLevel(command.arg)) return command.arg;
  }
  return undefined;
}
