// Tool calls in the rebuilt context: compaction around a queued message, cancel and crash mid-tool, the step
// limit, long results. The scripted provider refuses any request OpenAI or Anthropic would refuse.

import { describe, expect, it } from "vitest";
import { ProviderError } from "../../../agent/providers/types";
import type { Tool } from "../../../agent/tools/types";
import { buildContext } from "../../../objects/session/agent/context";
import { NO_RESULT_TEXT } from "../../../objects/session/agent/tool-pairs";
import { MAX_TOOL_RESULT_CONTEXT_CHARS } from "../../../objects/session/agent/tool-result-cut";
import { CANCELLED_TOOL_TEXT } from "../../../objects/session/agent/turn-runner";
import type { SessionEvent } from "../../../protocol/frames";
import { type Harness, withHarness } from "./harness";

const ofType = <T extends SessionEvent["type"]>(events: SessionEvent[], type: T) =>
  events.filter((e): e is Extract<SessionEvent, { type: T }> => e.type === type);

/** Waits (event-driven polling, no fixed sleep) until the harness has an event of this type. */
async function until(h: Harness, type: SessionEvent["type"], count = 1): Promise<void> {
  const deadline = Date.now() + 5000;
  while (ofType(h.events, type).length < count) {
    if (Date.now() > deadline) throw new Error(`no ${type}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A tool that runs until released (or the turn is cancelled). */
function gateTool(): { tool: Tool; release(output: string): void } {
  let release: (output: string) => void = () => {};
  const gate = new Promise<string>((resolve) => {
    release = resolve;
  });
  return {
    release: (output) => release(output),
    tool: {
      spec: { name: "wait", description: "waits", parameters: { type: "object", properties: {} } },
      run: (_args, ctx) =>
        new Promise((resolve, reject) => {
          ctx.signal.addEventListener("abort", () => reject(new Error("aborted")), { once: true });
          void gate.then((output) => resolve({ ok: true, output }));
        }),
    },
  };
}

const call = (id: string) => ({ kind: "tools" as const, calls: [{ id, name: "wait", argumentsJson: "{}" }] });

describe("tool calls in the context", () => {
  it("compaction with a tool call and a message queued mid-turn never separates the call from its result", async () => {
    const gate = gateTool();
    const overflow = new ProviderError("context_overflow", "prompt is too long", { retryable: false, status: 400 });
    await withHarness(
      [
        { kind: "text", pieces: ["a0"] },
        call("c1"),
        { kind: "text", pieces: ["a1"] },
        { kind: "text", pieces: ["a2"] },
        { kind: "error", error: overflow },
        { kind: "text", pieces: ["SUMMARY of q0"] },
        { kind: "text", pieces: ["a3"] },
      ],
      async (h) => {
        h.say("q0");
        await h.turnEnds(1);
        h.say("q1");
        await until(h, "tool_call");
        // Sent while the tool runs: stored inside turn 1, answered by turn 2.
        h.say("q2");
        gate.release("tool output");
        await h.turnEnds(3);
        h.say("q3");
        await h.turnEnds(4);
        const [compaction] = ofType(h.events, "compaction");
        const q1 = ofType(h.events, "user_message").find((e) => e.text === "q1");
        // The cut falls before the turn that holds the queued message, not between tool_call and tool_result.
        expect(compaction).toMatchObject({
          reason: "overflow",
          summary: "SUMMARY of q0",
          throughSeq: (q1?.seq ?? 0) - 1,
        });
        expect(ofType(h.events, "turn_end").map((e) => e.reason)).toEqual(["done", "done", "done", "done"]);
        const last = h.provider.requests.at(-1);
        expect(last?.messages).toEqual([
          { role: "user", content: "q1" },
          { role: "assistant", content: "", toolCalls: [{ id: "c1", name: "wait", argumentsJson: "{}" }] },
          { role: "tool", toolCallId: "c1", content: "tool output" },
          { role: "assistant", content: "a1", toolCalls: [] },
          { role: "user", content: "q2" },
          { role: "assistant", content: "a2", toolCalls: [] },
          { role: "user", content: "q3" },
        ]);
      },
      { tools: [gate.tool] },
    );
  });

  it("answers a call cancelled while its tool runs, and the next turn's request is accepted", async () => {
    const gate = gateTool();
    await withHarness(
      [call("c1"), { kind: "text", pieces: ["a2"] }],
      async (h) => {
        h.say("q1");
        await until(h, "tool_call");
        h.controller.cancel();
        await h.turnEnds(1);
        expect(ofType(h.events, "tool_result")[0]).toMatchObject({
          toolCallId: "c1",
          ok: false,
          output: CANCELLED_TOOL_TEXT,
        });
        h.say("q2");
        await h.turnEnds(2);
        expect(ofType(h.events, "turn_end").map((e) => e.reason)).toEqual(["cancelled", "done"]);
        expect(h.provider.requests.at(-1)?.messages.slice(1, 3)).toEqual([
          { role: "assistant", content: "", toolCalls: [{ id: "c1", name: "wait", argumentsJson: "{}" }] },
          { role: "tool", toolCallId: "c1", content: CANCELLED_TOOL_TEXT },
        ]);
      },
      { tools: [gate.tool] },
    );
  });

  it("answers a call whose result never came (the object was reset mid-tool)", async () => {
    await withHarness([], async (h) => {
      h.log.append("user_message", { id: "u1", text: "q1", user: "u@example.com" }, "u1");
      h.log.append("turn_start", { turnId: "t1", model: "m" });
      h.log.append("tool_call", { turnId: "t1", step: 1, toolCallId: "c1", name: "wait", args: "{}" });
      h.log.append("turn_end", { turnId: "t1", reason: "interrupted" });
      h.log.append("user_message", { id: "u2", text: "q2", user: "u@example.com" }, "u2");
      expect(buildContext(h.log).messages).toEqual([
        { role: "user", content: "q1" },
        { role: "assistant", content: "", toolCalls: [{ id: "c1", name: "wait", argumentsJson: "{}" }] },
        { role: "tool", toolCallId: "c1", content: NO_RESULT_TEXT },
        { role: "user", content: "q2" },
      ]);
    });
  });

  it("stops at the step limit and says so", async () => {
    const echo: Tool = {
      spec: { name: "wait", description: "answers at once", parameters: { type: "object", properties: {} } },
      run: async () => ({ ok: true, output: "done" }),
    };
    await withHarness(
      [call("c1"), call("c2"), { kind: "text", pieces: ["never asked"] }],
      async (h) => {
        h.say("loop");
        await h.turnEnds(1);
        expect(h.provider.requests).toHaveLength(2);
        expect(ofType(h.events, "error").at(-1)).toMatchObject({ code: "step_limit" });
        expect(ofType(h.events, "turn_end")[0]?.reason).toBe("step_limit");
        expect(ofType(h.events, "tool_result").map((e) => e.toolCallId)).toEqual(["c1", "c2"]);
      },
      { tools: [echo], vars: { AGENT_MAX_STEPS: "2" } },
    );
  });

  it("cuts a 100,000-character tool result for the context (head, marker, tail) while the log keeps it whole", async () => {
    const big = `HEAD${"x".repeat(99_992)}TAIL`;
    const tool: Tool = {
      spec: { name: "wait", description: "prints a lot", parameters: { type: "object", properties: {} } },
      run: async () => ({ ok: true, output: big }),
    };
    await withHarness(
      [call("c1"), { kind: "text", pieces: ["read it"] }],
      async (h) => {
        h.say("print");
        await h.turnEnds(1);
        expect(ofType(h.events, "tool_result")[0]?.output).toBe(big);
        const sent = h.provider.requests.at(-1)?.messages.find((m) => m.role === "tool")?.content ?? "";
        expect(sent.length).toBeLessThan(MAX_TOOL_RESULT_CONTEXT_CHARS + 500);
        expect(sent.startsWith("HEAD")).toBe(true);
        expect(sent.endsWith("TAIL")).toBe(true);
        expect(sent).toContain(`${100_000 - MAX_TOOL_RESULT_CONTEXT_CHARS} of 100000 characters left out`);
      },
      { tools: [tool] },
    );
  });
});
