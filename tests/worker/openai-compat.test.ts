// /v1 inside workerd: chat completions from the session's own events, sessions by header, idempotency, errors.

import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { RecordedRequest, Script } from "../../devtools/demo-model/scripts";
import type { ChatCompletion, ChatCompletionChunk, OpenAiErrorBody } from "../../protocol/openai-compat";
import { api, join, login } from "../helpers/workers";

const FAKE = String(Reflect.get(env, "FAKE_LLM_URL"));

async function script(value: Script): Promise<void> {
  expect((await fetch(`${FAKE}/__script`, { method: "POST", body: JSON.stringify(value) })).status).toBe(204);
}

/** The stand-in's recorded requests whose last user message contains the tag. */
async function llmRequests(tag: string): Promise<RecordedRequest[]> {
  const all: RecordedRequest[] = await (await fetch(`${FAKE}/__requests`)).json();
  return all.filter((r) => JSON.stringify(r.body).includes(tag));
}

/** The chat messages of the first model request of a tag. */
async function sentMessages(tag: string): Promise<{ role: string; content: unknown }[]> {
  const [sent] = await llmRequests(tag);
  const body = sent?.body as { messages?: { role: string; content: unknown }[] } | undefined;
  return body?.messages ?? [];
}

function completions(token: string | null, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return api("/v1/chat/completions", token, { method: "POST", body: JSON.stringify(body), headers });
}

async function expectOpenAiError(response: Response, status: number, code: string): Promise<OpenAiErrorBody> {
  expect(response.status).toBe(status);
  const body: OpenAiErrorBody = await response.json();
  expect(body.error.code).toBe(code);
  expect(body.error.message).toBeTypeOf("string");
  expect(body.error.type).toBeTypeOf("string");
  return body;
}

/** The `data:` payloads of an SSE body, `[DONE]` included. */
async function sseData(response: Response): Promise<string[]> {
  const text = await response.text();
  return text
    .split("\n\n")
    .filter((block) => block.startsWith("data: "))
    .map((block) => block.slice("data: ".length));
}

const tag = () => `v1-${crypto.randomUUID()}`;

describe("POST /v1/chat/completions", () => {
  it("answers in a new session seeded with the earlier messages, seen live by a web device of it", async () => {
    const t = tag();
    await script({
      match: t,
      steps: [{ kind: "text", chunks: ["Forty", "-two."], usage: { input: 30, output: 9, cached: 10 } }],
    });
    const token = await login(`v1-new-${crypto.randomUUID()}@example.com`);
    const response = await completions(token, {
      model: "edgeclaw",
      messages: [
        { role: "system", content: "Answer briefly." },
        { role: "user", content: "What is six times seven?" },
        { role: "assistant", content: "Let me think." },
        { role: "user", content: [{ type: "text", text: `Go on ${t}` }] },
      ],
    });
    expect(response.status).toBe(200);
    const session = response.headers.get("x-edgeclaw-session") ?? "";
    expect(session).toMatch(/^[a-z2-7]{26}$/);
    const body: ChatCompletion = await response.json();
    expect(body).toMatchObject({
      object: "chat.completion",
      model: "edgeclaw",
      choices: [{ index: 0, message: { role: "assistant", content: "Forty-two." }, finish_reason: "stop" }],
      usage: {
        prompt_tokens: 40,
        completion_tokens: 9,
        total_tokens: 49,
        prompt_tokens_details: { cached_tokens: 10 },
      },
    });
    expect(body.id).toMatch(new RegExp(`^chatcmpl-${session}-\\d+$`));

    // The model saw the seeded history, then the new message.
    const messages = await sentMessages(t);
    expect(messages.filter((m) => m.role !== "system").map((m) => [m.role, m.content])).toEqual([
      ["user", "Instructions: Answer briefly."],
      ["user", "What is six times seven?"],
      ["assistant", "Let me think."],
      ["user", `Go on ${t}`],
    ]);

    // The session is the caller's own: listed, and its transcript holds the same turn a device replays.
    const device = await join(session, token);
    const users = device.of("user_message");
    expect(users.map((u) => u.text)).toEqual([
      "Instructions: Answer briefly.",
      "What is six times seven?",
      `Go on ${t}`,
    ]);
    expect(users.every((u) => u.deviceId === "api")).toBe(true);
    expect(device.of("assistant_message").at(-1)?.text).toBe("Forty-two.");
    const list: { sessions: { id: string; title: string }[] } = await (await api("/api/sessions", token)).json();
    expect(list.sessions.find((s) => s.id === session)?.title).toBe(`Go on ${t}`);
    device.close();
  });

  it("streams chunks while a device on the session sees the same turn live, continuing it by header", async () => {
    const token = await login(`v1-stream-${crypto.randomUUID()}@example.com`);
    const first = tag();
    await script({ match: first, steps: [{ kind: "text", chunks: ["First answer."] }] });
    const created = await completions(token, { model: "edgeclaw", messages: [{ role: "user", content: first }] });
    const session = created.headers.get("x-edgeclaw-session") ?? "";
    await created.json();
    const device = await join(session, token);
    const before = device.events().length;

    const t = tag();
    await script({ match: t, steps: [{ kind: "text", chunks: ["Hel", "lo ", "there"], delayMs: 5 }] });
    const response = await completions(
      token,
      {
        model: "edgeclaw",
        stream: true,
        stream_options: { include_usage: true },
        // Earlier messages are ignored when continuing: the session's own history is the context.
        messages: [
          { role: "user", content: "ignored earlier message" },
          { role: "user", content: `continue ${t}` },
        ],
      },
      { "x-edgeclaw-session": session },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    expect(response.headers.get("x-edgeclaw-session")).toBe(session);
    const data = await sseData(response);
    expect(data.at(-1)).toBe("[DONE]");
    const chunks: ChatCompletionChunk[] = data.slice(0, -1).map((d) => JSON.parse(d));
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: "assistant", content: "" });
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    expect(text).toBe("Hello there");
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("stop");
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 12, completion_tokens: 7 } });
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);

    await device.until(() => device.of("turn_end").length >= 2);
    const live = device.events().slice(before);
    expect(live.filter((e) => e.type === "user_message").map((e) => e.text)).toEqual([`continue ${t}`]);
    const deltas = live.filter((e) => e.type === "assistant_delta").map((e) => e.text);
    expect(deltas.join("")).toBe("Hello there");
    // The model got the session's history (first turn) and the new message, not the request's earlier one.
    const contents = JSON.stringify(await sentMessages(t));
    expect(contents).toContain(first);
    expect(contents).toContain("First answer.");
    expect(contents).not.toContain("ignored earlier message");
    device.close();
  });

  it("returns the same turn for a retried Idempotency-Key and stores the message once", async () => {
    const token = await login(`v1-idem-${crypto.randomUUID()}@example.com`);
    const t = tag();
    await script({ match: t, steps: [{ kind: "text", chunks: ["Only once."] }] });
    const body = { model: "edgeclaw", messages: [{ role: "user", content: `idem ${t}` }] };
    const key = { "idempotency-key": `key-${t}` };
    const a = await completions(token, body, key);
    const b = await completions(token, body, key);
    const streamed = await completions(token, { ...body, stream: true }, key);
    const session = a.headers.get("x-edgeclaw-session");
    expect(b.headers.get("x-edgeclaw-session")).toBe(session);
    expect(streamed.headers.get("x-edgeclaw-session")).toBe(session);
    const first: ChatCompletion = await a.json();
    const second: ChatCompletion = await b.json();
    expect(second.id).toBe(first.id);
    expect(second.choices[0]?.message.content).toBe("Only once.");
    const text = (await sseData(streamed))
      .filter((d) => d !== "[DONE]")
      .map((d) => (JSON.parse(d) as ChatCompletionChunk).choices[0]?.delta.content ?? "")
      .join("");
    expect(text).toBe("Only once.");
    expect(await llmRequests(t)).toHaveLength(1);
    const transcript: { messages: { type: string }[] } = await (
      await api(`/api/sessions/${session}/messages`, token)
    ).json();
    expect(transcript.messages.filter((m) => m.type === "user_message")).toHaveLength(1);
    // Another user with the same key gets a session of their own.
    const other = await login(`v1-idem-other-${crypto.randomUUID()}@example.com`);
    const theirs = await completions(other, body, key);
    expect(theirs.headers.get("x-edgeclaw-session")).not.toBe(session);
    await theirs.json();
  });

  it("runs tools server-side and answers with the text of every step, never tool_calls", async () => {
    const t = tag();
    await script({
      match: t,
      steps: [{ kind: "text", chunks: ["Checking the time."] }],
    });
    const token = await login(`v1-tools-${crypto.randomUUID()}@example.com`);
    const u = tag();
    await script({
      match: u,
      steps: [
        { kind: "tools", calls: [{ id: "call-clock", name: "clock", args: "{}" }] },
        { kind: "text", chunks: ["It is now."] },
      ],
    });
    const response = await completions(token, {
      model: "edgeclaw",
      messages: [{ role: "user", content: `time ${u}` }],
    });
    const body: ChatCompletion = await response.json();
    expect(body.choices[0]?.message).toEqual({ role: "assistant", content: "It is now.", refusal: null });
    expect(JSON.stringify(body)).not.toContain("tool_calls");
    const session = response.headers.get("x-edgeclaw-session") ?? "";
    const transcript: { messages: { type: string; name?: string }[] } = await (
      await api(`/api/sessions/${session}/messages`, token)
    ).json();
    expect(transcript.messages.some((m) => m.type === "tool_call" && m.name === "clock")).toBe(true);
    expect(transcript.messages.some((m) => m.type === "tool_result")).toBe(true);
  });

  it("answers with its own turn when the message queues behind a web device's running turn", async () => {
    const token = await login(`v1-queue-${crypto.randomUUID()}@example.com`);
    const created = await completions(token, { model: "edgeclaw", messages: [{ role: "user", content: "start" }] });
    const session = created.headers.get("x-edgeclaw-session") ?? "";
    await created.json();
    const policy = await api(`/api/sessions/${session}`, token, { method: "PATCH", body: '{"execPolicy":"ask"}' });
    expect(policy.status).toBe(200);
    const web = tag();
    const mine = tag();
    await script({
      match: web,
      steps: [
        { kind: "tools", calls: [{ id: `call-${web}`, name: "exec", args: '{"command":"echo hi"}' }] },
        { kind: "text", chunks: ["The web turn's answer."] },
      ],
    });
    await script({ match: mine, steps: [{ kind: "text", chunks: ["The API turn's answer."] }] });
    const device = await join(session, token);
    device.send({ type: "user_message", id: `web-${web}`, text: `web ${web}` });
    await device.waitFor("approval_request");
    // The web turn waits for its approval while the API message arrives and queues.
    const pending = completions(
      token,
      { model: "edgeclaw", messages: [{ role: "user", content: `api ${mine}` }] },
      { "x-edgeclaw-session": session },
    );
    await device.until(() => device.of("user_message").some((m) => m.text === `api ${mine}`));
    device.send({ type: "tool_decision", toolCallId: `call-${web}`, approve: true });
    const body: ChatCompletion = await (await pending).json();
    expect(body.choices[0]?.message.content).toBe("The API turn's answer.");
    device.close();
  });

  it("answers a slash command with its notice", async () => {
    const token = await login(`v1-command-${crypto.randomUUID()}@example.com`);
    const response = await completions(token, { model: "edgeclaw", messages: [{ role: "user", content: "/usage" }] });
    const body: ChatCompletion = await response.json();
    expect(body.choices[0]?.message.content).toMatch(/^0 model calls: 0 input/);
    expect(body.choices[0]?.finish_reason).toBe("stop");
  });

  it("picks a model with edgeclaw/<model> and refuses unknown models, bad bodies and strangers in OpenAI's shape", async () => {
    const token = await login(`v1-errors-${crypto.randomUUID()}@example.com`);
    const stranger = await login(`v1-errors-other-${crypto.randomUUID()}@example.com`);
    const t = tag();
    const picked = await completions(token, { model: "edgeclaw/fake-model", messages: [{ role: "user", content: t }] });
    expect(picked.status).toBe(200);
    expect(((await picked.json()) as ChatCompletion).model).toBe("edgeclaw/fake-model");
    const session = picked.headers.get("x-edgeclaw-session") ?? "";

    await expectOpenAiError(
      await completions(token, { model: "gpt-4o", messages: [{ role: "user", content: "x" }] }),
      404,
      "model_not_found",
    );
    await expectOpenAiError(await completions(token, { model: "edgeclaw", messages: [] }), 400, "bad_request");
    await expectOpenAiError(
      await completions(token, {
        model: "edgeclaw",
        messages: [
          { role: "user", content: "x" },
          { role: "assistant", content: "y" },
        ],
      }),
      400,
      "bad_request",
    );
    await expectOpenAiError(
      await api("/v1/chat/completions", token, { method: "POST", body: "{" }),
      400,
      "invalid_json",
    );
    await expectOpenAiError(
      await completions(
        token,
        { model: "edgeclaw", messages: [{ role: "user", content: "x" }] },
        { "idempotency-key": "bad key with spaces" },
      ),
      400,
      "bad_request",
    );
    await expectOpenAiError(
      await completions(
        stranger,
        { model: "edgeclaw", messages: [{ role: "user", content: "x" }] },
        { "x-edgeclaw-session": session },
      ),
      404,
      "session_not_found",
    );
    await expectOpenAiError(
      await completions(null, { model: "edgeclaw", messages: [{ role: "user", content: "x" }] }),
      401,
      "missing_token",
    );
    await expectOpenAiError(await api("/v1/nope", token), 404, "not_found");
    // Nothing was stored by the refused requests.
    const transcript: { messages: unknown[] } = await (await api(`/api/sessions/${session}/messages`, token)).json();
    expect(transcript.messages).toHaveLength(2);
  });

  it("answers a turn that failed with the turn's error in OpenAI's shape, streamed and not", async () => {
    const token = await login(`v1-fail-${crypto.randomUUID()}@example.com`);
    const t = tag();
    const failing = { kind: "error" as const, status: 400, body: '{"error":{"message":"bad things"}}' };
    await script({ match: t, steps: [failing, failing] });
    const plain = await completions(token, { model: "edgeclaw", messages: [{ role: "user", content: `fail ${t}` }] });
    expect(plain.status).toBeGreaterThanOrEqual(400);
    const body: OpenAiErrorBody = await plain.json();
    expect(body.error.message).toBeTypeOf("string");
    const u = tag();
    await script({ match: u, steps: [failing, failing] });
    const streamed = await completions(token, {
      model: "edgeclaw",
      stream: true,
      messages: [{ role: "user", content: `fail ${u}` }],
    });
    expect(streamed.status).toBe(200);
    const data = await sseData(streamed);
    expect(data.at(-1)).toBe("[DONE]");
    expect(JSON.parse(data.at(-2) ?? "{}")).toMatchObject({ error: { code: body.error.code } });
  });
});

describe("GET /v1/models", () => {
  it("lists the agent and its configured models", async () => {
    const token = await login(`v1-models-${crypto.randomUUID()}@example.com`);
    const response = await api("/v1/models", token);
    expect(response.status).toBe(200);
    const body: { object: string; data: { id: string; object: string }[] } = await response.json();
    expect(body.object).toBe("list");
    expect(body.data.map((m) => m.id)).toEqual(expect.arrayContaining(["edgeclaw", "edgeclaw/fake-model"]));
    expect(body.data.every((m) => m.object === "model")).toBe(true);
  });
});
