// The session side of the Telegram channel inside workerd: which chats follow a session, one wake in flight
// per chat, failed wakes retried on the session's alarm bookings, and the list rebuilt from them after eviction.

import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../../log/logger";
import { AlarmMultiplexer } from "../../../objects/shared/alarms";
import {
  CHAT_BOOKING_PREFIX,
  ChatWatch,
  FOLLOW_CHECK_MS,
  LINKS_BOOKING,
  WAKE_RETRY_MS,
} from "../../../objects/telegram/chat-watch";
import type { SessionEvent } from "../../../protocol/frames";

/** Far ahead, so the object's real alarm never fires during a test: `run(now)` is called with a chosen time. */
const T = Date.now() + 24 * 3_600_000;

let seq = 0;
const event = (fields: Record<string, unknown>): SessionEvent => ({ seq: ++seq, at: T, ...fields }) as SessionEvent;
const fromTelegram = () => event({ type: "user_message", id: `m${seq}`, text: "hi", user: "u", deviceId: "telegram" });
const fromWeb = () => event({ type: "user_message", id: `m${seq}`, text: "hi", user: "u", deviceId: "laptop" });
const delta = () => event({ type: "assistant_delta", turnId: "t", text: "x" });

/** A watch whose wakes the test answers one by one. */
function harness(storage: DurableObjectStorage, chats: () => Promise<number[]>) {
  let clock = T;
  const wakes: { chatId: number; answer: (following: boolean) => void; fail: () => void }[] = [];
  const alarms = new AlarmMultiplexer(storage);
  const watch = new ChatWatch({
    alarms,
    wake: (chatId) =>
      new Promise<boolean>((resolve, reject) => {
        wakes.push({ chatId, answer: resolve, fail: () => reject(new Error("chat unreachable")) });
      }),
    linkedChats: chats,
    waitUntil: () => undefined,
    now: () => clock,
    log: createLogger({}, () => undefined),
  });
  const at = (now: number) => {
    clock = now;
  };
  return { alarms, watch, wakes, at };
}

/** Waits (turn by turn of the event loop) until the watch has done what the test expects. */
async function until(condition: () => boolean): Promise<void> {
  for (let turn = 0; turn < 100 && !condition(); turn++) await new Promise((resolve) => setTimeout(resolve, 0));
  expect(condition()).toBe(true);
}

const host = () => env.TELEGRAM.getByName(`watch-${crypto.randomUUID()}`);

async function clear(storage: DurableObjectStorage): Promise<void> {
  for (const [key] of [...storage.kv.list({ prefix: "alarm:" })]) storage.kv.delete(key);
  await storage.deleteAlarm();
}

describe("ChatWatch", () => {
  it("follows the owner's chats from a Telegram message and wakes each once per burst of events", async () => {
    await runInDurableObject(host(), async (_o, state) => {
      const h = harness(state.storage, async () => [11, 12]);
      h.watch.after(fromWeb());
      h.watch.after(delta());
      expect(h.wakes).toHaveLength(0);
      h.watch.after(fromTelegram());
      await until(() => h.wakes.length === 2);
      expect(h.watch.followed.sort()).toEqual([11, 12]);
      expect(h.wakes.map((w) => w.chatId)).toEqual([11, 12]);
      expect(h.alarms.bookedAt(`${CHAT_BOOKING_PREFIX}11`)).toBe(T + FOLLOW_CHECK_MS);
      // Three events while both wakes are out: one more wake each once they are answered, not three.
      for (let i = 0; i < 3; i++) h.watch.after(delta());
      expect(h.wakes).toHaveLength(2);
      h.wakes[0]?.answer(true);
      h.wakes[1]?.answer(false);
      await until(() => h.wakes.length === 4);
      // Chat 12 had news since its wake, so it is asked again before it is let go.
      expect(h.wakes.map((w) => w.chatId)).toEqual([11, 12, 11, 12]);
      h.wakes[2]?.answer(true);
      h.wakes[3]?.answer(false);
      await until(() => h.watch.followed.length === 1);
      expect(h.watch.followed).toEqual([11]);
      expect(h.alarms.bookedAt(`${CHAT_BOOKING_PREFIX}12`)).toBeNull();
      h.watch.after(delta());
      expect(h.wakes.map((w) => w.chatId)).toEqual([11, 12, 11, 12, 11]);
      h.wakes[4]?.answer(false);
      await until(() => h.watch.followed.length === 0);
      expect(h.alarms.bookings().size).toBe(0);
      await clear(state.storage);
    });
  });

  it("retries a failed wake on its booking and is rebuilt from the bookings after eviction", async () => {
    const stub = host();
    await runInDurableObject(stub, async (_o, state) => {
      const h = harness(state.storage, async () => [21]);
      h.watch.after(fromTelegram());
      await until(() => h.wakes.length === 1);
      h.wakes[0]?.fail();
      await until(() => h.alarms.bookedAt(`${CHAT_BOOKING_PREFIX}21`) === T + WAKE_RETRY_MS);
    });
    await evictDurableObject(stub);
    await runInDurableObject(stub, async (_o, state) => {
      const h = harness(state.storage, async () => []);
      expect(h.watch.followed).toEqual([21]);
      // The pending retry stays a retry; its alarm wakes the chat.
      expect(h.alarms.bookedAt(`${CHAT_BOOKING_PREFIX}21`)).toBe(T + WAKE_RETRY_MS);
      h.at(T + WAKE_RETRY_MS);
      const ran = h.alarms.run(T + WAKE_RETRY_MS);
      expect(h.wakes.map((w) => w.chatId)).toEqual([21]);
      h.wakes[0]?.answer(true);
      await ran;
      await until(() => h.alarms.bookedAt(`${CHAT_BOOKING_PREFIX}21`) === T + WAKE_RETRY_MS + FOLLOW_CHECK_MS);
      await clear(state.storage);
    });
  });

  it("retries finding the owner's chats when the bot index cannot be reached", async () => {
    await runInDurableObject(host(), async (_o, state) => {
      let reachable = false;
      const h = harness(state.storage, async () => {
        if (!reachable) throw new Error("index unreachable");
        return [31];
      });
      h.watch.after(fromTelegram());
      await until(() => h.alarms.bookedAt(LINKS_BOOKING) === T + WAKE_RETRY_MS);
      reachable = true;
      h.at(T + WAKE_RETRY_MS);
      await h.alarms.run(T + WAKE_RETRY_MS);
      expect(h.watch.followed).toEqual([31]);
      expect(h.wakes.map((w) => w.chatId)).toEqual([31]);
      h.wakes[0]?.answer(false);
      await until(() => h.alarms.bookings().size === 0);
      await clear(state.storage);
    });
  });
});
