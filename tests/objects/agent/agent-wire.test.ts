// The agent end to end inside workerd: the session object, the real provider adapters and the stand-in LLM.

import { abortAllDurableObjects, env, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Script } from "../../../devtools/demo-model/scripts";
import { api, createSession, join, login, type TestSocket } from "../../helpers/workers";

const FAKE = String(Reflect.get(env, "FAKE_LLM_URL"));

async function script(value: Script): Promise<void> {
  const response = await fetch(`${FAKE}/__script`, { method: "POST", body: JSON.stringify(value) });
  expect(response.status).toBe(204);
}

async function session(email: string, devices = 1): Promise<{ id: string; token: string; sockets: TestSocket[] }> {
  const token = await login(email);
  const id = await createSession(token);
  const sockets = await Promise.all(Array.from({ length: devices }, () => join(id, token)));
  return { id, token, sockets };
}

const tag = () => `t-${crypto.randomUUID()}`;
const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i} `);

describe("agent over the wire", () => {
  it("streams the same deltas and final message to two devices", async () => {
    const t = tag();
    await script({ match: t, steps: [{ kind: "text", chunks: ["Hello", ", ", "world"] }] });
    const { sockets } = await session("stream@example.com", 2);
    const [a, b] = sockets as [TestSocket, TestSocket];
    a.send({ type: "user_message", id: "1", text: `say hello ${t}` });
    await Promise.all([a.settle(), b.settle()]);
    expect(b.events()).toEqual(a.events());
    expect(
      a
        .of("assistant_delta")
        .map((d) => d.text)
        .join(""),
    ).toBe("Hello, world");
    expect(a.of("assistant_message").at(-1)?.text).toBe("Hello, world");
    expect(a.of("turn_end").at(-1)?.reason).toBe("done");
  });

  it("lets a device join mid-stream and continue with no gap or duplicate", async () => {
    const t = tag();
    await script({ match: t, steps: [{ kind: "text", chunks: words(20), delayMs: 25 }] });
    const { id, token, sockets } = await session("join@example.com");
    const [a] = sockets as [TestSocket];
    a.send({ type: "user_message", id: "1", text: `long ${t}` });
    await a.waitFor("assistant_delta");
    const late = await join(id, token);
    await Promise.all([a.settle(), late.settle()]);
    expect(late.events()).toEqual(a.events());
    expect(late.of("assistant_message").at(-1)?.text).toBe(words(20).join(""));
  });

  it("cancels within one chunk and keeps what was streamed", async () => {
    const t = tag();
    await script({ match: t, steps: [{ kind: "text", chunks: words(40), delayMs: 40 }] });
    const { sockets } = await session("cancel@example.com");
    const [a] = sockets as [TestSocket];
    a.send({ type: "user_message", id: "1", text: `long ${t}` });
    await a.waitFor("assistant_delta");
    a.send({ type: "cancel" });
    await a.settle();
    expect(a.of("turn_end").at(-1)?.reason).toBe("cancelled");
    const kept = a.of("assistant_message").at(-1);
    expect(kept?.partial).toBe(true);
    expect(kept?.text.split(" ").filter(Boolean).length).toBeLessThan(8);
  });

  it("ends a 500 with an error event, retries a 429, and accepts the next message", async () => {
    const t = tag();
    const errors = [1, 2, 3].map(() => ({ kind: "error" as const, status: 500 }));
    await script({ match: `${t}-a`, steps: errors });
    await script({
      match: `${t}-b`,
      steps: [
        { kind: "error", status: 429, retryAfter: 0 },
        { kind: "text", chunks: ["after 429"] },
      ],
    });
    const { sockets } = await session("errors@example.com");
    const [a] = sockets as [TestSocket];
    a.send({ type: "user_message", id: "1", text: `fail ${t}-a` });
    await a.settle();
    expect(
      a
        .events()
        .filter((e) => e.type === "error")
        .at(-1),
    ).toMatchObject({ code: "provider_error" });
    expect(a.of("turn_end").at(-1)?.reason).toBe("error");
    a.send({ type: "user_message", id: "2", text: `retry ${t}-b` });
    await a.until(() => a.of("turn_end").length === 2);
    expect(a.of("assistant_message").at(-1)?.text).toBe("after 429");
    expect(a.of("turn_end").at(-1)?.reason).toBe("done");
  });

  it("keeps the text of a cut stream and of a malformed one, saying so", async () => {
    const t = tag();
    await script({ match: `${t}-cut`, steps: [{ kind: "cut", chunks: ["half ", "an answer"] }] });
    await script({ match: `${t}-bad`, steps: [{ kind: "malformed", chunks: ["before garbage"] }] });
    const { sockets } = await session("cut@example.com");
    const [a] = sockets as [TestSocket];
    a.send({ type: "user_message", id: "1", text: `cut ${t}-cut` });
    await a.settle();
    expect(a.of("assistant_message").at(-1)).toMatchObject({ text: "half an answer", partial: true });
    expect(
      a
        .events()
        .filter((e) => e.type === "error")
        .at(-1),
    ).toMatchObject({ code: "stream_cut" });
    a.send({ type: "user_message", id: "2", text: `bad ${t}-bad` });
    await a.until(() => a.of("turn_end").length === 2);
    expect(a.of("assistant_message").at(-1)).toMatchObject({ text: "before garbage", partial: true });
    expect(
      a
        .events()
        .filter((e) => e.type === "error")
        .at(-1),
    ).toMatchObject({ code: "bad_stream" });
    expect(a.of("turn_end").at(-1)?.reason).toBe("error");
  });

  it("answers a tool call with invalid JSON arguments with a failed result and carries on", async () => {
    const t = tag();
    await script({
      match: t,
      steps: [
        { kind: "tools", calls: [{ id: "call_1", name: "current_time", args: '{"timeZone": "UTC' }] },
        { kind: "tools", calls: [{ id: "call_2", name: "current_time", args: '{"timeZone":"Europe/Paris"}' }] },
        { kind: "text", chunks: ["It is late."] },
      ],
    });
    const { sockets } = await session("tools@example.com");
    const [a] = sockets as [TestSocket];
    a.send({ type: "user_message", id: "1", text: `time? ${t}` });
    await a.settle();
    const results = a.of("tool_result");
    expect(results.map((r) => [r.toolCallId, r.ok])).toEqual([
      ["call_1", false],
      ["call_2", true],
    ]);
    expect(results[0]?.output).toContain("not valid JSON");
    expect(results[1]?.output).toContain("Europe/Paris");
    expect(a.of("tool_call").map((c) => c.args)).toEqual(['{"timeZone": "UTC', '{"timeZone":"Europe/Paris"}']);
    expect(a.of("assistant_message").at(-1)?.text).toBe("It is late.");
  });

  it("parses both protocols' usage into usage events without double-counting cache tokens", async () => {
    const t = tag();
    const usage = { input: 100, output: 40, cached: 300, cacheWrite: 50, reasoning: 12 };
    await script({ match: `${t}-o`, steps: [{ kind: "text", chunks: ["openai"], usage }] });
    await script({ match: `${t}-a`, steps: [{ kind: "text", chunks: ["anthropic"], usage }] });
    const { sockets } = await session("usage@example.com");
    const [a] = sockets as [TestSocket];
    a.send({ type: "user_message", id: "1", text: `o ${t}-o` });
    await a.settle();
    a.send({ type: "user_message", id: "2", text: "/model anthropic:claude-fake" });
    a.send({ type: "user_message", id: "3", text: `a ${t}-a` });
    await a.until(() => a.of("usage").length === 2);
    const [openai, anthropic] = a.of("usage");
    // OpenAI reports prompt_tokens = 400 with 300 cached, and no cache writes.
    expect(openai).toMatchObject({
      provider: "openai",
      inputTokens: 100,
      outputTokens: 40,
      cacheReadTokens: 300,
      cacheWriteTokens: 0,
    });
    // Anthropic reports input_tokens = 100 beside cache reads and writes.
    expect(anthropic).toMatchObject({
      provider: "anthropic",
      model: "claude-fake",
      inputTokens: 100,
      outputTokens: 40,
      cacheReadTokens: 300,
      cacheWriteTokens: 50,
    });
  });

  it("ends a turn cut by a reset as interrupted, on the next wake, and goes on", async () => {
    const t = tag();
    await script({ match: t, steps: [{ kind: "text", chunks: words(50), delayMs: 40 }] });
    const { id, token, sockets } = await session("reset@example.com");
    const [a] = sockets as [TestSocket];
    a.send({ type: "user_message", id: "1", text: `long ${t}` });
    await a.waitFor("assistant_delta");
    await abortAllDurableObjects();
    // The heartbeat alarm wakes the object, which finds the turn still marked running.
    expect(await runDurableObjectAlarm(env.SESSION.getByName(id))).toBe(true);
    const back = await join(id, token);
    const end = back.of("turn_end").at(-1);
    expect(end?.reason).toBe("interrupted");
    expect(
      back
        .events()
        .filter((e) => e.type === "error")
        .at(-1),
    ).toMatchObject({ code: "turn_interrupted" });
    const seqs = back.events().map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    back.send({ type: "user_message", id: "2", text: "still there?" });
    await back.until(() => back.of("turn_end").length === 2);
    expect(back.of("turn_end").at(-1)?.reason).toBe("done");
  });

  it("ends a turn cut by a reset as interrupted when a device wakes the object, before any alarm", async () => {
    const t = tag();
    await script({ match: t, steps: [{ kind: "text", chunks: words(50), delayMs: 40 }] });
    const { id, token, sockets } = await session("reset-wake@example.com");
    const [a] = sockets as [TestSocket];
    a.send({ type: "user_message", id: "1", text: `long ${t}` });
    await a.waitFor("assistant_delta");
    await abortAllDurableObjects();
    // The socket's wake (onStart) finds the turn still marked running and seals it; no alarm ran.
    const back = await join(id, token);
    await back.until(() => back.of("turn_end").length === 1);
    expect(back.of("turn_end").at(-1)?.reason).toBe("interrupted");
    const seqs = back.events().map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    back.send({ type: "user_message", id: "2", text: "still there?" });
    await back.until(() => back.of("turn_end").length === 2);
    expect(back.of("turn_end").at(-1)?.reason).toBe("done");
  });

  it("in interrupt mode, a new message cancels the running turn and starts the next", async () => {
    const t = tag();
    await script({ match: `${t}-slow`, steps: [{ kind: "text", chunks: words(50), delayMs: 40 }] });
    const { id, token, sockets } = await session("interrupt@example.com");
    const patch = await api(`/api/sessions/${id}`, token, {
      method: "PATCH",
      body: JSON.stringify({ queueMode: "interrupt" }),
    });
    expect(patch.status).toBe(200);
    const [a] = sockets as [TestSocket];
    a.send({ type: "user_message", id: "1", text: `slow ${t}-slow` });
    await a.waitFor("assistant_delta");
    a.send({ type: "user_message", id: "2", text: "never mind" });
    await a.until(() => a.of("turn_end").length === 2);
    expect(a.of("turn_end").map((e) => e.reason)).toEqual(["cancelled", "done"]);
    expect(a.of("assistant_message").at(-1)?.text).toBe("You said: never mind");
  });
});
