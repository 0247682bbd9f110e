// Compaction and fallbacks: summaries replace older turns in the context, the history stays stored.

import { describe, expect, it } from "vitest";
import { ProviderError } from "../../../agent/providers/types";
import type { SessionEvent } from "../../../protocol/frames";
import { withHarness } from "./harness";

const ofType = <T extends SessionEvent["type"]>(events: SessionEvent[], type: T) =>
  events.filter((e): e is Extract<SessionEvent, { type: T }> => e.type === type);

describe("compaction", () => {
  it("compacts on /compact and sends the summary instead of the older turns", async () => {
    await withHarness(
      [
        { kind: "text", pieces: ["a1"] },
        { kind: "text", pieces: ["a2"] },
        { kind: "text", pieces: ["REMEMBER: the user lives in Lisbon\nSUMMARY of q1"] },
        { kind: "text", pieces: ["a3"] },
      ],
      async (h) => {
        h.say("q1");
        await h.turnEnds(1);
        h.say("q2");
        await h.turnEnds(2);
        h.say("/compact");
        const deadline = Date.now() + 3000;
        while (ofType(h.events, "compaction").length === 0 && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 5));
        const [compaction] = ofType(h.events, "compaction");
        expect(compaction).toMatchObject({ summary: "SUMMARY of q1", reason: "manual" });
        // Before older turns leave the context, what the model chose to remember is flushed to memory.
        expect(h.remembered).toEqual(["the user lives in Lisbon"]);
        h.say("q3");
        await h.turnEnds(3);
        const last = h.provider.requests.at(-1);
        expect(last?.system).toContain("SUMMARY of q1");
        expect(last?.messages.map((m) => m.content)).toEqual(["q2", "a2", "q3"]);
        // Everything stays stored.
        expect(ofType(h.log.after(0, 1000), "user_message").map((e) => e.text)).toEqual(["q1", "q2", "/compact", "q3"]);
      },
    );
  });

  it("compacts and retries once when the provider says the context overflowed", async () => {
    const overflow = new ProviderError("context_overflow", "prompt is too long", { retryable: false, status: 400 });
    await withHarness(
      [
        { kind: "text", pieces: ["a1"] },
        { kind: "text", pieces: ["a2"] },
        { kind: "error", error: overflow },
        { kind: "text", pieces: ["SUMMARY"] },
        { kind: "text", pieces: ["a3 after compaction"] },
      ],
      async (h) => {
        h.say("q1");
        await h.turnEnds(1);
        h.say("q2");
        await h.turnEnds(2);
        h.say("q3");
        await h.turnEnds(3);
        expect(ofType(h.events, "compaction")[0]).toMatchObject({ reason: "overflow", summary: "SUMMARY" });
        expect(ofType(h.events, "assistant_message").at(-1)?.text).toBe("a3 after compaction");
        expect(ofType(h.events, "turn_end").at(-1)?.reason).toBe("done");
      },
    );
  });

  it("compacts automatically near the context window", async () => {
    const long = "x".repeat(4000);
    await withHarness(
      [
        { kind: "text", pieces: ["a1"] },
        { kind: "text", pieces: ["a2"] },
        { kind: "text", pieces: ["SHORT"] },
        { kind: "text", pieces: ["a3"] },
      ],
      async (h) => {
        for (const [i, q] of [`q1 ${long}`, `q2 ${long}`, `q3 ${long}`].entries()) {
          h.say(q);
          await h.turnEnds(i + 1);
        }
        // 3 × 4000 characters pass 80 % of a 3,000-token window: q1 is summarised before q3's call.
        expect(ofType(h.events, "compaction")[0]).toMatchObject({ reason: "auto", summary: "SHORT" });
        const last = h.provider.requests.at(-1);
        expect(last?.system).toContain("SHORT");
        expect(last?.messages.map((m) => m.content.slice(0, 2))).toEqual(["q2", "a2", "q3"]);
        expect(ofType(h.events, "assistant_message").at(-1)?.text).toBe("a3");
      },
      { vars: { LLM_CONTEXT_TOKENS: "3000" } },
    );
  });

  it("/new starts a fresh context while the history stays", async () => {
    await withHarness(
      [
        { kind: "text", pieces: ["a1"] },
        { kind: "text", pieces: ["a2"] },
      ],
      async (h) => {
        h.say("q1");
        await h.turnEnds(1);
        h.say("/new");
        h.say("q2");
        await h.turnEnds(2);
        expect(h.provider.requests.at(-1)?.messages).toEqual([{ role: "user", content: "q2" }]);
        expect(ofType(h.events, "compaction")[0]).toMatchObject({ summary: "", reason: "reset" });
      },
    );
  });
});

describe("idle reset policy", () => {
  it("starts a fresh context when a message comes after SESSION_RESET_IDLE_MINUTES", async () => {
    await withHarness(
      [
        { kind: "text", pieces: ["a1"] },
        { kind: "text", pieces: ["a2"] },
      ],
      async (h) => {
        h.say("before the pause");
        await h.turnEnds(1);
        // Two hours pass.
        h.sql.exec("UPDATE events SET created_at = created_at - 7200000");
        h.say("after the pause");
        await h.turnEnds(2);
        expect(ofType(h.events, "compaction")[0]).toMatchObject({ reason: "reset" });
        expect(h.provider.requests.at(-1)?.messages).toEqual([{ role: "user", content: "after the pause" }]);
      },
      { vars: { SESSION_RESET_IDLE_MINUTES: "60" } },
    );
  });
});

describe("fallback models", () => {
  it("moves to the next model when the first keeps failing", async () => {
    const down = () => new ProviderError("provider_error", "503", { retryable: true, status: 503 });
    await withHarness(
      [...[1, 2, 3].map(() => ({ kind: "error" as const, error: down() })), { kind: "text", pieces: ["from backup"] }],
      async (h) => {
        h.say("hello");
        await h.turnEnds(1);
        expect(h.provider.requests.map((r) => r.model)).toEqual([
          "main-model",
          "main-model",
          "main-model",
          "backup-model",
        ]);
        expect(ofType(h.events, "usage")[0]?.model).toBe("backup-model");
        expect(ofType(h.events, "turn_end")[0]?.reason).toBe("done");
      },
      { vars: { LLM_FALLBACK_MODELS: "backup-model" } },
    );
  });
});
