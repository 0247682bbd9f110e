// MCP options: the key that encrypts the user's MCP secrets and OAuth tokens at rest (no key, no MCP servers).

import { configError, type VarsOf } from "./read";

export const MCP_VARIABLES = ["MCP_ENCRYPTION_KEY"] as const;
export type McpVars = VarsOf<typeof MCP_VARIABLES>;

export interface McpSlice {
  /** MCP_ENCRYPTION_KEY (base64 of 32 bytes): encrypts MCP secrets at rest; null turns MCP servers off. */
  mcpEncryptionKey: string | null;
}

/** Whether a configured key is 32 bytes of base64 (what `MCP_ENCRYPTION_KEY` must be). */
export function validKey(raw: string): boolean {
  try {
    return atob(raw.trim()).length === 32;
  } catch {
    return false;
  }
}

export function parseMcp(vars: McpVars): McpSlice {
  const key = vars.MCP_ENCRYPTION_KEY?.trim() || null;
  if (key !== null && !validKey(key)) throw configError("MCP_ENCRYPTION_KEY", "must be 32 random bytes in base64");
  return { mcpEncryptionKey: key };
}
