// Property: whatever happened in a session (messages mid-turn, tool calls and results, cancels, resets,
// errors, compactions, /new), the context built for the next turn is one OpenAI and Anthropic both accept.
// Regenerated answers and edited messages are among the actions; whoever adds another event type that
// changes the context (attachments) adds it to ACTION here.

import { env, runInDurableObject } from "cloudflare:test";
import { drizzle } from "drizzle-orm/durable-sqlite";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { anthropicBody } from "../../../agent/providers/anthropic-wire";
import { openAiChatBody } from "../../../agent/providers/openai-wire";
import type { ChatRequest } from "../../../agent/providers/types";
import { checkWire } from "../../../agent/providers/wire-check/index";
import { buildContext, compactionCut } from "../../../objects/session/agent/context";
import { refuseEdit, refuseRegenerate } from "../../../objects/session/agent/superseded";
import { EventLog } from "../../../objects/session/event-log";

/** One thing that can happen in a session, as the events the real code stores for it. */
const ACTION = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ t: fc.constant("user" as const), text: fc.string({ minLength: 1, maxLength: 12 }) }),
  },
  fc.record({ t: fc.constant("text" as const), text: fc.string({ maxLength: 8 }), partial: fc.boolean() }),
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant("tools" as const),
      n: fc.integer({ min: 1, max: 3 }),
      text: fc.string({ maxLength: 4 }),
      /** Whether the step came with signed thinking (kept and sent back with its calls). */
      think: fc.boolean(),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ t: fc.constant("result" as const), pick: fc.nat(), output: fc.string({ maxLength: 8 }) }),
  },
  fc.record({ t: fc.constant("end" as const), reason: fc.constantFrom("done", "error", "step_limit") }),
  fc.constant({ t: "cancel" as const }),
  fc.constant({ t: "crash" as const }),
  fc.record({ t: fc.constant("compact" as const), keep: fc.constantFrom(1, 2) }),
  fc.record({ t: fc.constant("compact_anywhere" as const), at: fc.nat() }),
  fc.constant({ t: "new" as const }),
  fc.constant({ t: "idle_reset" as const }),
  // A new answer to the newest turn, and a new version of an earlier message (both only between turns,
  // as the frame handler allows; the superseded events stay stored and leave the context).
  fc.constant({ t: "regenerate" as const }),
  fc.record({ t: fc.constant("edit" as const), pick: fc.nat(), text: fc.string({ minLength: 1, maxLength: 8 }) }),
);
type Action = typeof ACTION extends fc.Arbitrary<infer A> ? A : never;

/** Replays actions into the log as the turn controller and runner would store them. */
function play(log: EventLog, actions: Action[]): void {
  let turn: string | null = null;
  let step = 0;
  let pending: string[] = [];
  let n = 0;
  let lastTurn: string | null = null;
  const users: string[] = [];
  const id = (prefix: string) => `${prefix}${++n}`;
  const startTurn = () => {
    turn = id("t");
    lastTurn = turn;
    step = 1;
    log.append("turn_start", { turnId: turn, model: "m" });
  };
  const end = (reason: "done" | "error" | "step_limit" | "cancelled" | "interrupted") => {
    if (turn) log.append("turn_end", { turnId: turn, reason });
    turn = null;
    pending = [];
  };
  for (const action of actions) {
    switch (action.t) {
      case "user": {
        const message = id("u");
        users.push(message);
        log.append("user_message", { id: message, text: action.text, user: "u" });
        if (!turn) startTurn();
        break;
      }
      case "regenerate":
        if (lastTurn === null || refuseRegenerate(log, lastTurn, turn !== null) !== null) break;
        log.append("regenerate", { turnId: lastTurn, user: "u" }, id("r"));
        startTurn();
        break;
      case "edit": {
        const editOf = users[action.pick % Math.max(1, users.length)];
        if (editOf === undefined || refuseEdit(log, editOf, turn !== null) !== null) break;
        const message = id("u");
        users.push(message);
        log.append("user_message", { id: message, text: action.text, user: "u", editOf });
        startTurn();
        break;
      }
      case "text":
        if (!turn) break;
        if (action.text !== "")
          log.append("assistant_message", { turnId: turn, step, text: action.text, partial: action.partial });
        if (action.partial) end("error");
        else end("done");
        break;
      case "tools":
        if (!turn) break;
        step++;
        if (action.think)
          log.append("reasoning", {
            turnId: turn,
            step,
            text: "hmm",
            blocks: [{ kind: "thinking", text: "hmm", signature: `sig${step}` }],
          });
        if (action.text !== "") log.append("assistant_message", { turnId: turn, step, text: action.text });
        pending = [];
        for (let i = 0; i < action.n; i++) {
          const call = id("call_");
          pending.push(call);
          log.append("tool_call", { turnId: turn, step, toolCallId: call, name: "exec", args: '{"cmd":"ls"}' });
        }
        break;
      case "result": {
        if (!turn || pending.length === 0) break;
        const [call] = pending.splice(action.pick % pending.length, 1);
        if (call) log.append("tool_result", { toolCallId: call, ok: true, output: action.output });
        break;
      }
      case "end":
        // The runner answers every call before a step ends normally.
        for (const call of pending) log.append("tool_result", { toolCallId: call, ok: false, output: "x" });
        // A failed turn's event carries a registry code (as the runner's does: internal_error for a crash).
        if (action.reason !== "done")
          log.append("error", {
            code: action.reason === "error" ? "internal_error" : action.reason,
            message: "stopped",
          });
        end(action.reason);
        break;
      case "cancel":
        // The runner answers the call that was running; later calls of the step were never made.
        if (pending[0]) log.append("tool_result", { toolCallId: pending[0], ok: false, output: "cancelled" });
        end("cancelled");
        break;
      case "crash":
        // A reset: no result for the running call, and the turn is sealed on the next wake.
        end("interrupted");
        break;
      case "compact": {
        const cut = compactionCut(buildContext(log).events, action.keep);
        if (cut !== null) log.append("compaction", { summary: "summary", throughSeq: cut, reason: "auto" });
        break;
      }
      case "compact_anywhere":
        // Any cut at all, stricter than the real ones (a /new while a turn runs cuts mid-turn).
        log.append("compaction", { summary: "s", throughSeq: action.at % (log.lastSeq + 1), reason: "manual" });
        break;
      case "new":
        log.append("user_message", { id: id("u"), text: "/new", user: "u" });
        log.append("compaction", { summary: "", throughSeq: log.lastSeq, reason: "reset" });
        break;
      case "idle_reset":
        log.append("compaction", { summary: "", throughSeq: Math.max(0, log.lastSeq - 1), reason: "reset" });
        break;
    }
  }
}

const TOOLS = [{ name: "exec", description: "runs", parameters: { type: "object", properties: {} } }];

describe("the next turn's context", () => {
  it("passes the OpenAI and Anthropic checkers after any session history", async () => {
    const stub = env.SESSION.getByName(`property-${crypto.randomUUID()}`);
    await runInDurableObject(stub, async (_object, state) => {
      const db = drizzle(state.storage);
      let runs = 0;
      let withTools = 0;
      let superseding = 0;
      fc.assert(
        fc.property(fc.array(ACTION, { maxLength: 40 }), (actions) => {
          state.storage.sql.exec("DELETE FROM events");
          const log = new EventLog(db);
          play(log, actions);
          if (log.latest("regenerate") || actions.some((a) => a.t === "edit")) superseding++;
          const context = buildContext(log);
          // The runner does not call the model with nothing to answer.
          if (context.messages.length === 0) return;
          runs++;
          if (context.messages.some((m) => m.role === "tool")) withTools++;
          const base: Omit<ChatRequest, "model"> = {
            system: context.summary ? `be brief\n${context.summary}` : "be brief",
            messages: context.messages,
            tools: TOOLS,
            maxTokens: 2048,
          };
          const bodies = [
            ["openai-chat", openAiChatBody({ ...base, model: "gpt-4o-mini" })],
            ["openai-chat", openAiChatBody({ ...base, model: "o3", think: "high" })],
            ["anthropic", anthropicBody({ ...base, model: "claude-3-5-haiku-latest" })],
            ["anthropic", anthropicBody({ ...base, model: "claude-sonnet-4-5", think: "low" })],
          ] as const;
          for (const [api, body] of bodies) expect(checkWire(api, body), `${api}: ${JSON.stringify(body)}`).toEqual([]);
        }),
        { numRuns: 400 },
      );
      // The property is not vacuous: most histories leave something to answer.
      expect(runs).toBeGreaterThan(100);
      expect(withTools).toBeGreaterThan(25);
      expect(superseding).toBeGreaterThan(25);
    });
  }, 120_000);
});
