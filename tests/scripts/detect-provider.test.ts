// How `npm run dev` picks its model: a really configured provider, else a running local server, else the demo model.

import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  argVars,
  configuredProvider,
  demoVars,
  detectProvider,
  envFileText,
  readDevVars,
} from "../../scripts/detect-provider.mjs";

/** A local server answering GET /v1/models with these ids (or with `status`). */
async function modelServer(ids: string[], status = 200): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    if (req.url !== "/v1/models") return void res.writeHead(404).end();
    const data = ids.map((id) => ({ id, object: "model" }));
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ object: "list", data }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}/v1`, server };
}

describe("detect-provider", () => {
  const servers: Server[] = [];
  let lmStudio = "";
  let broken = "";
  let closed = "";
  beforeAll(async () => {
    const lm = await modelServer(["text-embedding-nomic", "qwen2.5-7b-instruct"]);
    const bad = await modelServer([], 500);
    const gone = await modelServer([]);
    servers.push(lm.server, bad.server);
    lmStudio = lm.url;
    broken = bad.url;
    closed = gone.url;
    await new Promise((resolve) => gone.server.close(resolve));
  });
  afterAll(async () => {
    for (const server of servers) await new Promise((resolve) => server.close(resolve));
  });

  it("counts only a key or a base URL as configuration, never the provider name alone", () => {
    expect(configuredProvider({})).toBeNull();
    expect(configuredProvider({ LLM_PROVIDER: "openai", LLM_MODEL: "gpt-4o-mini" })).toBeNull();
    expect(configuredProvider({ OPENAI_API_KEY: "  " })).toBeNull();
    expect(configuredProvider({ OPENAI_API_KEY: "sk-1" })).toBe("openai");
    expect(configuredProvider({ OPENAI_BASE_URL: "http://gpu:8000/v1" })).toBe("openai");
    expect(configuredProvider({ LLM_PROVIDER: "anthropic", OPENAI_API_KEY: "sk-1" })).toBeNull();
    expect(configuredProvider({ LLM_PROVIDER: "anthropic", ANTHROPIC_API_KEY: "a" })).toBe("anthropic");
    expect(configuredProvider({ AI_GATEWAY_ACCOUNT_ID: "a", AI_GATEWAY_ID: "g" })).toBe("openai");
    expect(configuredProvider({ LLM_PROVIDER: "workers-ai" })).toBe("workers-ai");
  });

  it("reads .dev.vars and the --var arguments, and writes env files wrangler reads back literally", () => {
    const dir = mkdtempSync(join(tmpdir(), "edgeclaw-detect-"));
    writeFileSync(join(dir, ".dev.vars"), '# comment\nOPENAI_API_KEY=sk-file\nLLM_MODEL="gpt-x"\n');
    expect(readDevVars(join(dir, ".dev.vars"))).toEqual({ OPENAI_API_KEY: "sk-file", LLM_MODEL: "gpt-x" });
    expect(readDevVars(join(dir, "missing"))).toEqual({});
    expect(argVars(["--port", "1", "--var", "A:b:c", "--var=LLM_MODEL:m", "--var"])).toEqual({
      A: "b:c",
      LLM_MODEL: "m",
    });
    const vars = { LLM_PRICES: '[{"model":"m"}]', K: "it's", P: "a$b" };
    expect(parseEnv(envFileText(vars))).toEqual(vars);
  });

  it("uses a configured provider from the process env, .dev.vars or --var, forwarding process-env ones", async () => {
    const fromEnv = await detectProvider({
      processEnv: { OPENAI_API_KEY: "sk-env", PATH: "/bin" },
      devVars: {},
      cliVars: {},
      servers: [{ name: "LM Studio", baseUrl: lmStudio }],
    });
    expect(fromEnv).toEqual({
      kind: "configured",
      label: "openai (the default model)",
      vars: { OPENAI_API_KEY: "sk-env" },
    });
    const fromFile = await detectProvider({
      processEnv: {},
      devVars: { LLM_PROVIDER: "anthropic", ANTHROPIC_API_KEY: "a", LLM_MODEL: "claude-x" },
      cliVars: {},
      servers: [{ name: "LM Studio", baseUrl: lmStudio }],
    });
    expect([fromFile.kind, fromFile.label, fromFile.vars]).toEqual(["configured", "anthropic (claude-x)", {}]);
    const fromCli = await detectProvider({ processEnv: {}, devVars: {}, cliVars: { OPENAI_BASE_URL: "http://h/v1" } });
    expect(fromCli.kind).toBe("configured");
  });

  it("else takes the first local server that lists a chat model, priced at 0, else the demo model", async () => {
    const servers = [
      { name: "Ollama", baseUrl: closed },
      { name: "broken", baseUrl: broken },
      { name: "LM Studio", baseUrl: lmStudio },
    ];
    const local = await detectProvider({
      processEnv: {},
      devVars: { LLM_PROVIDER: "openai", LLM_PRICES: '[{"provider":"openai","model":"x","input":1}]' },
      cliVars: {},
      servers,
    });
    expect(local.kind).toBe("local");
    expect(local.label).toBe(`LM Studio at ${lmStudio} (qwen2.5-7b-instruct)`);
    expect(local.vars).toMatchObject({
      LLM_PROVIDER: "openai",
      OPENAI_BASE_URL: lmStudio,
      LLM_MODEL: "qwen2.5-7b-instruct",
    });
    expect(JSON.parse(local.vars.LLM_PRICES ?? "[]")).toEqual([
      { provider: "openai", model: "x", input: 1 },
      { provider: "openai", model: "qwen2.5-7b-instruct", input: 0, output: 0 },
    ]);
    const off = await detectProvider({
      processEnv: { EDGECLAW_LOCAL_LLM_PROBE: "0" },
      devVars: {},
      cliVars: {},
      servers,
    });
    expect(off.kind).toBe("demo");
    const offInFile = await detectProvider({
      processEnv: {},
      devVars: { EDGECLAW_LOCAL_LLM_PROBE: "0" },
      cliVars: {},
      servers,
    });
    expect(offInFile.kind).toBe("demo");
    const none = await detectProvider({ processEnv: {}, devVars: {}, cliVars: {}, servers: servers.slice(0, 2) });
    expect(none).toEqual({ kind: "demo", label: "the built-in demo model (scripted replies)", vars: {} });
    const demo = demoVars("http://127.0.0.1:5555", {});
    expect(demo).toMatchObject({
      OPENAI_BASE_URL: "http://127.0.0.1:5555/v1",
      LLM_MODEL: "edgeclaw-demo",
      LLM_DEMO: "1",
    });
    expect(JSON.parse(demo.LLM_PRICES ?? "")).toEqual([
      { provider: "openai", model: "edgeclaw-demo", input: 0, output: 0 },
    ]);
  });
});
