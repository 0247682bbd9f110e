// Reasoning: streamed as reasoning_delta, stored as a reasoning event, its signed blocks sent back with their
// tool step; `/think` applies from the next turn, never inside a running tool loop.

import { describe, expect, it } from "vitest";
import { anthropicBody } from "../../../agent/providers/anthropic-wire";
import { checkWire } from "../../../agent/providers/wire-check/index";
import type { Tool } from "../../../agent/tools/types";
import type { SessionEvent } from "../../../protocol/frames";
import { apply, emptyView } from "../../../web/src/chat/view-model";
import { types, withHarness } from "./harness";

const ofType = <T extends SessionEvent["type"]>(events: SessionEvent[], type: T) =>
  events.filter((e): e is Extract<SessionEvent, { type: T }> => e.type === type);

async function until(test: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!test()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const thinking = { kind: "thinking" as const, text: "list first", signature: "sig-1" };

describe("reasoning", () => {
  it("streams, stores and sends back the signed thinking of a tool step", async () => {
    const ls: Tool = {
      spec: { name: "ls", description: "lists", parameters: { type: "object", properties: {} } },
      run: async () => ({ ok: true, output: "a.txt" }),
    };
    await withHarness(
      [
        {
          kind: "tools",
          calls: [{ id: "c1", name: "ls", argumentsJson: "{}" }],
          reasoning: { text: "list first", parts: [thinking] },
        },
        { kind: "text", pieces: ["one file"] },
      ],
      async (h) => {
        h.say("/think low");
        h.say("what is here?");
        await h.turnEnds(1);
        const seen = types(h.events);
        expect(seen.indexOf("reasoning_delta")).toBeLessThan(seen.indexOf("reasoning"));
        expect(seen.indexOf("reasoning")).toBeLessThan(seen.indexOf("tool_call"));
        expect(ofType(h.events, "reasoning")[0]).toMatchObject({ step: 1, text: "list first", blocks: [thinking] });
        // The second step's request carries the thinking, signature included, with the step's tool call.
        const second = h.provider.requests[1];
        expect(second?.think).toBe("low");
        expect(second?.messages[1]).toMatchObject({ role: "assistant", reasoning: [thinking] });
        const body = anthropicBody({ ...(second ?? { messages: [] }), model: "claude-sonnet-4-5" });
        expect(body.thinking).toMatchObject({ type: "enabled" });
        expect(checkWire("anthropic", body)).toEqual([]);
        // The web client shows it as a collapsed reasoning block.
        const view = h.events.reduce(apply, emptyView());
        expect(view.items.find((i) => i.kind === "reasoning")).toMatchObject({ text: "list first", streaming: false });
      },
      { tools: [ls] },
    );
  });

  it("applies /think from the next turn, never inside the running tool loop", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const wait: Tool = {
      spec: { name: "wait", description: "waits", parameters: { type: "object", properties: {} } },
      run: async () => {
        await gate;
        return { ok: true, output: "ok" };
      },
    };
    await withHarness(
      [
        { kind: "tools", calls: [{ id: "c1", name: "wait", argumentsJson: "{}" }] },
        { kind: "text", pieces: ["a1"] },
        { kind: "text", pieces: ["a2"] },
      ],
      async (h) => {
        h.say("q1");
        await until(() => ofType(h.events, "tool_call").length > 0);
        h.say("/think high");
        release();
        await h.turnEnds(1);
        h.say("q2");
        await h.turnEnds(2);
        expect(h.provider.requests.map((r) => r.think)).toEqual([undefined, undefined, "high"]);
        expect(ofType(h.events, "notice").map((n) => n.text)).toContain("reasoning high from the next turn");
        h.say("/think maybe");
        expect(ofType(h.events, "notice").at(-1)?.text).toBe("use /think off, /think low or /think high");
        h.say("/think");
        expect(ofType(h.events, "notice").at(-1)?.text).toBe("reasoning: high");
      },
      { tools: [wait] },
    );
  });
});
