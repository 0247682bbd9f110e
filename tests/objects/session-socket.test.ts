// Live sessions over WebSocket inside workerd: shared order, resume, idempotency, eviction and bad frames.

import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MAX_FRAME_BYTES } from "../../protocol/frames";
import { connect, createSession, join, login, TestSocket } from "../helpers/workers";

const seqs = (socket: TestSocket) => socket.events().map((e) => e.seq);
const userTexts = (socket: TestSocket) => socket.of("user_message").map((e) => e.text);
const gapless = (list: number[], from = 1) => list.every((seq, i) => seq === from + i);

describe("session socket", () => {
  it("gives three devices the same events with the same gapless seq", async () => {
    const token = await login("dev3@example.com");
    const id = await createSession(token);
    const devices = await Promise.all([join(id, token), join(id, token), join(id, token)]);
    for (let i = 0; i < 10; i++) devices[i % 3]?.send({ type: "user_message", id: `m${i}`, text: `hello ${i}` });
    for (const device of devices) await device.until(() => device.of("user_message").length === 10);
    for (const device of devices) await device.settle();
    const [a, b, c] = devices.map((d) => d.events());
    expect(gapless(seqs(devices[0] as TestSocket))).toBe(true);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    // Each device's messages keep the order it sent them in.
    const texts = userTexts(devices[0] as TestSocket);
    expect(texts.filter((t) => ["hello 0", "hello 3", "hello 6", "hello 9"].includes(t))).toEqual([
      "hello 0",
      "hello 3",
      "hello 6",
      "hello 9",
    ]);
    expect(devices[0]?.of("presence").at(-1)?.devices).toHaveLength(3);
    for (const device of devices) device.close();
  });

  it("closes with 1008 a socket that reaches the object without the worker's verified identity", async () => {
    const token = await login(`no-identity-${crypto.randomUUID()}@example.com`);
    const id = await createSession(token);
    // Straight to the object, past the worker (which always sets the identity header on the upgrade).
    const response = await env.SESSION.getByName(id).fetch(`https://session.internal/parties/session/${id}`, {
      headers: { upgrade: "websocket" },
    });
    const ws = response.webSocket;
    if (!ws) throw new Error(`upgrade refused: ${response.status}`);
    ws.accept();
    const socket = new TestSocket(ws);
    socket.send({ type: "hello" });
    await socket.until(() => socket.closed !== null);
    expect(socket.closed).toEqual({ code: 1008, reason: "unauthenticated" });
    expect(socket.frames).toEqual([]);
  });

  it("resumes a reconnecting device with exactly the events it missed", async () => {
    const token = await login("resume@example.com");
    const id = await createSession(token);
    const stay = await join(id, token);
    const leave = await join(id, token);
    stay.send({ type: "user_message", id: "a", text: "one" });
    await leave.settle();
    const lastSeen = leave.events().at(-1)?.seq ?? 0;
    leave.close();
    for (const [i, text] of ["two", "three", "four"].entries()) stay.send({ type: "user_message", id: `b${i}`, text });
    await stay.until(() => stay.of("user_message").length === 4);
    await stay.settle();
    const back = await join(id, token, lastSeen);
    const missed = stay.events().filter((e) => e.seq > lastSeen);
    expect(back.events()).toEqual(missed);
    expect(back.of("ready").at(-1)?.seq).toBe(stay.events().at(-1)?.seq);
    stay.send({ type: "user_message", id: "c", text: "five" });
    await back.until(() => back.of("user_message").some((m) => m.text === "five"));
    await Promise.all([back.settle(), stay.settle()]);
    expect(back.events()).toEqual(stay.events().filter((e) => e.seq > lastSeen));
    const fresh = await join(id, token);
    expect(fresh.events()).toEqual(stay.events());
    expect(gapless(seqs(fresh))).toBe(true);
  });

  it("takes a message sent right behind hello, before ready, after the replay (as the web client sends)", async () => {
    const token = await login("pipelined@example.com");
    const id = await createSession(token);
    const first = await join(id, token);
    first.send({ type: "user_message", id: "before", text: "already here" });
    await first.settle();
    const device = await connect(id, token);
    device.send({ type: "hello" });
    device.send({ type: "user_message", id: "behind-hello", text: "right away" });
    await device.until(() => device.of("user_message").some((m) => m.id === "behind-hello"));
    await Promise.all([device.settle(), first.settle()]);
    // The replay, then ready, then the new message and its answer, on the same gapless seq.
    const order = device.frames.map((f) => (f.type === "user_message" ? f.id : f.type));
    expect(order.indexOf("before")).toBeLessThan(order.indexOf("ready"));
    expect(order.indexOf("ready")).toBeLessThan(order.indexOf("behind-hello"));
    expect(device.events()).toEqual(first.events());
    expect(device.events().at(-1)?.type).toBe("turn_end");
    expect(gapless(seqs(device))).toBe(true);
    first.close();
    device.close();
  });

  it("replays the same events in batch frames when a device asks for them", async () => {
    const token = await login("batch@example.com");
    const id = await createSession(token);
    const writer = await join(id, token);
    for (let i = 0; i < 5; i++) writer.send({ type: "user_message", id: `b${i}`, text: `batch ${i}` });
    await writer.until(() => writer.of("user_message").length === 5);
    await writer.settle();
    const batched = await connect(id, token);
    batched.send({ type: "hello", batch: true });
    await batched.waitFor("ready");
    const batches = batched.frames.filter((f) => f.type === "batch");
    expect(batches.length).toBeGreaterThan(0);
    const replayed = batches.flatMap((f) => (f.type === "batch" ? f.events : []));
    expect(replayed).toEqual(writer.events());
    expect(batched.events()).toEqual([]);
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
    await one.settle();
    const page = await env.SESSION.getByName(id).listMessages(0, 50);
    const users = page.messages.filter((m) => m.type === "user_message");
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({ type: "user_message", text: "first", seq: 1 });
  });

  it("keeps the transcript and serves hibernated sockets after eviction", async () => {
    const token = await login("evict@example.com");
    const id = await createSession(token);
    const socket = await join(id, token);
    socket.send({ type: "user_message", id: "before", text: "before eviction" });
    await socket.settle();
    const stub = env.SESSION.getByName(id);
    await evictDurableObject(stub);
    // The hibernated socket wakes the object, keeps its identity and gets the next seq.
    socket.send({ type: "user_message", id: "after", text: "after eviction" });
    const messages = await socket.waitFor("user_message", 2);
    expect(messages.map((m) => m.user)).toEqual(["evict@example.com", "evict@example.com"]);
    await socket.settle();
    expect(gapless(seqs(socket))).toBe(true);
    await evictDurableObject(stub, { webSockets: "close" });
    const again = await join(id, token);
    expect(again.events()).toEqual(socket.events());
  });

  it("answers bad frames with an error frame, storing nothing and showing nothing to others", async () => {
    const token = await login("bad@example.com");
    const id = await createSession(token);
    const bad = await join(id, token);
    const other = await join(id, token);
    const cases: [string, string][] = [
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
      expect(errors.at(-1)?.code, frame.slice(0, 40)).toBe(code);
    }
    bad.ws.send(new Uint8Array([1, 2, 3]));
    expect((await bad.waitFor("error", cases.length + 1)).at(-1)?.code).toBe("unsupported_frame");
    expect(bad.events()).toEqual([]);
    // The socket stays open and usable; the other device saw nothing of the bad frames.
    bad.send({ type: "user_message", id: "ok", text: "still here" });
    await other.settle();
    expect(other.frames.filter((f) => f.type === "error")).toEqual([]);
    expect(other.of("user_message").map((m) => m.text)).toEqual(["still here"]);
    const count = await runInDurableObject(env.SESSION.getByName(id), async (_o, state) =>
      state.storage.sql.exec("SELECT COUNT(*) AS n FROM events WHERE type = 'user_message'").one(),
    );
    expect(count.n).toBe(1);
  });
});
