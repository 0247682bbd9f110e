// Regenerate and edit-and-resend inside workerd: new durable events, the old versions stored, the model's context without them.

import { env } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Script } from "../../../devtools/demo-model/scripts";
import { toMessages } from "../../../objects/session/agent/context";
import { dropSuperseded } from "../../../objects/session/agent/superseded";
import type { EventPayloads, EventType, SessionEvent } from "../../../protocol/frames";
import { parseClientFrame } from "../../../protocol/parse-frame";
import { createSession, join, login, type TestSocket } from "../../helpers/workers";

const FAKE = String(Reflect.get(env, "FAKE_LLM_URL"));
const tag = () => `t-${crypto.randomUUID()}`;

async function script(value: Script): Promise<void> {
  const response = await fetch(`${FAKE}/__script`, { method: "POST", body: JSON.stringify(value) });
  expect(response.status).toBe(204);
}

/** The text of every message the model was sent in the newest request that mentions `t`. */
async function lastContext(t: string): Promise<string[]> {
  const requests = (await (await fetch(`${FAKE}/__requests`)).json()) as {
    body: { messages?: { content?: unknown }[] };
  }[];
  const mine = requests.filter((r) => JSON.stringify(r.body).includes(t));
  return (mine.at(-1)?.body.messages ?? []).map((m) => (typeof m.content === "string" ? m.content : ""));
}

async function session(email: string): Promise<TestSocket> {
  const token = await login(email);
  return join(await createSession(token), token);
}

const turnEnds = (socket: TestSocket, n: number) => socket.until(() => socket.of("turn_end").length >= n);

describe("regenerate and edit over the wire", () => {
  it("regenerates the newest answer as a new turn; the old answer stays stored but leaves the context", async () => {
    const t = tag();
    await script({
      match: t,
      steps: [
        { kind: "text", chunks: ["first ", "answer"] },
        { kind: "text", chunks: ["second answer"] },
      ],
    });
    const socket = await session("regen@example.com");
    socket.send({ type: "user_message", id: "q1", text: `question ${t}` });
    await turnEnds(socket, 1);
    const first = socket.of("turn_start")[0]?.turnId ?? "";
    socket.send({ type: "regenerate", id: "r1", turnId: first });
    await turnEnds(socket, 2);
    expect(socket.of("regenerate")).toEqual([expect.objectContaining({ turnId: first, user: "regen@example.com" })]);
    expect(socket.of("assistant_message").map((m) => m.text)).toEqual(["first answer", "second answer"]);
    expect(socket.of("user_message")).toHaveLength(1);
    const context = await lastContext(t);
    expect(context.filter((c) => c.includes(t))).toEqual([`question ${t}`]);
    expect(context.join("\n")).not.toContain("first answer");

    // The same id again is a duplicate; an older turn cannot be regenerated.
    socket.send({ type: "regenerate", id: "r1", turnId: first });
    await socket.waitFor("duplicate");
    socket.send({ type: "regenerate", id: "r2", turnId: first });
    await socket.until(() => socket.of("error").some((e) => e.code === "conflict"));
    expect(socket.of("regenerate")).toHaveLength(1);
    socket.close();
  });

  it("refuses a regenerate or an edit while a turn runs", async () => {
    const t = tag();
    await script({ match: t, steps: [{ kind: "text", chunks: Array.from({ length: 30 }, () => "w "), delayMs: 30 }] });
    const socket = await session("busy@example.com");
    socket.send({ type: "user_message", id: "q1", text: `slow ${t}` });
    const [start] = await socket.waitFor("turn_start");
    socket.send({ type: "regenerate", id: "r1", turnId: start?.turnId ?? "" });
    socket.send({ type: "edit_message", id: "e1", editOf: "q1", text: "other" });
    await socket.until(() => socket.of("error").filter((e) => e.code === "conflict").length === 2);
    await turnEnds(socket, 1);
    expect(socket.of("regenerate")).toEqual([]);
    expect(socket.of("user_message")).toHaveLength(1);
    socket.close();
  });

  it("edits an earlier message: a new message with editOf; it and what followed leave the context", async () => {
    const t = tag();
    const socket = await session("edit@example.com");
    socket.send({ type: "user_message", id: "q1", text: `one ${t}` });
    await turnEnds(socket, 1);
    socket.send({ type: "user_message", id: "q2", text: `two ${t}` });
    await turnEnds(socket, 2);
    socket.send({ type: "edit_message", id: "q1b", editOf: "q1", text: `one again ${t}` });
    await turnEnds(socket, 3);
    const users = socket.of("user_message");
    expect(users.map((u) => [u.id, u.text, u.editOf])).toEqual([
      ["q1", `one ${t}`, undefined],
      ["q2", `two ${t}`, undefined],
      ["q1b", `one again ${t}`, "q1"],
    ]);
    const context = await lastContext(`one again ${t}`);
    expect(context.filter((c) => c.includes(t))).toEqual([`one again ${t}`]);

    socket.send({ type: "edit_message", id: "q9", editOf: "nope", text: "x" });
    await socket.until(() => socket.of("error").some((e) => e.message === "no such message to edit"));
    socket.close();
  });

  it("validates the new frames", () => {
    expect(parseClientFrame('{"type":"regenerate","id":"a","turnId":"t"}')).toEqual({
      ok: true,
      frame: { type: "regenerate", id: "a", turnId: "t" },
    });
    expect(parseClientFrame('{"type":"regenerate","id":"","turnId":"t"}')).toMatchObject({ ok: false });
    expect(parseClientFrame('{"type":"regenerate","id":"a"}')).toMatchObject({ ok: false });
    expect(parseClientFrame('{"type":"edit_message","id":"a","editOf":"b","text":"  "}')).toMatchObject({
      ok: false,
      code: "invalid_frame",
    });
    expect(parseClientFrame('{"type":"edit_message","id":"a","editOf":5,"text":"x"}')).toMatchObject({ ok: false });
    expect(parseClientFrame('{"type":"edit_message","id":"a","editOf":"b","text":"x"}')).toMatchObject({ ok: true });
  });
});

// ---- property: the context after any history equals that of the linear conversation it stands for -----

type Op = { kind: "say" } | { kind: "regenerate" } | { kind: "edit"; pick: number } | { kind: "queued" };

/** Builds the stored events of a history, and the conversation a person would see as current. */
function simulate(ops: Op[]): { events: SessionEvent[]; expected: { role: string; content: string }[] } {
  const events: SessionEvent[] = [];
  const add = <K extends EventType>(type: K, payload: EventPayloads[K]) =>
    events.push({ ...payload, type, seq: events.length + 1, at: 0 } as SessionEvent);
  let n = 0;
  const current: { id: string; text: string; answer: string }[] = [];
  let lastTurn = "";
  /** A turn with a tool pair and an answer; `during` stores a message that arrives while it runs. */
  const turn = (during?: string) => {
    n++;
    lastTurn = `turn${n}`;
    add("turn_start", { turnId: lastTurn, model: "m" });
    add("tool_call", { turnId: lastTurn, step: 0, toolCallId: `c${n}`, name: "echo", args: "{}" });
    if (during) add("user_message", { id: during, text: `ask ${during}`, user: "u" });
    add("tool_result", { toolCallId: `c${n}`, ok: true, output: `out ${n}` });
    add("assistant_message", { turnId: lastTurn, step: 1, text: `answer ${n}` });
    add("turn_end", { turnId: lastTurn, reason: "done" });
    return `answer ${n}`;
  };
  const ask = (editOf?: string) => {
    const id = `m${events.length}`;
    add("user_message", { id, text: `ask ${id}`, user: "u", ...(editOf ? { editOf } : {}) });
    return id;
  };
  for (const op of ops) {
    const last = current.at(-1);
    if (op.kind === "regenerate" && last) {
      add("regenerate", { turnId: lastTurn, user: "u" });
      last.answer = turn();
    } else if (op.kind === "edit" && last) {
      const index = op.pick % current.length;
      const target = current[index];
      if (!target) continue;
      current.splice(index);
      const id = ask(target.id);
      current.push({ id, text: `ask ${id}`, answer: turn() });
    } else if (op.kind === "queued") {
      // A message arrives while the turn runs; the next turn answers it.
      const id = ask();
      const queued = `q${events.length}`;
      current.push({ id, text: `ask ${id}`, answer: turn(queued) });
      current.push({ id: queued, text: `ask ${queued}`, answer: turn() });
    } else {
      const id = ask();
      current.push({ id, text: `ask ${id}`, answer: turn() });
    }
  }
  // The expected context: each current exchange's question, its tool pair, then its answer.
  const expected: { role: string; content: string }[] = [];
  for (const c of current) {
    const k = c.answer.slice("answer ".length);
    expected.push({ role: "user", content: c.text }, { role: "assistant", content: "" });
    expected.push({ role: "tool", content: `out ${k}` }, { role: "assistant", content: c.answer });
  }
  return { events, expected };
}

describe("context without superseded events (property)", () => {
  it("equals the linear conversation for any mix of messages, regenerations and edits", () => {
    const op = fc.oneof(
      fc.constant<Op>({ kind: "say" }),
      fc.constant<Op>({ kind: "queued" }),
      fc.constant<Op>({ kind: "regenerate" }),
      fc.nat(20).map((pick): Op => ({ kind: "edit", pick })),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 12 }), (ops) => {
        const { events, expected } = simulate(ops);
        const marks = events.filter((e) => e.type === "user_message" || e.type === "regenerate");
        const kept = dropSuperseded(
          events.filter((e) => e.type !== "regenerate"),
          marks,
        );
        const messages = toMessages(kept).map((m) => ({ role: m.role, content: m.content }));
        expect(messages).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});
