// Socket abuse: repeated hello replays are charged to the socket (V9), and an expired socket hears nothing (S1).

import type { Connection } from "partyserver";
import { describe, expect, it } from "vitest";
import { fanOut } from "../../objects/session/devices";
import { CLOSE_TOKEN_EXPIRED } from "../../protocol/frames";
import { connect, createSession, join, login } from "../helpers/workers";

const HISTORY_MESSAGES = 10;
const MESSAGE_CHARS = 100_000;

describe("hello replay amplification (V9)", () => {
  it("serves one full replay per socket, then charges repeated replays so 40 hellos cannot multiply it", async () => {
    const token = await login(`flood-${crypto.randomUUID()}@example.com`);
    const id = await createSession(token);
    const writer = await join(id, token);
    for (let i = 0; i < HISTORY_MESSAGES; i++) {
      writer.send({ type: "user_message", id: `h${i}`, text: `/help ${"x".repeat(MESSAGE_CHARS)}` });
    }
    await writer.until(() => writer.of("notice").length === HISTORY_MESSAGES);
    writer.close();

    // A legitimate resume of the whole (long) history is never throttled.
    const flooder = await connect(id, token);
    let bytes = 0;
    flooder.ws.addEventListener("message", (event) => {
      bytes += String(event.data).length;
    });
    flooder.send({ type: "hello" });
    await flooder.waitFor("ready");
    const history = bytes;
    expect(flooder.of("user_message")).toHaveLength(HISTORY_MESSAGES);
    expect(history).toBeGreaterThan(HISTORY_MESSAGES * MESSAGE_CHARS);

    for (let i = 0; i < 40; i++) flooder.send({ type: "hello" });
    const answered = () =>
      flooder.of("ready").length - 1 + flooder.of("error").filter((e) => e.code === "rate_limited").length;
    await flooder.until(() => answered() === 40);
    const replays = flooder.of("ready").length - 1;
    // Before: 39 of the 40 replayed the whole history (~40 MB here, 161 MB in the review's probe).
    expect(replays).toBeLessThanOrEqual(1);
    expect(bytes - history).toBeLessThan(2 * history);
    flooder.close();

    // Another socket of the same user still resumes the whole history at once.
    const fresh = await join(id, token);
    expect(fresh.of("user_message")).toHaveLength(HISTORY_MESSAGES);
    fresh.close();
  });
});

class FakeConnection {
  readonly sent: string[] = [];
  closed: number | null = null;
  constructor(
    readonly id: string,
    readonly state: unknown,
  ) {}
  send(text: string): void {
    if (this.closed !== null) throw new Error("closed");
    this.sent.push(text);
  }
  close(code: number): void {
    this.closed = code;
  }
}

describe("expired sockets (S1)", () => {
  it("closes a socket whose token expired at the next fan-out, before it hears the event", () => {
    const now = Date.UTC(2026, 10, 29, 12);
    const live = new FakeConnection("a", { user: "u", since: 1, exp: now / 1000 + 60, ready: true });
    const expired = new FakeConnection("b", { user: "u", since: 1, exp: now / 1000 - 1, ready: true });
    const connections = [live, expired] as unknown as Connection[];
    const sent = fanOut(connections, { type: "pong" }, false, now);
    expect(sent).toBe(1);
    expect(live.sent).toEqual(['{"type":"pong"}']);
    expect(expired.closed).toBe(CLOSE_TOKEN_EXPIRED);
    expect(expired.sent.map((s) => JSON.parse(s).code)).toEqual(["token_expired"]);
  });
});
