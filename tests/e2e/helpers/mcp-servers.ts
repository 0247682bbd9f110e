// Real MCP servers from the official SDK for end-to-end tests: Streamable HTTP, HTTP+SSE, and one behind OAuth.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { requireBearerAuth } from "@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js";
import { getOAuthProtectedResourceMetadataUrl, mcpAuthRouter } from "@modelcontextprotocol/sdk/server/auth/router.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { SSEServerTransport } from "@modelcontextprotocol/sdk/server/sse.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import express from "express";
import { z } from "zod";
import { TestAuthServer } from "./mcp-auth-server.ts";

/** What the test can see of a running server. */
export interface TestMcp {
  url: string;
  /** Request headers of every MCP request received. */
  headers: Record<string, string | string[] | undefined>[];
  /** Resolves the pending `hang` calls. */
  release(): void;
  /** Resolves when a `hang` call has started. */
  hanging: Promise<void>;
  /** Stops the server abruptly: every open connection is cut. */
  kill(): Promise<void>;
}

/** The tools every test server offers: `echo` (input and output schemas), `add`, and `hang` (progress, then waits). */
function buildServer(label: string, onHang: () => Promise<void>): McpServer {
  const server = new McpServer({ name: `test-${label}`, version: "1.0.0" });
  server.registerTool(
    "echo",
    {
      description: "Echoes the text back",
      inputSchema: { text: z.string().max(100) },
      outputSchema: { echoed: z.string(), server: z.string() },
    },
    async ({ text }) => ({
      content: [{ type: "text", text: `${label} echo: ${text}` }],
      structuredContent: { echoed: text, server: label },
    }),
  );
  server.registerTool(
    "add",
    { description: "Adds two numbers", inputSchema: { a: z.number(), b: z.number() } },
    async ({ a, b }) => ({ content: [{ type: "text", text: `sum=${a + b}` }] }),
  );
  server.registerTool(
    "hang",
    { description: "Reports progress, then waits until released", inputSchema: {} },
    async (_args, extra) => {
      const token = extra._meta?.progressToken;
      if (token !== undefined) {
        await extra.sendNotification({
          method: "notifications/progress",
          params: { progressToken: token, progress: 1, total: 2, message: "working" },
        });
      }
      await onHang();
      return { content: [{ type: "text", text: "released" }] };
    },
  );
  return server;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.from(chunk));
  const text = Buffer.concat(chunks).toString("utf8");
  return text === "" ? undefined : JSON.parse(text);
}

function hangControl() {
  let release: () => void = () => undefined;
  let started: () => void = () => undefined;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const hanging = new Promise<void>((resolve) => {
    started = resolve;
  });
  return {
    release: () => release(),
    hanging,
    onHang: () => {
      started();
      return released;
    },
  };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function killer(server: Server): () => Promise<void> {
  return async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
}

/** A stateless Streamable HTTP server at `/mcp`. */
export async function startStreamableServer(label = "stream"): Promise<TestMcp> {
  const control = hangControl();
  const headers: TestMcp["headers"] = [];
  const http = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    if (!req.url?.startsWith("/mcp")) return res.writeHead(404).end();
    headers.push(req.headers);
    if (req.method !== "POST") return res.writeHead(405, { allow: "POST" }).end();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    const server = buildServer(label, control.onHang);
    res.on("close", () => void transport.close());
    await server.connect(transport);
    await transport.handleRequest(req, res, await readBody(req));
  });
  const url = `${await listen(http)}/mcp`;
  return { url, headers, release: control.release, hanging: control.hanging, kill: killer(http) };
}

/** An HTTP+SSE server (the older transport): `GET /sse` opens the stream, `POST /messages` sends. */
export async function startSseServer(label = "sse"): Promise<TestMcp> {
  const control = hangControl();
  const headers: TestMcp["headers"] = [];
  const transports = new Map<string, SSEServerTransport>();
  const http = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    headers.push(req.headers);
    const url = new URL(req.url ?? "/", "http://localhost");
    if (req.method === "GET" && url.pathname === "/sse") {
      const transport = new SSEServerTransport("/messages", res);
      transports.set(transport.sessionId, transport);
      res.on("close", () => transports.delete(transport.sessionId));
      await buildServer(label, control.onHang).connect(transport);
      return;
    }
    const transport = transports.get(url.searchParams.get("sessionId") ?? "");
    if (req.method === "POST" && url.pathname === "/messages" && transport) {
      await transport.handlePostMessage(req, res, await readBody(req));
      return;
    }
    // Streamable HTTP clients POST to the SSE URL first; an SSE-only server refuses that.
    res.writeHead(405, { allow: "GET" }).end();
  });
  const url = `${await listen(http)}/sse`;
  return { url, headers, release: control.release, hanging: control.hanging, kill: killer(http) };
}

export interface TestOAuthMcp extends TestMcp {
  auth: TestAuthServer;
}

/** A Streamable HTTP server behind OAuth, with its own authorization server (the SDK's router) on the same origin. */
export async function startOAuthServer(label = "secure"): Promise<TestOAuthMcp> {
  const control = hangControl();
  const headers: TestMcp["headers"] = [];
  const app = express();
  const http = createServer(app);
  const base = await listen(http);
  const mcpUrl = new URL(`${base}/mcp`);
  const auth = new TestAuthServer(mcpUrl);
  app.use(
    mcpAuthRouter({
      provider: auth,
      issuerUrl: new URL(base),
      resourceServerUrl: mcpUrl,
      scopesSupported: ["mcp"],
    }),
  );
  const bearer = requireBearerAuth({
    verifier: auth,
    resourceMetadataUrl: getOAuthProtectedResourceMetadataUrl(mcpUrl),
  });
  app.post("/mcp", express.json(), bearer, async (req, res) => {
    headers.push(req.headers);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on("close", () => void transport.close());
    await buildServer(label, control.onHang).connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  app.all("/mcp", bearer, (_req, res) => {
    res.status(405).set("allow", "POST").end();
  });
  return {
    url: mcpUrl.toString(),
    headers,
    release: control.release,
    hanging: control.hanging,
    kill: killer(http),
    auth,
  };
}
