// /api/mcp limits the docs state: 50 servers a user, 20 headers, reserved header names, and 503 without the key.

import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MAX_MCP_SERVERS } from "../../objects/directory/mcp-store";
import type { McpServerView } from "../../protocol/mcp";
import { createApp } from "../../worker/app";
import { api, BASE, login } from "../helpers/workers";

const KEY = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
/** The suite's env with MCP on: the workers project itself runs without MCP_ENCRYPTION_KEY. */
const WITH_KEY = { ...env, MCP_ENCRYPTION_KEY: KEY };
const app = createApp();
/** The stand-in LLM on loopback is no MCP server: every probe ends in status "error", and the server is stored all the same. */
const NOT_MCP = `${String(Reflect.get(env, "FAKE_LLM_URL"))}/not-mcp`;

async function mcp(path: string, token: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("cf-access-jwt-assertion", token);
  const ctx = createExecutionContext();
  const response = await app.fetch(new Request(`${BASE}${path}`, { ...init, headers }), WITH_KEY, ctx);
  // Whatever the request left running (waitUntil) ends with it, as in the runtime.
  await waitOnExecutionContext(ctx);
  return response;
}

const add = (token: string, name: string, headers?: Record<string, string>) =>
  mcp("/api/mcp/servers", token, {
    method: "POST",
    body: JSON.stringify({ name, url: NOT_MCP, ...(headers ? { headers } : {}) }),
  });

async function servers(token: string): Promise<McpServerView[]> {
  const response = await mcp("/api/mcp/servers", token);
  expect(response.status).toBe(200);
  return (await response.json<{ servers: McpServerView[] }>()).servers;
}

async function errorOf(response: Response): Promise<[number, string]> {
  const body = await response.json<{ error: { code: string; message: string } }>();
  expect(body.error.message).not.toBe("");
  return [response.status, body.error.code];
}

const headersOf = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`x-h${i}`, `v${i}`]));

describe("MCP limits", () => {
  it(`keeps at most ${MAX_MCP_SERVERS} servers a user; the next is refused and the others stay`, async () => {
    expect(MAX_MCP_SERVERS).toBe(50);
    const token = await login(`mcp-many-${crypto.randomUUID()}@example.com`);
    for (let i = 0; i < MAX_MCP_SERVERS; i++) expect((await add(token, `s${i}`)).status).toBe(201);
    const full = await servers(token);
    expect(full.map((s) => s.name)).toEqual(Array.from({ length: MAX_MCP_SERVERS }, (_, i) => `s${i}`));

    const refused = await add(token, "one-too-many");
    expect(await refused.clone().json()).toMatchObject({ error: { message: expect.stringContaining("remove one") } });
    expect(await errorOf(refused)).toEqual([409, "conflict"]);
    const sameName = await add(token, "s0");
    expect(await sameName.clone().json()).toMatchObject({ error: { message: 'a server named "s0" exists' } });
    expect(await servers(token)).toEqual(full);
    // Another user's count is their own.
    const other = await login(`mcp-other-${crypto.randomUUID()}@example.com`);
    expect((await add(other, "s0")).status).toBe(201);
  });

  it("takes 20 headers, refuses 21 and every reserved name, and stores nothing refused", async () => {
    const token = await login(`mcp-headers-${crypto.randomUUID()}@example.com`);
    expect((await add(token, "twenty", headersOf(20))).status).toBe(201);
    const [stored] = await servers(token);
    expect(stored?.headerNames).toHaveLength(20);

    const tooMany = await add(token, "twenty-one", headersOf(21));
    expect(await errorOf(tooMany)).toEqual([400, "bad_request"]);
    const reserved = [
      "host",
      "Content-Type",
      "accept",
      "CONTENT-LENGTH",
      "mcp-session-id",
      "Mcp-Protocol-Version",
      "last-event-id",
    ];
    for (const name of reserved) {
      const response = await add(token, "reserved", { authorization: "Bearer x", [name]: "v" });
      expect(await errorOf(response), name).toEqual([400, "bad_request"]);
    }
    expect(await servers(token)).toEqual([stored]);
  });

  it("answers 503 mcp_unavailable on every route without MCP_ENCRYPTION_KEY, and loses no server", async () => {
    const token = await login(`mcp-off-${crypto.randomUUID()}@example.com`);
    const created = await add(token, "kept", { authorization: "Bearer kept" });
    expect(created.status).toBe(201);
    const { id } = await created.json<{ id: string }>();
    const before = await servers(token);

    // The suite's own env has no key: these go through the Worker as deployed without it.
    const routes: [string, string, string?][] = [
      ["GET", "/api/mcp/servers"],
      ["POST", "/api/mcp/servers", JSON.stringify({ name: "new", url: NOT_MCP })],
      ["PATCH", `/api/mcp/servers/${id}`, JSON.stringify({ approval: { default: "auto" } })],
      ["POST", `/api/mcp/servers/${id}/test`],
      ["POST", `/api/mcp/servers/${id}/authorize`],
      ["DELETE", `/api/mcp/servers/${id}`],
      ["GET", "/api/mcp/oauth/callback?state=s&code=c"],
    ];
    for (const [method, path, body] of routes) {
      const response = await api(path, token, { method, ...(body ? { body } : {}) });
      expect(await errorOf(response), `${method} ${path}`).toEqual([503, "mcp_unavailable"]);
    }
    expect(await servers(token)).toEqual(before);
  });
});
