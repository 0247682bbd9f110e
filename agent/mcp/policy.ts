// The approval a tool call of an MCP server needs: the user's setting, never looser than the operator's policy.

import type { McpApproval, McpApprovalMode } from "../../protocol/mcp";

const RANK: Record<McpApprovalMode, number> = { auto: 0, ask: 1, deny: 2 };

/** The strictest of the user's setting for this tool (or the server's default) and the operator's policy. */
export function effectiveMode(approval: McpApproval, toolName: string, operator: McpApprovalMode): McpApprovalMode {
  const user = approval.tools[toolName] ?? approval.default;
  return RANK[user] >= RANK[operator] ? user : operator;
}
