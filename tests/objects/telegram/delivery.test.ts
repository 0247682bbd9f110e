// The outbox planner: folds a session's events into the answer of one turn and plans the next Bot API call.

import { describe, expect, it } from "vitest";
import {
  absorb,
  approvalButtons,
  finished,
  newDelivery,
  nextStep,
  parseApprovalData,
  stepDone,
} from "../../../channels/telegram/delivery";
import type { SessionEvent } from "../../../protocol/frames";

let seq = 10;
const at = 0;
const ev = (event: Record<string, unknown>): SessionEvent => ({ ...event, seq: ++seq, at }) as SessionEvent;

describe("delivery", () => {
  it("follows the turn that started after the message, ignoring another turn still ending", () => {
    let state = newDelivery("s1", 42, 10);
    state = absorb(state, [
      ev({ type: "assistant_delta", turnId: "old", text: "earlier turn " }),
      ev({ type: "turn_end", turnId: "old", reason: "done" }),
      ev({ type: "turn_start", turnId: "t1", model: "m" }),
      ev({ type: "assistant_delta", turnId: "t1", text: "Hello **wor" }),
    ]);
    expect(state.turnId).toBe("t1");
    expect(state.done).toBe(false);
    const first = nextStep(state);
    expect(first).toEqual({ kind: "send", index: 0, html: "Hello **wor" });
    if (!first) throw new Error("no step");
    state = stepDone(state, first, 77);
    expect(nextStep(state)).toBeNull();
    state = absorb(state, [
      ev({ type: "assistant_delta", turnId: "t1", text: "ld**" }),
      ev({ type: "assistant_message", turnId: "t1", step: 0, text: "Hello **world**" }),
      ev({ type: "turn_end", turnId: "t1", reason: "done" }),
    ]);
    const edit = nextStep(state);
    expect(edit).toEqual({ kind: "edit", index: 0, messageId: 77, html: "Hello <b>world</b>" });
    if (!edit) throw new Error("no step");
    state = stepDone(state, edit, null);
    expect(finished(state)).toBe(true);
    expect(state.cursor).toBe(seq);
  });

  it("offers approvals after the text, and notes errors and how a turn ended", () => {
    let state = newDelivery("s1", 42, seq);
    state = absorb(state, [
      ev({ type: "turn_start", turnId: "t2", model: "m" }),
      ev({
        type: "approval_request",
        toolCallId: "call-1",
        name: "exec",
        args: '{"command":"rm -rf <x>"}',
        expiresAt: 1,
      }),
    ]);
    const offer = nextStep(state);
    expect(offer).toMatchObject({ kind: "offer", toolCallId: "call-1" });
    expect(offer?.kind === "offer" && offer.html).toContain("<code>exec: rm -rf &lt;x&gt;</code>");
    expect(offer?.kind === "offer" && offer.keyboard?.[0]?.map((b) => b.callback_data)).toEqual([
      "ap:1:call-1",
      "ap:0:call-1",
    ]);
    if (!offer) throw new Error("no step");
    state = stepDone(state, offer, 90);
    state = absorb(state, [
      ev({ type: "error", code: "sandbox_unavailable", message: "the sandbox is down" }),
      ev({ type: "turn_end", turnId: "t2", reason: "cancelled" }),
    ]);
    expect(nextStep(state)).toEqual({ kind: "send", index: 0, html: "⚠️ the sandbox is down\n\n(cancelled)" });
  });

  it("answers a session command with its notice, not with a turn's text", () => {
    const state = absorb(newDelivery("s", 1, 0, "model"), [
      ev({ type: "notice", topic: "reset", text: "fresh context" }),
      ev({ type: "turn_start", turnId: "t", model: "m" }),
      ev({ type: "notice", topic: "model", text: "model: m" }),
    ]);
    expect(state.done).toBe(true);
    expect(nextStep(state)).toEqual({ kind: "send", index: 0, html: "model: m" });
  });

  it("says so when a turn ends without text", () => {
    const state = absorb(newDelivery("s", 1, 0), [
      ev({ type: "turn_start", turnId: "t", model: "m" }),
      ev({ type: "turn_end", turnId: "t", reason: "done" }),
    ]);
    expect(nextStep(state)).toEqual({ kind: "send", index: 0, html: "(no answer)" });
  });

  it("keeps callback data within Telegram's 64 bytes and reads it back", () => {
    expect(approvalButtons("x".repeat(60))).toBeNull();
    expect(parseApprovalData("ap:1:call-9")).toEqual({ approve: true, toolCallId: "call-9" });
    expect(parseApprovalData("ap:0:call-9")).toEqual({ approve: false, toolCallId: "call-9" });
    expect(parseApprovalData("something else")).toBeNull();
  });
});
