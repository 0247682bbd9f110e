// /api/mcp: the signed-in user's MCP servers (add, list, test, authorise, remove) and the OAuth callback.

import { auth } from "@modelcontextprotocol/sdk/client/auth.js";
import { Hono } from "hono";
import { McpAccount, parseApproval } from "../../agent/mcp/account";
import { failureText } from "../../agent/mcp/connection";
import { sha256Hex } from "../../agent/mcp/crypto";
import { validServerName } from "../../agent/mcp/names";
import { StoredOAuthProvider } from "../../agent/mcp/oauth-provider";
import { probeServer } from "../../agent/mcp/probe";
import { checkOutboundUrl, guardedFetch } from "../../agent/mcp/url-guard";
import { MAX_MCP_SERVERS } from "../../objects/directory/mcp-store";
import { AppError } from "../../protocol/errors";
import { isRecord } from "../../protocol/json";
import { MCP_TRANSPORTS, type McpServerInput, type McpTransport } from "../../protocol/mcp";
import type { AppEnv } from "../app-env";
import { devAuthActive } from "../auth/dev-auth";
import { readJson } from "../http/respond";
import { userDirectory } from "../sessions";

/** The page the OAuth callback sends the browser back to. */
export const MCP_PAGE = "/mcp";
const MAX_HEADERS = 20;
const RESERVED_HEADERS = new Set([
  "host",
  "content-length",
  "content-type",
  "accept",
  "mcp-session-id",
  "mcp-protocol-version",
  "last-event-id",
]);

function parseHeaders(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (!isRecord(value)) throw new AppError("bad_request", '"headers" must be an object of strings');
  const entries = Object.entries(value);
  if (entries.length > MAX_HEADERS) throw new AppError("bad_request", `at most ${MAX_HEADERS} headers`);
  const headers: Record<string, string> = {};
  for (const [name, v] of entries) {
    const lower = name.toLowerCase();
    if (!/^[!#$%&'*+.^_`|~0-9a-z-]{1,100}$/.test(lower) || RESERVED_HEADERS.has(lower)) {
      throw new AppError("bad_request", `"${name.slice(0, 100)}" cannot be set as a header`);
    }
    if (typeof v !== "string" || v.length > 8192 || /[\r\n\0]/.test(v)) {
      throw new AppError("bad_request", `the value of header "${name}" must be one line of at most 8192 characters`);
    }
    headers[lower] = v;
  }
  return headers;
}

function parseInput(
  body: unknown,
  allowLoopback: boolean,
): Required<Omit<McpServerInput, "approval">> & {
  approval: unknown;
} {
  if (!isRecord(body) || typeof body.name !== "string" || typeof body.url !== "string") {
    throw new AppError("bad_request", 'the body must be {"name": "...", "url": "https://...", "headers"?: {...}}');
  }
  if (!validServerName(body.name)) {
    throw new AppError("bad_request", "the name must be 1-32 letters, digits, _ or -");
  }
  const refused = checkOutboundUrl(body.url, { allowLoopback });
  if (refused) throw new AppError("bad_request", `the url cannot be used: ${refused}`);
  const transport = body.transport === undefined ? "auto" : MCP_TRANSPORTS.find((t) => t === body.transport);
  if (!transport) throw new AppError("bad_request", `"transport" must be one of ${MCP_TRANSPORTS.join(", ")}`);
  return { name: body.name, url: body.url, headers: parseHeaders(body.headers), transport, approval: body.approval };
}

export function mcpRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  const account = (c: { env: Env; var: AppEnv["Variables"] }) => {
    const key = c.var.config.mcpEncryptionKey;
    if (!key) throw new AppError("mcp_unavailable", "MCP servers are off: MCP_ENCRYPTION_KEY is not set");
    const user = c.var.auth.identity.user;
    return new McpAccount(userDirectory(c.env, user), key, user);
  };
  // Loopback servers only for a request DEV_AUTH=1 is honoured for (the service runs locally and the request came
  // over loopback): a deployed Worker with DEV_AUTH=1 left on by mistake still refuses them.
  const loopback = (c: { req: { raw: Request }; var: AppEnv["Variables"] }) => devAuthActive(c.var.config, c.req.raw);
  const connectOptions = (c: { req: { url: string; raw: Request }; var: AppEnv["Variables"] }) => ({
    allowLoopback: loopback(c),
    redirectUrl: new URL("/api/mcp/oauth/callback", c.req.url).toString(),
  });
  const server = async (mcp: McpAccount, id: string) => {
    const row = await mcp.directory.mcpGet(id);
    if (!row) throw new AppError("not_found", "no such MCP server");
    return row;
  };

  routes.get("/mcp/servers", async (c) => {
    const mcp = account(c);
    const rows = await mcp.directory.mcpList();
    return c.json({ servers: await Promise.all(rows.map((row) => mcp.view(row))) });
  });

  routes.post("/mcp/servers", async (c) => {
    const mcp = account(c);
    const input = parseInput(await readJson(c.req.raw), loopback(c));
    const id = crypto.randomUUID();
    const now = Date.now();
    const row = await mcp.directory.mcpInsert({
      id,
      name: input.name,
      url: input.url,
      transport: input.transport satisfies McpTransport,
      secrets: await mcp.seal(id, { headers: input.headers }),
      approval: JSON.stringify(parseApproval(input.approval)),
      status: "new",
      statusDetail: "",
      tools: "[]",
      oauthState: null,
      oauthStateExpires: null,
      createdAt: now,
      updatedAt: now,
    });
    if (!row) {
      const taken = (await mcp.directory.mcpList()).some((r) => r.name === input.name);
      throw new AppError(
        "conflict",
        taken
          ? `a server named "${input.name}" exists`
          : `you have ${MAX_MCP_SERVERS} MCP servers, the most a user keeps: remove one first`,
      );
    }
    return c.json(await probeServer(mcp, await mcp.open(row), connectOptions(c)), 201);
  });

  routes.patch("/mcp/servers/:id", async (c) => {
    const mcp = account(c);
    await server(mcp, c.req.param("id"));
    const body = await readJson(c.req.raw);
    if (!isRecord(body) || !isRecord(body.approval))
      throw new AppError("bad_request", 'the body must be {"approval": {...}}');
    const row = await mcp.directory.mcpUpdate(c.req.param("id"), {
      approval: JSON.stringify(parseApproval(body.approval)),
      updatedAt: Date.now(),
    });
    if (!row) throw new AppError("not_found", "no such MCP server");
    return c.json(await mcp.view(row));
  });

  routes.post("/mcp/servers/:id/test", async (c) => {
    const mcp = account(c);
    const row = await server(mcp, c.req.param("id"));
    return c.json(await probeServer(mcp, await mcp.open(row), connectOptions(c)));
  });

  routes.post("/mcp/servers/:id/authorize", async (c) => {
    const mcp = account(c);
    const target = await mcp.open(await server(mcp, c.req.param("id")));
    delete target.secrets.tokens;
    delete target.secrets.tokensExpireAt;
    await mcp.saveSecrets(target.id, target.secrets);
    return c.json(await probeServer(mcp, target, connectOptions(c)));
  });

  routes.delete("/mcp/servers/:id", async (c) => {
    if (!(await account(c).directory.mcpDelete(c.req.param("id")))) {
      throw new AppError("not_found", "no such MCP server");
    }
    return c.body(null, 204);
  });

  routes.get("/mcp/oauth/callback", async (c) => {
    const mcp = account(c);
    const state = c.req.query("state") ?? "";
    const row = state ? await mcp.directory.mcpTakeState(await sha256Hex(state)) : null;
    if (!row) throw new AppError("bad_request", "this authorisation has expired or is not yours; start it again");
    const target = await mcp.open(row);
    const back = new URL(MCP_PAGE, c.req.url);
    back.searchParams.set("server", target.id);
    const code = c.req.query("code");
    if (!code) {
      const reason = (c.req.query("error") ?? "no code").slice(0, 100);
      await mcp.setStatus(target.id, "needs_auth", `the authorisation was refused: ${reason}`);
      return c.redirect(back.toString(), 303);
    }
    const options = connectOptions(c);
    try {
      const provider = new StoredOAuthProvider(mcp, target);
      const fetchFn = guardedFetch({ allowLoopback: options.allowLoopback });
      await auth(provider, { serverUrl: target.url, authorizationCode: code, fetchFn });
    } catch (error) {
      await mcp.setStatus(target.id, "needs_auth", `the authorisation failed: ${failureText(error)}`);
      return c.redirect(back.toString(), 303);
    }
    await mcp.directory.mcpUpdate(target.id, { updatedAt: Date.now() });
    await probeServer(mcp, target, options);
    return c.redirect(back.toString(), 303);
  });
  return routes;
}
