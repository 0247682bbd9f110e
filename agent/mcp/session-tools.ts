// The hook a session's turn uses: the owner's MCP tools, or none when MCP is off or anything fails.

import type { Config } from "../../config/config";
import { log } from "../../log/logger";
import type { Tool } from "../tools/types";
import { McpAccount, type McpDirectory } from "./account";
import { mcpTools } from "./tools";

/** The user's MCP tools for this turn; an error here never breaks the turn (the tools are just missing). */
export async function userMcpTools(
  directory: (owner: string) => McpDirectory,
  config: Config,
  owner: string,
  sessionId: string,
): Promise<Tool[]> {
  if (!config.mcpEncryptionKey || owner === "") return [];
  const account = new McpAccount(directory(owner), config.mcpEncryptionKey, owner);
  try {
    return await mcpTools({
      account,
      owner: sessionId,
      operatorPolicy: config.sandbox.execPolicy,
      // A loopback server is stored only when registered over loopback with DEV_AUTH=1 (worker/routes/mcp.ts);
      // with no request at hand here, DEV_AUTH=1 lets the stored ones (and their loopback redirects) be reached.
      allowLoopback: config.devAuth,
    });
  } catch (error) {
    log.error("mcp tools unavailable", { session: sessionId, error: String(error) });
    return [];
  }
}
