// The wire shapes of /api/mcp: a user's MCP servers as the API shows them (never their secrets).

/** How a server is reached: `auto` tries Streamable HTTP, then the older HTTP+SSE. */
export type McpTransport = "auto" | "streamable-http" | "sse";
export const MCP_TRANSPORTS: readonly McpTransport[] = ["auto", "streamable-http", "sse"];

/** `new` (never reached), `connected`, `needs_auth` (authorise it, again after a revoked grant), `error`. */
export type McpStatus = "new" | "connected" | "needs_auth" | "error";

/** Whether a tool call waits for the user's approval; `deny` hides the tool from the model. */
export type McpApprovalMode = "ask" | "auto" | "deny";

export interface McpApproval {
  /** Every tool of the server not named in `tools` (default `ask`). */
  default: "ask" | "auto";
  /** Per tool (the server's own tool name). */
  tools: Record<string, McpApprovalMode>;
}

/** A tool a server offers, as last seen. */
export interface McpToolView {
  /** The server's name for it. */
  name: string;
  /** The name the model sees (server-name prefix, provider-valid). */
  offeredAs: string;
  description: string;
}

/** A server as `GET /api/mcp/servers` lists it. */
export interface McpServerView {
  id: string;
  name: string;
  url: string;
  transport: McpTransport;
  status: McpStatus;
  /** Why the status is what it is (an error message, "authorise again"), else "". */
  statusDetail: string;
  /** Names of the headers sent (their values are secret and never returned). */
  headerNames: string[];
  /** Whether OAuth tokens are held for it. */
  authorized: boolean;
  approval: McpApproval;
  tools: McpToolView[];
  createdAt: number;
}

/** `POST /api/mcp/servers` body. */
export interface McpServerInput {
  /** Letters, digits, `_` and `-`, 1–32; prefixes its tools' names. Unique per user. */
  name: string;
  /** `http(s)` URL of the MCP endpoint. */
  url: string;
  /** Extra request headers (e.g. `Authorization`), kept encrypted. */
  headers?: Record<string, string>;
  transport?: McpTransport;
  approval?: Partial<McpApproval>;
}

/** `POST /api/mcp/servers` answer (201), and of `…/:id/test` and `…/:id/authorize`. */
export interface McpServerCreated {
  id: string;
  name: string;
  url: string;
  status: McpStatus;
  statusDetail: string;
  /** When the server wants OAuth: open this URL in the browser to authorise it. */
  authorizeUrl?: string;
  tools: McpToolView[];
}
