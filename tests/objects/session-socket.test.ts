// Live sessions over WebSocket inside workerd: shared order, resume, idempotency, eviction and bad frames.

import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MAX_FRAME_BYTES, type SessionEvent } from "../../protocol/frames";
import { createSession, join, login } from "../helpers/workers";

const seqs = (events: SessionEvent[]) => events.map((e) => e.seq);
const durable = (frames: { type: string }[]): SessionEvent[] =>
  frames.filter((f): f is SessionEvent => "seq" in f && f.type !== "ready" && f.type !== "duplicate");

describe("session socket", () => {
  it("gives three devices the same events with the same gapless seq", async () => {
    const token = await login("dev3@example.com");
    const id = await createSession(token);
    const devices = await Promise.all([join(id, token), join(id, token), join(id, token)]);
    for (let i = 0; i < 10; i++) devices[i % 3]?.send({ type: "user_message", id: `m${i}`, text: `hello ${i}` });
    for (const device of devices) await device.until((frames) => durable(frames).length >= 10);
    const [a, b, c] = devices.map((d) => durable(d.frames));
    expect(seqs(a ?? [])).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    // Each device's own order matches what it sent.
    const texts = (a ?? []).map((e) => (e.type === "user_message" ? e.text : ""));
    expect(texts.filter((t) => t.endsWith("0") || t.endsWith("3"))).toEqual(["hello 0", "hello 3"]);
    const presence = devices[0]?.of("presence").at(-1);
    expect(presence?.devices).toHaveLength(3);
    for (const device of devices) device.close();
  });

  it("resumes a reconnecting device with exactly the events it missed", async () => {
    const token = await login("resume@example.com");
    const id = await createSession(token);
    const stay = await join(id, token);
    const leave = await join(id, token);
    stay.send({ type: "user_message", id: "a", text: "one" });
    await leave.until((f) => durable(f).length === 1);
    const lastSeen = durable(leave.frames).at(-1)?.seq ?? 0;
    leave.close();
    for (const [i, text] of ["two", "three", "four"].entries()) stay.send({ type: "user_message", id: `b${i}`, text });
    await stay.until((f) => durable(f).length === 4);
    const back = await join(id, token, lastSeen);
    expect(seqs(durable(back.frames))).toEqual([2, 3, 4]);
    expect(back.of("ready").at(-1)?.seq).toBe(4);
    stay.send({ type: "user_message", id: "c", text: "five" });
    await back.until((f) => durable(f).length === 4);
    expect(seqs(durable(back.frames))).toEqual([2, 3, 4, 5]);
    const fresh = await join(id, token);
    expect(seqs(durable(fresh.frames))).toEqual([1, 2, 3, 4, 5]);
  });

  it("stores the same user_message id once, also across devices", async () => {
    const token = await login("idem@example.com");
    const id = await createSession(token);
    const one = await join(id, token);
    const two = await join(id, token);
    one.send({ type: "user_message", id: "same", text: "first" });
    await one.waitFor("user_message");
    two.send({ type: "user_message", id: "same", text: "again" });
    one.send({ type: "user_message", id: "same", text: "and again" });
    const [dupTwo] = await two.waitFor("duplicate");
    const [dupOne] = await one.waitFor("duplicate");
    expect(dupTwo).toEqual({ type: "duplicate", id: "same", seq: 1 });
    expect(dupOne?.seq).toBe(1);
    const stub = env.SESSION.getByName(id);
    const page = await stub.listMessages(0, 50);
    expect(page.messages).toHaveLength(1);
    expect(page.messages[0]).toMatchObject({ type: "user_message", text: "first", seq: 1 });
  });

  it("keeps the transcript and serves hibernated sockets after eviction", async () => {
    const token = await login("evict@example.com");
    const id = await createSession(token);
    const socket = await join(id, token);
    socket.send({ type: "user_message", id: "before", text: "before eviction" });
    await socket.waitFor("user_message");
    const stub = env.SESSION.getByName(id);
    await evictDurableObject(stub);
    // The hibernated socket wakes the object, keeps its identity and gets the next seq.
    socket.send({ type: "user_message", id: "after", text: "after eviction" });
    const messages = await socket.waitFor("user_message", 2);
    expect(messages.map((m) => [m.seq, m.user])).toEqual([
      [1, "evict@example.com"],
      [2, "evict@example.com"],
    ]);
    await evictDurableObject(stub, { webSockets: "close" });
    const again = await join(id, token);
    expect(seqs(durable(again.frames))).toEqual([1, 2]);
  });

  it("answers bad frames with an error frame, storing nothing and showing nothing to others", async () => {
    const token = await login("bad@example.com");
    const id = await createSession(token);
    const bad = await join(id, token);
    const other = await join(id, token);
    const cases: [unknown, string][] = [
      ["not json", "invalid_json"],
      ["[1,2]", "invalid_frame"],
      ['{"type":"launch"}', "unknown_frame_type"],
      ['{"text":"no type"}', "invalid_frame"],
      ['{"type":"user_message","text":"no id"}', "invalid_frame"],
      ['{"type":"user_message","id":"x","text":42}', "invalid_frame"],
      ['{"type":"hello","lastSeq":-1}', "invalid_frame"],
      [`{"type":"user_message","id":"big","text":"${"x".repeat(MAX_FRAME_BYTES)}"}`, "frame_too_large"],
      [`{"type":"user_message","id":"emoji","text":"${"😀".repeat(300_000)}"}`, "frame_too_large"],
      [`{"type":"user_message","id":"long","text":"${"y".repeat(300 * 1024)}"}`, "message_too_large"],
    ];
    for (const [index, [frame, code]] of cases.entries()) {
      bad.send(frame);
      const errors = await bad.waitFor("error", index + 1);
      expect(errors.at(-1)?.code, String(frame).slice(0, 40)).toBe(code);
    }
    bad.ws.send(new Uint8Array([1, 2, 3]));
    expect((await bad.waitFor("error", cases.length + 1)).at(-1)?.code).toBe("unsupported_frame");
    // The socket stays open and usable.
    bad.send({ type: "user_message", id: "ok", text: "still here" });
    await other.waitFor("user_message");
    expect(other.of("error")).toEqual([]);
    expect(durable(other.frames).map((e) => e.type)).toEqual(["user_message"]);
    const count = await runInDurableObject(env.SESSION.getByName(id), async (_o, state) =>
      state.storage.sql.exec("SELECT COUNT(*) AS n FROM events").one(),
    );
    expect(count.n).toBe(1);
  });
});
