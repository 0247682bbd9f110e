// Tool names offered to the model: `<server>__<tool>`, valid for every provider, shortened with a stable hash.

import { fnv1a } from "../stable-hash";

/** What every provider accepts as a tool name. */
export const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;
const MAX_NAME = 64;

/** The name the model sees for a server's tool. */
export function offeredName(serverName: string, toolName: string): string {
  const clean = toolName.replace(/[^a-zA-Z0-9_-]/g, "_") || "tool";
  const full = `${serverName}__${clean}`;
  if (full.length <= MAX_NAME && clean === toolName) return full;
  const hash = fnv1a(`${serverName}\u0000${toolName}`);
  return `${full.slice(0, MAX_NAME - hash.length - 1)}_${hash}`;
}

/** Whether a server name is usable as a tool-name prefix. */
export function validServerName(name: string): boolean {
  return /^[a-zA-Z0-9_-]{1,32}$/.test(name);
}
