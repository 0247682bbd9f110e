// MCP servers end to end: real SDK servers (Streamable HTTP, HTTP+SSE, OAuth) used by the agent under wrangler dev.

import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeLlm, type Step, startFakeLlm } from "../../devtools/demo-model/server.ts";
import type { McpServerCreated, McpServerView } from "../../protocol/mcp.ts";
import { call, Device, login, newSession } from "./helpers/client.ts";
import { type DevServer, startDevServer } from "./helpers/dev-server.ts";
import {
  startOAuthServer,
  startSseServer,
  startStreamableServer,
  type TestMcp,
  type TestOAuthMcp,
} from "./helpers/mcp-servers.ts";

const SECRET = `sekrit-${randomBytes(12).toString("hex")}`;

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat?.isDirectory()) out.push(...filesUnder(path));
    else if (stat?.isFile()) out.push(path);
  }
  return out;
}

describe("MCP servers against wrangler dev", () => {
  let server: DevServer;
  let llm: FakeLlm;
  let stream: TestMcp;
  let sse: TestMcp;
  let secure: TestOAuthMcp;
  let token: string;
  const ids: Record<string, string> = {};

  const json = async <T>(path: string, init: RequestInit = {}, as = token): Promise<{ status: number; body: T }> => {
    const response = await call(server.url, path, as, init);
    return { status: response.status, body: (response.status === 204 ? null : await response.json()) as T };
  };
  const post = <T>(path: string, body: unknown, as = token) =>
    json<T>(path, { method: "POST", body: JSON.stringify(body) }, as);
  const servers = async (as = token) =>
    (await json<{ servers: McpServerView[] }>("/api/mcp/servers", {}, as)).body.servers;

  /** Scripts the stand-in LLM for a fresh tag and starts one turn of a fresh session on `count` devices. */
  async function scriptedTurn(steps: Step[], count = 1) {
    const tag = `t-${randomBytes(4).toString("hex")}`;
    llm.script({ match: tag, steps });
    const id = await newSession(server.url, token);
    const devices = await Promise.all(Array.from({ length: count }, () => Device.open(server.url, id, token)));
    for (const device of devices) await device.hello();
    const [device] = devices;
    if (!device) throw new Error("no device");
    device.send({ type: "user_message", id: "m1", text: `go ${tag}` });
    return { tag, device, devices };
  }

  const ended = (device: Device) => device.until(() => device.frames.some((f) => f.type === "turn_end"), 30_000);

  beforeAll(async () => {
    llm = await startFakeLlm();
    stream = await startStreamableServer("stream");
    sse = await startSseServer("sse");
    secure = await startOAuthServer("secure");
    server = await startDevServer({
      vars: {
        OPENAI_BASE_URL: `${llm.url}/v1`,
        LLM_MODEL: "fake",
        LLM_FREE_MODELS: "fake",
        EXEC_POLICY: "auto",
        MCP_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      },
    });
    token = await login(server.url, "mcp-owner@example.com");
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
    await llm?.close();
    for (const s of [stream, sse, secure]) await s?.kill().catch(() => undefined);
  });

  it("adds a Streamable HTTP and an HTTP+SSE server; lists them with their tools and never their secrets", async () => {
    const a = await post<McpServerCreated>("/api/mcp/servers", {
      name: "stream",
      url: stream.url,
      headers: { Authorization: `Bearer ${SECRET}` },
      approval: { default: "auto" },
    });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ name: "stream", url: stream.url, status: "connected" });
    expect(a.body.tools.map((t) => t.offeredAs).sort()).toEqual(["stream__add", "stream__echo", "stream__hang"]);
    ids.stream = a.body.id;
    expect(stream.headers.at(-1)?.authorization).toBe(`Bearer ${SECRET}`);

    const b = await post<McpServerCreated>("/api/mcp/servers", {
      name: "sse",
      url: sse.url,
      approval: { default: "auto" },
    });
    expect(b.status).toBe(201);
    expect(b.body.status).toBe("connected");
    expect(b.body.tools.map((t) => t.name)).toContain("add");
    ids.sse = b.body.id;

    const raw = await (await call(server.url, "/api/mcp/servers", token)).text();
    expect(raw).not.toContain(SECRET);
    const listed = await servers();
    expect(listed.map((s) => s.name)).toEqual(["stream", "sse"]);
    expect(listed[0]).toMatchObject({ headerNames: ["authorization"], status: "connected", authorized: false });

    expect((await post("/api/mcp/servers", { name: "stream", url: stream.url })).status).toBe(409);
    const bad = await post<{ error: { code: string } }>("/api/mcp/servers", { name: "x", url: "file:///etc/passwd" });
    expect(bad).toMatchObject({ status: 400, body: { error: { code: "bad_request" } } });
    const creds = await post<{ error: { code: string } }>("/api/mcp/servers", {
      name: "y",
      url: "http://u:p@example.com/",
    });
    expect(creds.status).toBe(400);
    const internal = await post<{ error: { code: string } }>("/api/mcp/servers", {
      name: "z",
      url: "http://10.0.0.1/mcp",
    });
    expect(internal.status).toBe(400);
    expect((await servers()).length).toBe(2);
  });

  it("offers the tools with provider-valid names; the results reach the model and every device", async () => {
    const { tag, devices } = await scriptedTurn(
      [
        {
          kind: "tools",
          calls: [
            { id: "c1", name: "stream__echo", args: JSON.stringify({ text: "hello" }) },
            { id: "c2", name: "sse__add", args: JSON.stringify({ a: 2, b: 3 }) },
            { id: "c3", name: "stream__echo", args: JSON.stringify({ text: 42 }) },
          ],
        },
        { kind: "text", chunks: ["done"] },
      ],
      2,
    );
    for (const device of devices) await ended(device);
    for (const device of devices) {
      const results = device.frames.filter((f) => f.type === "tool_result");
      expect(results).toHaveLength(3);
      expect(results[0]).toMatchObject({ toolCallId: "c1", ok: true, output: "stream echo: hello" });
      expect(results[1]).toMatchObject({ toolCallId: "c2", ok: true, output: "sum=5" });
      expect(results[2]).toMatchObject({ toolCallId: "c3", ok: false });
      expect(JSON.stringify(results[2])).toContain("invalid arguments");
    }
    const requests = llm.requests.filter((r) => JSON.stringify(r.body).includes(tag));
    const offered = JSON.stringify((requests[0]?.body as { tools?: unknown } | undefined)?.tools);
    expect(offered).toContain('"stream__echo"');
    expect(offered).toContain('"sse__add"');
    const second = JSON.stringify(requests[1]?.body);
    expect(second).toContain("stream echo: hello");
    expect(second).toContain("sum=5");
    for (const device of devices) await device.close();
  });

  it("asks the user to approve a tool set to ask, and runs it once approved", async () => {
    const patched = await json<McpServerView>(`/api/mcp/servers/${ids.stream}`, {
      method: "PATCH",
      body: JSON.stringify({ approval: { default: "auto", tools: { echo: "ask", add: "deny" } } }),
    });
    expect(patched.body.approval).toEqual({ default: "auto", tools: { echo: "ask", add: "deny" } });
    const { tag, device } = await scriptedTurn([
      { kind: "tools", calls: [{ id: "p1", name: "stream__echo", args: JSON.stringify({ text: "ok?" }) }] },
      { kind: "text", chunks: ["approved and done"] },
    ]);
    await device.until(() => device.frames.some((f) => f.type === "approval_request"), 30_000);
    device.send({ type: "tool_decision", toolCallId: "p1", approve: true });
    await ended(device);
    expect(device.frames.find((f) => f.type === "tool_result")).toMatchObject({ ok: true, output: "stream echo: ok?" });
    const request = llm.requests.find((r) => JSON.stringify(r.body).includes(tag));
    const offered = JSON.stringify((request?.body as { tools?: unknown } | undefined)?.tools);
    expect(offered).not.toContain('"stream__add"');
    expect(offered).toContain('"sse__add"');
    await device.close();
  });

  it("gives a clean error when a server dies mid-call; the other servers and the session go on", async () => {
    const doomed = await startStreamableServer("doomed");
    const added = await post<McpServerCreated>("/api/mcp/servers", {
      name: "doomed",
      url: doomed.url,
      approval: { default: "auto" },
    });
    expect(added.body.status).toBe("connected");
    const { device } = await scriptedTurn([
      { kind: "tools", calls: [{ id: "h1", name: "doomed__hang", args: "{}" }] },
      { kind: "tools", calls: [{ id: "h2", name: "sse__add", args: JSON.stringify({ a: 1, b: 1 }) }] },
      { kind: "text", chunks: ["carried on"] },
    ]);
    await device.until(() => device.frames.some((f) => f.type === "tool_output"), 30_000);
    expect(device.frames.find((f) => f.type === "tool_output")).toMatchObject({ toolCallId: "h1" });
    await doomed.kill();
    await device.until(() => device.frames.some((f) => f.type === "turn_end"), 90_000);
    const results = device.frames.filter((f) => f.type === "tool_result");
    expect(results[0]).toMatchObject({ toolCallId: "h1", ok: false });
    expect(JSON.stringify(results[0])).toContain('MCP server \\"doomed\\" failed');
    expect(results[1]).toMatchObject({ toolCallId: "h2", ok: true, output: "sum=2" });
    expect(device.frames.find((f) => f.type === "turn_end")).toMatchObject({ reason: "done" });
    device.send({ type: "user_message", id: "m2", text: "still there?" });
    await device.until(() => device.frames.filter((f) => f.type === "turn_end").length === 2, 30_000);
    await device.close();
    expect((await json(`/api/mcp/servers/${added.body.id}`, { method: "DELETE" })).status).toBe(204);
  });

  it("authorises an OAuth server (RFC 9728 discovery, registration, PKCE, resource, state), refreshes, and shows a revoked grant", async () => {
    const added = await post<McpServerCreated>("/api/mcp/servers", {
      name: "secure",
      url: secure.url,
      approval: { default: "auto" },
    });
    expect(added.status).toBe(201);
    expect(added.body.status).toBe("needs_auth");
    ids.secure = added.body.id;
    const authorizeUrl = new URL(added.body.authorizeUrl ?? "");
    expect(authorizeUrl.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorizeUrl.searchParams.get("resource")).toBe(secure.url);
    expect(authorizeUrl.searchParams.get("redirect_uri")).toBe(`${server.url}/api/mcp/oauth/callback`);
    const state = authorizeUrl.searchParams.get("state") ?? "";
    expect(state.length).toBeGreaterThan(20);

    // Another user cannot complete it with this state.
    const other = await login(server.url, "mcp-other@example.com");
    const stolen = await call(server.url, `/api/mcp/oauth/callback?code=x&state=${state}`, other, {
      redirect: "manual",
    });
    expect(stolen.status).toBe(400);

    // The browser: the authorization server approves and redirects back to the callback.
    const approved = await fetch(authorizeUrl, { redirect: "manual" });
    expect(approved.status).toBe(302);
    const callback = new URL(approved.headers.get("location") ?? "");
    expect(callback.searchParams.get("state")).toBe(state);
    const back = await call(server.url, `${callback.pathname}${callback.search}`, token, { redirect: "manual" });
    expect(back.status).toBe(303);
    expect(back.headers.get("location")).toContain(`/mcp?server=${ids.secure}`);
    const replay = await call(server.url, `${callback.pathname}${callback.search}`, token, { redirect: "manual" });
    expect(replay.status).toBe(400);

    const view = (await servers()).find((s) => s.name === "secure");
    expect(view).toMatchObject({ status: "connected", authorized: true });
    expect(view?.tools.map((t) => t.offeredAs)).toContain("secure__echo");
    expect(secure.auth.authorizations[0]?.resource?.toString()).toBe(secure.url);

    const { device } = await scriptedTurn([
      { kind: "tools", calls: [{ id: "s1", name: "secure__echo", args: JSON.stringify({ text: "behind oauth" }) }] },
      { kind: "text", chunks: ["ok"] },
    ]);
    await ended(device);
    expect(device.frames.find((f) => f.type === "tool_result")).toMatchObject({
      ok: true,
      output: "secure echo: behind oauth",
    });
    // Tokens last less than the refresh margin, so connecting refreshed them.
    expect(secure.auth.refreshes).toBeGreaterThan(0);
    const bearer = String(secure.headers.at(-1)?.authorization ?? "");
    expect(secure.auth.issued).toContain(bearer.replace(/^Bearer /, ""));
    await device.close();

    secure.auth.revokeAll();
    const { device: device2 } = await scriptedTurn([
      { kind: "tools", calls: [{ id: "s2", name: "secure__echo", args: JSON.stringify({ text: "again" }) }] },
      { kind: "text", chunks: ["the server needs authorising"] },
    ]);
    await ended(device2);
    expect(device2.frames.find((f) => f.type === "tool_result")).toMatchObject({ toolCallId: "s2", ok: false });
    expect(device2.frames.find((f) => f.type === "turn_end")).toMatchObject({ reason: "done" });
    const revoked = (await servers()).find((s) => s.name === "secure");
    expect(revoked).toMatchObject({ status: "needs_auth", authorized: false });
    await device2.close();
  });

  it("keeps one user's servers from every other user", async () => {
    const other = await login(server.url, "mcp-intruder@example.com");
    expect(await servers(other)).toEqual([]);
    expect((await json(`/api/mcp/servers/${ids.stream}`, { method: "DELETE" }, other)).status).toBe(404);
    expect((await post(`/api/mcp/servers/${ids.stream}/test`, {}, other)).status).toBe(404);
    const tag = `i-${randomBytes(4).toString("hex")}`;
    llm.script({
      match: tag,
      steps: [
        { kind: "tools", calls: [{ id: "x1", name: "stream__echo", args: JSON.stringify({ text: "mine?" }) }] },
        { kind: "text", chunks: ["no"] },
      ],
    });
    const id = await newSession(server.url, other);
    const device = await Device.open(server.url, id, other);
    await device.hello();
    device.send({ type: "user_message", id: "m1", text: `go ${tag}` });
    await ended(device);
    expect(device.frames.find((f) => f.type === "tool_result")).toMatchObject({
      ok: false,
      output: 'unknown tool "stream__echo"',
    });
    const request = llm.requests.find((r) => JSON.stringify(r.body).includes(tag));
    expect(JSON.stringify(request?.body)).not.toContain("stream__");
    await device.close();
    expect((await servers()).map((s) => s.name)).toContain("stream");
  });

  it("never lets a secret reach the log, the API, the model, the sandbox or the disk in plain text", async () => {
    const { device } = await scriptedTurn([
      {
        kind: "tools",
        calls: [{ id: "e1", name: "exec", args: JSON.stringify({ command: "env; cat /proc/self/environ" }) }],
      },
      { kind: "text", chunks: ["looked"] },
    ]);
    await ended(device);
    const secrets = [SECRET, ...secure.auth.issued];
    const everything = JSON.stringify(device.frames) + JSON.stringify(llm.requests) + JSON.stringify(await servers());
    for (const secret of secrets) expect(everything).not.toContain(secret);
    await device.close();
    // Nothing under wrangler's state (the objects' SQLite) or the sandbox's workspaces holds one in plain text.
    for (const file of filesUnder(server.persistDir)) {
      const content = readFileSync(file).toString("latin1");
      for (const secret of secrets) expect(content.includes(secret), `${secret} in ${file}`).toBe(false);
    }
  });

  it("removes a server: its tools are gone", async () => {
    expect((await json(`/api/mcp/servers/${ids.sse}`, { method: "DELETE" })).status).toBe(204);
    expect((await json(`/api/mcp/servers/${ids.sse}`, { method: "DELETE" })).status).toBe(404);
    expect((await servers()).map((s) => s.name)).not.toContain("sse");
  });
});
