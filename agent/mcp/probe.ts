// Connects to a server once (adding, testing or after authorising it) and records its status and tools.

import type { McpServerCreated } from "../../protocol/mcp";
import type { McpAccount, McpServer } from "./account";
import { type ConnectOptions, connect, failureText, NeedsAuthorization, needsAuthorization } from "./connection";
import { toolViews } from "./tools";

/** Lists the server's tools and stores the outcome as its status. */
export async function probeServer(
  account: McpAccount,
  server: McpServer,
  options: ConnectOptions,
): Promise<McpServerCreated> {
  const base = { id: server.id, name: server.name, url: server.url };
  try {
    const connection = await connect(account, server, options);
    try {
      const { tools } = await connection.client.listTools();
      const views = toolViews(server, tools);
      await account.setStatus(server.id, "connected", "", views);
      return { ...base, status: "connected", statusDetail: "", tools: views };
    } finally {
      await connection.close().catch(() => undefined);
    }
  } catch (error) {
    const detail = failureText(error);
    if (needsAuthorization(error)) {
      await account.setStatus(server.id, "needs_auth", detail);
      const authorizeUrl = error instanceof NeedsAuthorization ? error.authorizeUrl : null;
      return {
        ...base,
        status: "needs_auth",
        statusDetail: detail,
        tools: [],
        ...(authorizeUrl ? { authorizeUrl } : {}),
      };
    }
    await account.setStatus(server.id, "error", detail);
    return { ...base, status: "error", statusDetail: detail, tools: [] };
  }
}
