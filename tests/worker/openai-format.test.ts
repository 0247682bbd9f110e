// The /v1 answer built from a turn's events: text pieces across steps, usage, outcomes, SSE chunks and comments.

import { describe, expect, it } from "vitest";
import { collectCompletion, streamCompletion } from "../../channels/openai/completion";
import { parseChatRequest } from "../../channels/openai/request";
import { TurnReader } from "../../channels/openai/turn-reader";
import { encodeEventLine, readEventLines } from "../../protocol/event-lines";
import type { EventPayloads, EventType, SessionEvent } from "../../protocol/frames";

let seq = 0;
function event<K extends EventType>(type: K, payload: EventPayloads[K]): SessionEvent {
  seq += 1;
  return { ...payload, type, seq, at: 0 } as SessionEvent;
}

const usage = (input: number, output: number, cacheRead = 0) =>
  event("usage", {
    turnId: "t",
    provider: "openai",
    model: "m",
    inputTokens: input,
    outputTokens: output,
    cacheReadTokens: cacheRead,
    cacheWriteTokens: 0,
  });

/** A turn of two steps around a tool call; the second step's text arrived whole, not streamed. */
function toolTurn(end: EventPayloads["turn_end"]["reason"]): SessionEvent[] {
  return [
    event("user_message", { id: "m", text: "q", user: "u" }),
    event("turn_start", { turnId: "t", model: "m" }),
    event("assistant_delta", { turnId: "t", text: "Let me " }),
    event("assistant_delta", { turnId: "t", text: "look." }),
    event("assistant_message", { turnId: "t", step: 0, text: "Let me look." }),
    event("tool_call", { turnId: "t", step: 0, toolCallId: "c", name: "exec", args: "{}" }),
    event("approval_request", { toolCallId: "c", name: "exec", args: "{}", expiresAt: 0 }),
    event("tool_result", { toolCallId: "c", ok: true, output: "x" }),
    usage(10, 3, 4),
    event("assistant_message", { turnId: "t", step: 1, text: "Found it." }),
    usage(20, 5),
    event("turn_end", { turnId: "t", reason: end }),
  ];
}

async function* from(events: SessionEvent[]): AsyncGenerator<SessionEvent> {
  yield* events;
}

const options = { sessionId: "s", model: "edgeclaw", created: 1, includeUsage: false };

describe("TurnReader", () => {
  it("joins the steps' text with a blank line and sums the usage, cache reads included in the prompt", () => {
    const reader = new TurnReader("s");
    const pieces = toolTurn("done").map((e) => reader.feed(e));
    expect(pieces.join("")).toBe("Let me look.\n\nFound it.");
    expect(reader.content).toBe("Let me look.\n\nFound it.");
    expect(reader.id).toMatch(/^chatcmpl-s-\d+$/);
    expect(reader.usage).toEqual({
      prompt_tokens: 34,
      completion_tokens: 8,
      total_tokens: 42,
      prompt_tokens_details: { cached_tokens: 4 },
    });
    expect(reader.outcome()).toEqual({ ok: true, finishReason: "stop" });
  });

  it("maps the end of a turn: step limit is length, an error turn is its error, a broken stream is interrupted", () => {
    const limit = new TurnReader("s");
    for (const e of toolTurn("step_limit")) limit.feed(e);
    expect(limit.outcome()).toEqual({ ok: true, finishReason: "length" });

    const failed = new TurnReader("s");
    failed.feed(event("error", { code: "budget_exceeded", message: "over budget" }));
    failed.feed(event("turn_end", { turnId: "t", reason: "budget_exceeded" }));
    expect(failed.outcome()).toEqual({ ok: false, code: "budget_exceeded", message: "over budget" });

    const broken = new TurnReader("s");
    broken.feed(event("assistant_delta", { turnId: "t", text: "half" }));
    broken.breakOff();
    expect(broken.outcome()).toMatchObject({ ok: false, code: "turn_interrupted" });
  });

  it("answers a command with its notice", () => {
    const reader = new TurnReader("s");
    reader.feed(event("user_message", { id: "m", text: "/usage", user: "u" }));
    reader.feed(event("notice", { topic: "usage", text: "3 model calls" }));
    expect(reader.content).toBe("3 model calls");
    expect(reader.outcome()).toEqual({ ok: true, finishReason: "stop" });
  });
});

describe("the completion", () => {
  it("streams a role chunk, the text, a comment while an approval waits, usage as asked, then [DONE]", async () => {
    const read = async (includeUsage: boolean) =>
      new Response(streamCompletion(from(toolTurn("done")), { ...options, includeUsage })).text();
    const plain = await read(false);
    expect(plain).toContain(": waiting for approval of exec on a web device\n\n");
    const data = plain
      .split("\n\n")
      .filter((b) => b.startsWith("data: "))
      .map((b) => b.slice(6));
    expect(data.at(-1)).toBe("[DONE]");
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    expect(chunks[0].choices[0].delta).toEqual({ role: "assistant", content: "" });
    expect(chunks.map((c) => c.choices[0].delta.content ?? "").join("")).toBe("Let me look.\n\nFound it.");
    expect(chunks.at(-1)).toMatchObject({ choices: [{ finish_reason: "stop" }], usage: { total_tokens: 42 } });
    expect(chunks.slice(0, -1).every((c) => !("usage" in c))).toBe(true);

    const withUsage = (await read(true))
      .split("\n\n")
      .filter((b) => b.startsWith("data: {"))
      .map((b) => JSON.parse(b.slice(6)));
    expect(withUsage.at(-1)).toMatchObject({ choices: [], usage: { total_tokens: 42 } });
    expect(withUsage.slice(0, -1).every((c) => c.usage === null)).toBe(true);
  });

  it("sends a keep-alive comment while the turn is silent", async () => {
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    async function* silentTurn(): AsyncGenerator<SessionEvent> {
      yield event("user_message", { id: "m", text: "q", user: "u" });
      await released;
      yield event("turn_end", { turnId: "t", reason: "done" });
    }
    const reader = streamCompletion(silentTurn(), { ...options, keepAliveMs: 5 }).getReader();
    const decoder = new TextDecoder();
    let text = "";
    while (!text.includes(": waiting\n\n")) {
      const { value } = await reader.read();
      text += decoder.decode(value);
    }
    release();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
  });

  it("collects the whole answer, or the turn's error with its status", async () => {
    const done = await collectCompletion(from(toolTurn("done")), options);
    expect(done).toMatchObject({
      ok: true,
      completion: { choices: [{ message: { content: "Let me look.\n\nFound it." } }] },
    });
    const failed = await collectCompletion(
      from([
        event("user_message", { id: "m", text: "q", user: "u" }),
        event("error", { code: "provider_error", message: "the provider refused" }),
        event("turn_end", { turnId: "t", reason: "error" }),
      ]),
      options,
    );
    expect(failed).toEqual({ ok: false, status: 502, code: "provider_error", message: "the provider refused" });
  });

  it("reads events back from lines split anywhere", async () => {
    const events = toolTurn("done");
    const bytes = new Uint8Array(events.flatMap((e) => [...encodeEventLine(e)]));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 7) controller.enqueue(bytes.slice(i, i + 7));
        controller.close();
      },
    });
    const read: SessionEvent[] = [];
    for await (const e of readEventLines(stream)) read.push(e);
    expect(read).toEqual(events);
  });
});

describe("parseChatRequest", () => {
  it("keeps the last user message as the turn and the rest as history", () => {
    expect(
      parseChatRequest({
        model: "edgeclaw/some-model",
        stream: true,
        messages: [
          { role: "developer", content: [{ type: "text", text: "Be brief." }] },
          { role: "user", content: "a" },
          { role: "assistant", content: null },
          { role: "tool", content: "tool output" },
          { role: "user", content: [{ type: "text", text: "b" }, { type: "image_url" }] },
        ],
      }),
    ).toEqual({
      model: "some-model",
      history: [
        { role: "user", text: "Instructions: Be brief." },
        { role: "user", text: "a" },
      ],
      text: "b",
      stream: true,
      includeUsage: false,
    });
    for (const bad of [
      { model: "edgeclaw", messages: [{ role: "user", content: "   " }] },
      { model: "edgeclaw", messages: [{ role: "bot", content: "x" }] },
      { model: "edgeclaw", messages: [{ role: "user", content: 3 }] },
      { model: "edgeclaw", stream: "yes", messages: [{ role: "user", content: "x" }] },
      { messages: [{ role: "user", content: "x" }] },
      {
        model: "edgeclaw",
        messages: [
          { role: "assistant", content: "é".repeat(140_000) },
          { role: "user", content: "x" },
        ],
      },
    ]) {
      expect(() => parseChatRequest(bad)).toThrow();
    }
  });
});
