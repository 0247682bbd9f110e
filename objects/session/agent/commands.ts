// Slash commands any device can send as a message; parsed here, carried out by the turn controller.

export const COMMANDS = {
  "/help": "list the commands",
  "/model": "/model NAME — use another model in this session (/model alone shows the current one)",
  "/new": "start a fresh context: the model forgets earlier turns (they stay stored and visible)",
  "/reset": "the same as /new",
  "/usage": "tokens used in this session",
  "/cancel": "stop the running turn",
  "/compact": "summarise older turns now to free the model's context",
  "/think": "/think off|low|high — how hard reasoning models think, from the next turn (/think alone shows it)",
} as const;

export type CommandName = keyof typeof COMMANDS;

export interface Command {
  name: CommandName;
  /** The rest of the line, trimmed ("" when none). */
  arg: string;
}

function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(COMMANDS, name);
}

/** A known command, or null for ordinary text (unknown `/words` go to the model as they are). */
export function parseCommand(text: string): Command | null {
  const match = /^(\/[a-z]+)(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!match?.[1] || !isCommandName(match[1])) return null;
  return { name: match[1], arg: (match[2] ?? "").trim() };
}

export function helpText(): string {
  return Object.entries(COMMANDS)
    .map(([name, about]) => `${name} — ${about.replace(/^\/\w+ [A-Z]+ — /, "")}`)
    .join("\n");
}
