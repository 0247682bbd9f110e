// The agent loop over a scripted provider: streaming, tools, retries, cancel, commands, queueing and resets.

import { describe, expect, it } from "vitest";
import { ProviderError } from "../../../agent/providers/types";
import type { Tool } from "../../../agent/tools/types";
import type { SessionEvent } from "../../../protocol/frames";
import { types, withHarness } from "./harness";

const last = <T extends SessionEvent["type"]>(events: SessionEvent[], type: T) =>
  events.filter((e): e is Extract<SessionEvent, { type: T }> => e.type === type).at(-1);

const echoTool: Tool = {
  spec: {
    name: "echo",
    description: "echo the text",
    parameters: { type: "object", properties: { text: { type: "string" } } },
  },
  run: async (args, ctx) => {
    ctx.onOutput("stdout", String(args.text));
    return { ok: true, output: `echo: ${String(args.text)}` };
  },
};

describe("turn", () => {
  it("streams deltas, stores the whole answer, usage and turn_end in order", async () => {
    await withHarness([{ kind: "text", pieces: ["Hel", "lo ", "there"] }], async (h) => {
      h.say("hi");
      const events = await h.turnEnds();
      expect(types(events)[0]).toBe("user_message");
      const deltas = events.filter((e) => e.type === "assistant_delta").map((e) => ("text" in e ? e.text : ""));
      expect(deltas.join("")).toBe("Hello there");
      expect(types(events).slice(-3)).toEqual(["assistant_message", "usage", "turn_end"]);
      expect(last(events, "assistant_message")?.text).toBe("Hello there");
      expect(last(events, "turn_end")?.reason).toBe("done");
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expect(h.provider.requests[0]?.messages).toEqual([{ role: "user", content: "hi" }]);
    });
  });

  it("runs tool calls, feeds results back, and survives invalid JSON arguments", async () => {
    await withHarness(
      [
        {
          kind: "tools",
          calls: [
            { id: "c1", name: "echo", argumentsJson: '{"text":"ok"}' },
            { id: "c2", name: "echo", argumentsJson: '{"text": "unterminated' },
          ],
        },
        { kind: "text", pieces: ["done"] },
      ],
      async (h) => {
        h.say("use the tool");
        const events = await h.turnEnds();
        const results = events.filter((e) => e.type === "tool_result");
        expect(results.map((r) => (r.type === "tool_result" ? [r.toolCallId, r.ok] : []))).toEqual([
          ["c1", true],
          ["c2", false],
        ]);
        expect(last(events, "tool_output")).toMatchObject({ toolCallId: "c1", stream: "stdout", text: "ok" });
        const second = h.provider.requests[1]?.messages ?? [];
        expect(second.map((m) => m.role)).toEqual(["user", "assistant", "tool", "tool"]);
        expect(second[3]).toMatchObject({ role: "tool", toolCallId: "c2" });
        expect(last(events, "turn_end")?.reason).toBe("done");
      },
      { tools: [echoTool] },
    );
  });

  it("retries a 429 then succeeds, and ends a 500 storm with an error event", async () => {
    const rateLimited = new ProviderError("provider_rate_limited", "slow down", {
      retryable: true,
      status: 429,
      retryAfterMs: 10,
    });
    const serverError = () => new ProviderError("provider_error", "upstream 500", { retryable: true, status: 500 });
    await withHarness(
      [
        { kind: "error", error: rateLimited },
        { kind: "text", pieces: ["fine"] },
        ...[1, 2, 3].map(() => ({ kind: "error" as const, error: serverError() })),
      ],
      async (h) => {
        h.say("first");
        await h.turnEnds(1);
        expect(last(h.events, "assistant_message")?.text).toBe("fine");
        h.say("second");
        const events = await h.turnEnds(2);
        expect(last(events, "error")).toMatchObject({ code: "provider_error" });
        expect(last(events, "turn_end")?.reason).toBe("error");
        expect(h.provider.requests).toHaveLength(5);
      },
    );
  });

  it("does not wait for a Retry-After over 30 s: the model is given up at once (the next fallback would follow)", async () => {
    const later = new ProviderError("provider_rate_limited", "come back in a minute", {
      retryable: true,
      status: 429,
      retryAfterMs: 60_000,
    });
    await withHarness(
      [
        { kind: "error", error: later },
        { kind: "text", pieces: ["back"] },
      ],
      async (h) => {
        h.say("first");
        const events = await h.turnEnds(1);
        expect(last(events, "error")).toMatchObject({ code: "provider_rate_limited" });
        expect(h.provider.requests).toHaveLength(1);
        h.say("second");
        await h.turnEnds(2);
        expect(last(h.events, "assistant_message")?.text).toBe("back");
      },
    );
  });

  it("keeps the text of a stream cut mid-way and says so", async () => {
    await withHarness(
      [
        { kind: "cut", pieces: ["partial ", "answer"] },
        { kind: "text", pieces: ["next"] },
      ],
      async (h) => {
        h.say("go");
        const events = await h.turnEnds();
        expect(last(events, "assistant_message")).toMatchObject({ text: "partial answer", partial: true });
        expect(last(events, "error")?.code).toBe("stream_cut");
        expect(last(events, "turn_end")?.reason).toBe("error");
        h.say("again");
        await h.turnEnds(2);
        expect(last(h.events, "assistant_message")?.text).toBe("next");
      },
    );
  });

  it("cancels within one chunk and keeps what was streamed", async () => {
    const pieces = Array.from({ length: 50 }, (_, i) => `w${i} `);
    await withHarness([{ kind: "text", pieces, delayMs: 20 }], async (h) => {
      h.say("long answer please");
      while (!h.events.some((e) => e.type === "assistant_delta")) await new Promise((r) => setTimeout(r, 5));
      expect(h.controller.cancel()).toBe(true);
      const events = await h.turnEnds();
      expect(last(events, "turn_end")?.reason).toBe("cancelled");
      const text = last(events, "assistant_message")?.text ?? "";
      expect(text.length).toBeGreaterThan(0);
      expect(text.split(" ").length).toBeLessThan(10);
    });
  });

  it("queues a message sent during a turn as the next turn, after the turn it interrupted", async () => {
    await withHarness(
      [
        { kind: "text", pieces: ["a", "b", "c"], delayMs: 20 },
        { kind: "text", pieces: ["second answer"] },
      ],
      async (h) => {
        h.say("one");
        h.say("two");
        const events = await h.turnEnds(2);
        expect(events.filter((e) => e.type === "turn_end").map((e) => (e.type === "turn_end" ? e.reason : ""))).toEqual(
          ["done", "done"],
        );
        expect(h.provider.requests[0]?.messages).toEqual([{ role: "user", content: "one" }]);
        expect(h.provider.requests[1]?.messages).toEqual([
          { role: "user", content: "one" },
          { role: "assistant", content: "abc", toolCalls: [] },
          { role: "user", content: "two" },
        ]);
      },
    );
  });

  it("answers slash commands without calling the model", async () => {
    await withHarness(
      [],
      async (h) => {
        h.say("/help");
        h.say("/model other-model");
        h.say("/model");
        h.say("/usage");
        h.say("/cancel");
        const notices = h.events.filter((e) => e.type === "notice");
        expect(notices.map((n) => (n.type === "notice" ? n.topic : ""))).toEqual([
          "help",
          "model",
          "model",
          "usage",
          "cancel",
        ]);
        expect(notices[0]?.type === "notice" && notices[0].text).toContain("/compact");
        expect(notices[2]?.type === "notice" && notices[2].text).toContain("other-model");
        expect(h.provider.requests).toHaveLength(0);
      },
      // Only models the operator allowed may be picked (other-model is allowed here).
      { vars: { LLM_ALLOWED_MODELS: "other-model" } },
    );
  });

  it("ends a turn left running by a reset as interrupted on recovery, then runs what is queued", async () => {
    await withHarness([{ kind: "text", pieces: ["answer"] }], async (h) => {
      // The state a reset leaves: a turn marked running with no runner in memory.
      const orphan = h.turns.enqueue();
      h.turns.start(orphan.id, "main-model");
      h.controller.recover();
      expect(types(h.events)).toEqual(["error", "turn_end"]);
      expect(last(h.events, "turn_end")).toMatchObject({ turnId: orphan.id, reason: "interrupted" });
      expect(h.turns.running()).toEqual([]);
      h.say("after the reset");
      await h.turnEnds(2);
      expect(last(h.events, "assistant_message")?.text).toBe("answer");
    });
  });
});
