// MCP tools inside workerd: the SDK client with the Workers-safe validator, input and output schemas, names, policy.

import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { CfWorkerJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/cfworker";
import { describe, expect, it } from "vitest";
import { McpAccount, type McpDirectory } from "../../../agent/mcp/account";
import { offeredName, TOOL_NAME_PATTERN } from "../../../agent/mcp/names";
import { effectiveMode } from "../../../agent/mcp/policy";
import { mcpTools } from "../../../agent/mcp/tools";
import type { ToolContext } from "../../../agent/tools/types";
import type { McpServerRow } from "../../../objects/directory/mcp-store";

const KEY = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
const MCP_URL = "https://mcp.example.com/mcp";

const TOOLS = [
  {
    name: "weather",
    description: "The weather in a city",
    inputSchema: { type: "object", properties: { city: { type: "string", minLength: 2 } }, required: ["city"] },
    outputSchema: { type: "object", properties: { celsius: { type: "number" } }, required: ["celsius"] },
  },
  {
    name: "liar",
    description: "Answers against its own output schema",
    inputSchema: { type: "object", properties: {} },
    outputSchema: { type: "object", properties: { n: { type: "number" } }, required: ["n"] },
  },
  { name: "big.dump", description: "A huge answer", inputSchema: { type: "object", properties: {} } },
];

/** A stateless Streamable HTTP MCP server answering in-process (no network), built from the SDK's low-level Server. */
function serverFetch(seen: Request[]): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    seen.push(request.clone());
    const server = new Server(
      { name: "in-worker", version: "1" },
      { capabilities: { tools: {} }, jsonSchemaValidator: new CfWorkerJsonSchemaValidator() },
    );
    server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: TOOLS }));
    server.setRequestHandler(CallToolRequestSchema, async (req) => {
      if (req.params.name === "weather") {
        return { content: [{ type: "text", text: "21 degrees" }], structuredContent: { celsius: 21 } };
      }
      if (req.params.name === "liar") return { content: [{ type: "text", text: "x" }], structuredContent: { n: "x" } };
      return { content: [{ type: "text", text: "y".repeat(100_000) }] };
    });
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    return transport.handleRequest(request);
  };
}

function directory(rows: McpServerRow[]): McpDirectory & { patches: unknown[] } {
  const patches: unknown[] = [];
  return {
    patches,
    mcpList: async () => rows,
    mcpGet: async (id) => rows.find((r) => r.id === id) ?? null,
    mcpInsert: async (row) => row,
    mcpUpdate: async (id, patch) => {
      patches.push(patch);
      const row = rows.find((r) => r.id === id);
      if (row) Object.assign(row, patch);
      return row ?? null;
    },
    mcpDelete: async () => true,
    mcpTakeState: async () => null,
  };
}

async function account(approval = { default: "auto", tools: {} }) {
  const dir = directory([]);
  const mcp = new McpAccount(dir, KEY, "u@example.com");
  const row: McpServerRow = {
    id: "s1",
    name: "wx",
    url: MCP_URL,
    transport: "streamable-http",
    secrets: await mcp.seal("s1", { headers: { "x-api-key": "k-123" } }),
    approval: JSON.stringify(approval),
    status: "new",
    statusDetail: "",
    tools: "[]",
    oauthState: null,
    oauthStateExpires: null,
    createdAt: 1,
    updatedAt: Date.now() + Math.random(),
  };
  (await dir.mcpList()).push(row);
  return { mcp, dir };
}

const ctx = (): ToolContext & { output: string[] } => {
  const output: string[] = [];
  return {
    sessionId: "s",
    user: "u",
    signal: new AbortController().signal,
    onOutput: (_s, t) => output.push(t),
    output,
  };
};

describe("MCP tools in workerd", () => {
  it("lists, validates input and output with the Workers-safe validator, caps results, and sends the headers", async () => {
    const { mcp, dir } = await account();
    const seen: Request[] = [];
    const tools = await mcpTools({
      owner: "t",
      account: mcp,
      operatorPolicy: "auto",
      allowLoopback: false,
      fetch: serverFetch(seen),
    });
    const names = tools.map((t) => t.spec.name);
    expect(names.slice(0, 2)).toEqual(["wx__weather", "wx__liar"]);
    expect(names[2]).toMatch(/^wx__big_dump_[0-9a-f]{8}$/);
    for (const name of names) expect(name).toMatch(TOOL_NAME_PATTERN);
    expect(seen[0]?.headers.get("x-api-key")).toBe("k-123");
    expect(dir.patches).toContainEqual(expect.objectContaining({ status: "connected" }));

    const [weather, liar, dump] = tools;
    const ok = await weather?.run({ city: "Oslo" }, ctx());
    expect(ok).toMatchObject({ ok: true, output: "21 degrees" });
    const badInput = await weather?.run({ city: 3 }, ctx());
    expect(badInput?.ok).toBe(false);
    expect(badInput?.output).toContain("invalid arguments");
    const badOutput = await liar?.run({}, ctx());
    expect(badOutput?.ok).toBe(false);
    expect(badOutput?.output).toMatch(/output schema|structured content/i);
    const big = await dump?.run({}, ctx());
    expect(big).toMatchObject({ ok: true, truncated: true });
    expect(big?.output.length).toBeLessThan(70_000);
  });

  it("never offers a looser approval than the operator's policy, and hides denied tools", async () => {
    expect(effectiveMode({ default: "auto", tools: {} }, "t", "ask")).toBe("ask");
    expect(effectiveMode({ default: "auto", tools: { t: "deny" } }, "t", "auto")).toBe("deny");
    expect(effectiveMode({ default: "ask", tools: { t: "auto" } }, "t", "auto")).toBe("auto");
    expect(effectiveMode({ default: "auto", tools: {} }, "t", "deny")).toBe("deny");
    const { mcp } = await account({ default: "auto", tools: { liar: "deny", weather: "ask" } });
    const tools = await mcpTools({
      owner: "t",
      account: mcp,
      operatorPolicy: "auto",
      allowLoopback: false,
      fetch: serverFetch([]),
    });
    expect(tools.map((t) => [t.spec.name, t.needsApproval])).toEqual([
      ["wx__weather", true],
      [offeredName("wx", "big.dump"), false],
    ]);
    const strict = await account();
    const asked = await mcpTools({
      owner: "t",
      account: strict.mcp,
      operatorPolicy: "ask",
      allowLoopback: false,
      fetch: serverFetch([]),
    });
    expect(asked.every((t) => t.needsApproval)).toBe(true);
  });

  it("shortens long names with a stable hash, distinct for names that clean to the same text", () => {
    const long = offeredName("server", "x".repeat(100));
    expect(long.length).toBe(64);
    expect(long).toBe(offeredName("server", "x".repeat(100)));
    expect(offeredName("s", "a.b")).not.toBe(offeredName("s", "a_b"));
    expect(offeredName("s", "a_b")).toBe("s__a_b");
  });

  it("makes a server that answers garbage a clean failure, not a thrown turn", async () => {
    const { mcp, dir } = await account();
    const garbage: typeof fetch = async () =>
      new Response("<html>not mcp</html>", { headers: { "content-type": "text/html" } });
    const tools = await mcpTools({
      owner: "t",
      account: mcp,
      operatorPolicy: "auto",
      allowLoopback: false,
      fetch: garbage,
    });
    expect(tools).toEqual([]);
    expect(dir.patches).toContainEqual(expect.objectContaining({ status: "error" }));
  });
});
