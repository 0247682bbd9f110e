// A user's MCP servers as turn tools: listed at turn start (cached), called with a timeout, a size cap and progress.

import { type Tool as McpTool, ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { CfWorkerJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/cfworker";
import type { McpApprovalMode, McpToolView } from "../../protocol/mcp";
import type { Tool, ToolOutcome } from "../tools/types";
import type { McpAccount, McpServer } from "./account";
import { type Connection, connect, failureText, needsAuthorization, reauthorize, refusedToken } from "./connection";
import { offeredName } from "./names";
import { effectiveMode } from "./policy";
import { resultText } from "./results";

/** A server's tool list is listed again after this long (sooner when it says the list changed). */
export const TOOL_LIST_TTL_MS = 60_000;
/** A tool call may run this long without progress; progress resets it up to MCP_CALL_MAX_MS. */
export const MCP_CALL_TIMEOUT_MS = 60_000;
export const MCP_CALL_MAX_MS = 10 * 60_000;
const LIST_TIMEOUT_MS = 15_000;

interface CachedServer {
  updatedAt: number;
  connection: Connection | null;
  tools: McpTool[];
  listedAt: number;
}

/**
 * Open connections and tool lists, by owner (the session object), user and server. Keyed by owner because
 * an isolate hosts many objects and one object cannot use another's I/O (streams, sockets).
 */
const cache = new Map<string, CachedServer>();
const validator = new CfWorkerJsonSchemaValidator();

export interface McpToolsOptions {
  account: McpAccount;
  /** Whose connections these are (the session id): never shared across Durable Objects. */
  owner: string;
  /** The operator's approval policy (EXEC_POLICY): no tool is looser. */
  operatorPolicy: McpApprovalMode;
  allowLoopback: boolean;
  fetch?: typeof fetch;
}

function key({ account, owner }: McpToolsOptions, server: McpServer): string {
  return `${owner}\u0000${account.user}\u0000${server.id}`;
}

async function dropConnection(cacheKey: string): Promise<void> {
  const entry = cache.get(cacheKey);
  if (!entry?.connection) return;
  const { connection } = entry;
  entry.connection = null;
  await connection.close().catch(() => undefined);
}

async function open(options: McpToolsOptions, server: McpServer, cacheKey: string): Promise<Connection> {
  const entry = cache.get(cacheKey);
  if (entry?.connection) return entry.connection;
  const connection = await connect(options.account, server, {
    allowLoopback: options.allowLoopback,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const fresh: CachedServer = entry ?? { updatedAt: server.updatedAt, connection: null, tools: [], listedAt: 0 };
  fresh.connection = connection;
  cache.set(cacheKey, fresh);
  connection.client.onclose = () => {
    if (fresh.connection === connection) fresh.connection = null;
  };
  connection.client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    fresh.listedAt = 0;
  });
  connection.client.onerror = (error) => {
    // A broken stream leaves requests waiting: close, so they fail now and the next call reconnects.
    // An authorisation failure is left to reject its own request (the caller records needs_auth).
    if (!needsAuthorization(error)) void dropConnection(cacheKey);
  };
  return connection;
}

async function listTools(connection: Connection): Promise<McpTool[]> {
  const tools: McpTool[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 20; page++) {
    const result = await connection.client.listTools(cursor ? { cursor } : {}, { timeout: LIST_TIMEOUT_MS });
    tools.push(...result.tools);
    cursor = result.nextCursor;
    if (!cursor) break;
  }
  return tools;
}

/** The server's tools: cached while fresh, else listed (the status is recorded either way). */
async function serverTools(options: McpToolsOptions, server: McpServer): Promise<McpTool[]> {
  const cacheKey = key(options, server);
  let entry = cache.get(cacheKey);
  if (entry && entry.updatedAt !== server.updatedAt) {
    await dropConnection(cacheKey);
    cache.delete(cacheKey);
    entry = undefined;
  }
  if (entry && Date.now() - entry.listedAt < TOOL_LIST_TTL_MS) return entry.tools;
  try {
    const connection = await open(options, server, cacheKey);
    const tools = await listTools(connection);
    const current = cache.get(cacheKey);
    if (current) Object.assign(current, { tools, listedAt: Date.now() });
    await options.account.setStatus(server.id, "connected", "", toolViews(server, tools));
    return tools;
  } catch (error) {
    await dropConnection(cacheKey);
    const status = needsAuthorization(error) ? "needs_auth" : "error";
    await options.account.setStatus(server.id, status, failureText(error)).catch(() => undefined);
    return status === "needs_auth" ? [] : (entry?.tools ?? []);
  }
}

/** What the API shows of a server's tools. */
export function toolViews(server: McpServer, tools: McpTool[]): McpToolView[] {
  return tools.map((t) => ({
    name: t.name,
    offeredAs: offeredName(server.name, t.name),
    description: t.description ?? "",
  }));
}

async function callTool(
  options: McpToolsOptions,
  server: McpServer,
  tool: McpTool,
  args: Record<string, unknown>,
  ctx: Parameters<Tool["run"]>[1],
  retry = true,
): Promise<ToolOutcome> {
  const started = Date.now();
  // The SDK's own schema type and the validator's differ only in optional-property strictness.
  const schema: Parameters<typeof validator.getValidator>[0] = JSON.parse(JSON.stringify(tool.inputSchema));
  const check = validator.getValidator(schema)(args);
  if (!check.valid) return { ok: false, output: `invalid arguments for ${tool.name}: ${check.errorMessage}` };
  const cacheKey = key(options, server);
  try {
    const connection = await open(options, server, cacheKey);
    const entry = cache.get(cacheKey);
    // A new connection learns the tools' output schemas before the call, so results are validated.
    if (entry && entry.tools.length === 0)
      Object.assign(entry, { tools: await listTools(connection), listedAt: Date.now() });
    const result = await connection.client.callTool({ name: tool.name, arguments: args }, undefined, {
      signal: ctx.signal,
      timeout: MCP_CALL_TIMEOUT_MS,
      resetTimeoutOnProgress: true,
      maxTotalTimeout: MCP_CALL_MAX_MS,
      onprogress: (p) => {
        const total = p.total === undefined ? "" : `/${p.total}`;
        ctx.onOutput("stdout", `progress ${p.progress}${total}${p.message ? `: ${p.message}` : ""}\n`);
      },
    });
    const { text, truncated } = resultText(result);
    const failed = result.isError === true;
    return {
      ok: !failed,
      output: text || (failed ? "the tool failed" : ""),
      durationMs: Date.now() - started,
      truncated,
    };
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    await dropConnection(cacheKey);
    const connectOptions = { allowLoopback: options.allowLoopback, ...(options.fetch ? { fetch: options.fetch } : {}) };
    if (refusedToken(error) && retry && (await reauthorize(options.account, server, connectOptions))) {
      return callTool(options, server, tool, args, ctx, false);
    }
    if (needsAuthorization(error)) {
      await options.account.setStatus(server.id, "needs_auth", failureText(error)).catch(() => undefined);
    }
    return {
      ok: false,
      output: `MCP server "${server.name}" failed: ${failureText(error)}`,
      durationMs: Date.now() - started,
    };
  }
}

/** Every tool of the user's servers the policy lets the model see, as turn tools. */
export async function mcpTools(options: McpToolsOptions): Promise<Tool[]> {
  const rows = await options.account.directory.mcpList();
  const servers = await Promise.all(rows.map((row) => options.account.open(row).catch(() => null)));
  const lists = await Promise.all(
    servers.map(async (server) =>
      server && server.status !== "needs_auth" ? { server, tools: await serverTools(options, server) } : null,
    ),
  );
  const offered: Tool[] = [];
  for (const list of lists) {
    if (!list) continue;
    for (const tool of list.tools) {
      const mode = effectiveMode(list.server.approval, tool.name, options.operatorPolicy);
      if (mode === "deny") continue;
      offered.push({
        spec: {
          name: offeredName(list.server.name, tool.name),
          description: `[${list.server.name}] ${tool.description ?? tool.title ?? tool.name}`.slice(0, 1024),
          parameters: tool.inputSchema,
        },
        needsApproval: mode === "ask",
        run: (args, ctx) => callTool(options, list.server, tool, args, ctx),
      });
    }
  }
  return offered;
}
