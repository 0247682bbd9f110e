// Faults against the real service: the sandbox host killed mid-command; the pages' security headers.

import { describe, expect, it } from "vitest";
import { call, Device, login, newSession } from "./helpers/client.ts";
import { useE2eStand } from "./helpers/stand.ts";

describe("faults against wrangler dev", () => {
  const stand = useE2eStand((llmUrl) => ({
    OPENAI_BASE_URL: `${llmUrl}/v1`,
    LLM_MODEL: "fake",
    LLM_FREE_MODELS: "fake",
    EXEC_POLICY: "auto",
  }));

  it("ends the turn with a clear tool error when the sandbox host dies mid-command, and the session goes on", async () => {
    const tag = `t-${crypto.randomUUID()}`;
    stand.llm.script({
      match: tag,
      steps: [
        {
          kind: "tools",
          calls: [{ id: "x", name: "exec", args: JSON.stringify({ command: "echo started; sleep 30" }) }],
        },
        { kind: "text", chunks: ["the command failed"] },
      ],
    });
    const token = await login(stand.server.url, "fault@example.com");
    const id = await newSession(stand.server.url, token);
    const device = await Device.open(stand.server.url, id, token);
    await device.hello();
    device.send({ type: "user_message", id: "1", text: `run ${tag}` });
    await device.until(() => device.frames.some((f) => f.type === "tool_output"));
    await stand.server.killSandbox();
    await device.until(() => device.frames.some((f) => f.type === "turn_end"), 20_000);
    const result = device.frames.find((f) => f.type === "tool_result");
    expect(result).toMatchObject({ toolCallId: "x", ok: false });
    const seqs = device.events().map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    device.send({ type: "user_message", id: "2", text: "still there?" });
    await device.until(() => device.frames.filter((f) => f.type === "turn_end").length === 2);
    await device.close();
  });

  it("serves pages with a strict content security policy and no sniffing", async () => {
    const response = await call(stand.server.url, "/", null);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(response.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
  });
});
