// The OpenAI-compatible API over wrangler dev, driven by the official `openai` client, with a web device watching.

import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import type { CreatedApiKey } from "../../protocol/api-keys.ts";
import { call, Device, login } from "./helpers/client.ts";
import { useE2eStand } from "./helpers/stand.ts";

describe("/v1 with the openai client", () => {
  const stand = useE2eStand((llmUrl) => ({
    OPENAI_BASE_URL: `${llmUrl}/v1`,
    LLM_MODEL: "fake-model",
    LLM_FREE_MODELS: "fake-model",
    EXEC_POLICY: "ask",
    APPROVAL_TIMEOUT_SECONDS: "300",
  }));

  async function apiKey(token: string): Promise<string> {
    const response = await call(stand.server.url, "/api/keys", token, {
      method: "POST",
      body: '{"name":"openai client"}',
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as CreatedApiKey).key;
  }

  it("answers streaming and not, continues a session by header, and a device on it sees the same turn", async () => {
    const token = await login(stand.server.url, "openai-client@example.com");
    const client = new OpenAI({ apiKey: await apiKey(token), baseURL: `${stand.server.url}/v1`, maxRetries: 0 });
    stand.llm.script({ match: "first question", steps: [{ kind: "text", chunks: ["The first ", "answer."] }] });

    const { data, response } = await client.chat.completions
      .create({ model: "edgeclaw", messages: [{ role: "user", content: "first question" }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe("The first answer.");
    expect(data.choices[0]?.finish_reason).toBe("stop");
    expect(data.usage?.total_tokens).toBeGreaterThan(0);
    const session = response.headers.get("x-edgeclaw-session") ?? "";
    expect(session).toMatch(/^[a-z2-7]{26}$/);

    const device = await Device.open(stand.server.url, session, token);
    await device.hello();
    expect(device.users().map((u) => [u.text, u.deviceId])).toEqual([["first question", "api"]]);

    // A tool that needs approval: the stream waits while the device sees the request, then goes on.
    stand.llm.script({
      match: "second question",
      steps: [
        {
          kind: "tools",
          calls: [{ id: "call-e2e", name: "exec", args: JSON.stringify({ command: "echo from-the-sandbox" }) }],
        },
        { kind: "text", chunks: ["Ran ", "it: ", "from-the-sandbox"] },
      ],
    });
    const stream = await client.chat.completions.create(
      {
        model: "edgeclaw",
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: "user", content: "second question" }],
      },
      { headers: { "X-Edgeclaw-Session": session } },
    );
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    let finished = false;
    const reading = (async () => {
      for await (const chunk of stream) chunks.push(chunk);
      finished = true;
    })();
    await device.until(() => device.events().some((e) => e.type === "approval_request"));
    expect(finished).toBe(false);
    device.send({ type: "tool_decision", toolCallId: "call-e2e", approve: true });
    await reading;

    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    expect(text).toBe("Ran it: from-the-sandbox");
    expect(chunks.some((c) => JSON.stringify(c).includes("tool_calls"))).toBe(false);
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage?.completion_tokens).toBeGreaterThan(0);

    // The device saw the same turn: the message from the API, the tool's result, the same text.
    await device.until(() => device.events().filter((e) => e.type === "turn_end").length >= 2);
    expect(device.users().map((u) => u.text)).toEqual(["first question", "second question"]);
    const events = device.events();
    const result = events.find((e) => e.type === "tool_result");
    expect(result?.type === "tool_result" && result.output).toContain("from-the-sandbox");
    const secondTurn = events
      .filter((e) => e.type === "assistant_delta")
      .map((e) => e.text)
      .join("");
    expect(secondTurn).toBe("The first answer.Ran it: from-the-sandbox");
    // The model was given the session's history, not a history the caller sent.
    const request = stand.llm.requests.findLast((r) => JSON.stringify(r.body).includes("second question"));
    expect(JSON.stringify(request?.body)).toContain("The first answer.");
    await device.close();
  });

  it("returns the same turn for a retried Idempotency-Key, takes an Access token, and refuses in OpenAI's shape", async () => {
    const token = await login(stand.server.url, "openai-retry@example.com");
    // An Access token decides: the Bearer value the client always sends is ignored.
    const client = new OpenAI({
      apiKey: "ignored",
      baseURL: `${stand.server.url}/v1`,
      maxRetries: 0,
      defaultHeaders: { "cf-access-jwt-assertion": token },
    });
    stand.llm.script({ match: "retry me", steps: [{ kind: "text", chunks: ["Once."] }] });
    const params = { model: "edgeclaw", messages: [{ role: "user" as const, content: "retry me" }] };
    const options = { headers: { "Idempotency-Key": "retry-key-1" } };
    const first = await client.chat.completions.create(params, options).withResponse();
    const again = await client.chat.completions.create(params, options).withResponse();
    expect(again.data.id).toBe(first.data.id);
    expect(again.data.choices[0]?.message.content).toBe("Once.");
    expect(again.response.headers.get("x-edgeclaw-session")).toBe(first.response.headers.get("x-edgeclaw-session"));
    expect(stand.llm.requests.filter((r) => JSON.stringify(r.body).includes("retry me"))).toHaveLength(1);

    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toContain("edgeclaw");

    const refused = await client.chat.completions
      .create({ model: "gpt-4o", messages: [{ role: "user", content: "x" }] })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.NotFoundError);
    expect(refused instanceof OpenAI.APIError && refused.code).toBe("model_not_found");

    // A model the deployment does not allow (LLM_ALLOWED_MODELS unset: the configured and priced ones).
    const notAllowed = await client.chat.completions
      .create({ model: "edgeclaw/not-a-priced-model", messages: [{ role: "user", content: "x" }] })
      .catch((error: unknown) => error);
    expect(notAllowed).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(notAllowed instanceof OpenAI.APIError && notAllowed.code).toBe("model_not_allowed");

    // A turn that fails after the stream began: the SDK raises the error event.
    const failing = { kind: "error" as const, status: 400, body: '{"error":{"message":"refused upstream"}}' };
    stand.llm.script({ match: "failing stream", steps: [failing, failing] });
    const stream = await client.chat.completions.create({
      model: "edgeclaw",
      stream: true,
      messages: [{ role: "user", content: "failing stream" }],
    });
    const failed = await (async () => {
      for await (const _ of stream) {
        // The role chunk comes first; the error follows.
      }
    })().catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(OpenAI.APIError);

    const stranger = new OpenAI({ apiKey: `eck_${"B".repeat(43)}`, baseURL: `${stand.server.url}/v1`, maxRetries: 0 });
    const unauthorised = await stranger.models.list().catch((error: unknown) => error);
    expect(unauthorised).toBeInstanceOf(OpenAI.AuthenticationError);
  });
});
