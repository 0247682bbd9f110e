// One user's MCP servers: rows from their directory object, secrets opened with the key, changes written back.

import { isRecord } from "../../protocol/json";
import type {
  McpApproval,
  McpApprovalMode,
  McpServerView,
  McpStatus,
  McpToolView,
  McpTransport,
} from "../../protocol/mcp";
import { MCP_TRANSPORTS } from "../../protocol/mcp";
import { type McpSecrets, openSecrets, sealSecrets } from "./secrets";

/** One MCP server as the user's directory keeps it: the `mcp_servers` columns (objects/directory/schema.ts). */
export interface McpServerRow {
  id: string;
  name: string;
  url: string;
  /** `auto` (Streamable HTTP, then HTTP+SSE), `streamable-http` or `sse`. */
  transport: string;
  /** Encrypted JSON of the server's secrets (see secrets.ts). */
  secrets: string;
  /** JSON approval settings: `{"default": "ask"|"auto", "tools": {name: "ask"|"auto"|"deny"}}`. */
  approval: string;
  /** `new`, `connected`, `needs_auth`, `error`. */
  status: string;
  statusDetail: string;
  /** JSON list of the tools last seen: `[{name, description}]`. */
  tools: string;
  /** SHA-256 (hex) of the pending OAuth `state`, and when it expires. */
  oauthState: string | null;
  oauthStateExpires: number | null;
  createdAt: number;
  /** Bumped when the user changes the server or authorises it: cached connections are dropped. */
  updatedAt: number;
}

/** The columns a change may set. */
export type McpServerPatch = Partial<Omit<McpServerRow, "id" | "createdAt">>;

/** The directory object's MCP methods (RPC). */
export interface McpDirectory {
  mcpList(): Promise<McpServerRow[]>;
  mcpGet(id: string): Promise<McpServerRow | null>;
  mcpInsert(row: McpServerRow): Promise<McpServerRow | null>;
  mcpUpdate(id: string, patch: McpServerPatch): Promise<McpServerRow | null>;
  mcpDelete(id: string): Promise<boolean>;
  mcpTakeState(stateHash: string): Promise<McpServerRow | null>;
}

/** A server as the client code uses it: its row's plain fields and its opened secrets. */
export interface McpServer {
  id: string;
  name: string;
  url: string;
  transport: McpTransport;
  approval: McpApproval;
  status: McpStatus;
  updatedAt: number;
  secrets: McpSecrets;
}

const STATUSES: readonly McpStatus[] = ["new", "connected", "needs_auth", "error"];
const MODES: readonly McpApprovalMode[] = ["ask", "auto", "deny"];

/** Approval settings from stored or posted JSON; anything unknown falls back to asking. */
export function parseApproval(value: unknown): McpApproval {
  const approval: McpApproval = { default: "ask", tools: {} };
  if (!isRecord(value)) return approval;
  if (value.default === "auto") approval.default = "auto";
  if (isRecord(value.tools)) {
    for (const [name, mode] of Object.entries(value.tools)) {
      const known = MODES.find((m) => m === mode);
      if (known) approval.tools[name] = known;
    }
  }
  return approval;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function storedTools(text: string): McpToolView[] {
  const value = parseJson(text);
  if (!Array.isArray(value)) return [];
  return value.filter(isRecord).map((t) => ({
    name: String(t.name ?? ""),
    offeredAs: String(t.offeredAs ?? ""),
    description: String(t.description ?? ""),
  }));
}

/** The API's view of a row: never a secret value. */
export function serverView(row: McpServerRow, secrets: McpSecrets): McpServerView {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    transport: MCP_TRANSPORTS.find((t) => t === row.transport) ?? "auto",
    status: STATUSES.find((s) => s === row.status) ?? "error",
    statusDetail: row.statusDetail,
    headerNames: Object.keys(secrets.headers),
    authorized: secrets.tokens !== undefined,
    approval: parseApproval(parseJson(row.approval)),
    tools: storedTools(row.tools),
    createdAt: row.createdAt,
  };
}

export class McpAccount {
  readonly directory: McpDirectory;
  readonly user: string;
  readonly #key: string;

  constructor(directory: McpDirectory, key: string, user: string) {
    this.directory = directory;
    this.#key = key;
    this.user = user;
  }

  seal(serverId: string, secrets: McpSecrets): Promise<string> {
    return sealSecrets(this.#key, this.user, serverId, secrets);
  }

  async open(row: McpServerRow): Promise<McpServer> {
    return {
      id: row.id,
      name: row.name,
      url: row.url,
      transport: MCP_TRANSPORTS.find((t) => t === row.transport) ?? "auto",
      approval: parseApproval(parseJson(row.approval)),
      status: STATUSES.find((s) => s === row.status) ?? "error",
      updatedAt: row.updatedAt,
      secrets: await openSecrets(this.#key, this.user, row.id, row.secrets),
    };
  }

  async view(row: McpServerRow): Promise<McpServerView> {
    return serverView(row, await openSecrets(this.#key, this.user, row.id, row.secrets));
  }

  async saveSecrets(serverId: string, secrets: McpSecrets): Promise<void> {
    await this.directory.mcpUpdate(serverId, { secrets: await this.seal(serverId, secrets) });
  }

  async setStatus(serverId: string, status: McpStatus, detail = "", tools?: McpToolView[]): Promise<void> {
    await this.directory.mcpUpdate(serverId, {
      status,
      statusDetail: detail.slice(0, 500),
      ...(tools ? { tools: JSON.stringify(tools) } : {}),
    });
  }
}
