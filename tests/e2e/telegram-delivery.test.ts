// The outbox's failure bounds against the fake Bot API on loopback, with the clock in the test's hand: an
// answer Telegram keeps refusing is given up at six hours (and not one call later), one waiting for a turn
// that never ends is swept by its booking alone, and a chat that blocked the bot ends its answer at once.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createBotApi } from "../../channels/telegram/bot-api.ts";
import { newDelivery } from "../../channels/telegram/delivery.ts";
import { createLogger } from "../../log/logger.ts";
import type { DeliveryRow } from "../../objects/telegram/chat-store.ts";
import { MAX_BACKOFF_MS, MAX_DELIVERY_AGE_MS, type Outbox, pump } from "../../objects/telegram/pump.ts";
import type { SessionEvent } from "../../protocol/frames.ts";
import { FAKE_BOT_TOKEN, type FakeTelegram, startFakeTelegram } from "./helpers/fake-telegram.ts";

const T0 = Date.UTC(2026, 0, 1);

/** The outbox as rows in memory (the chat object keeps them in SQLite). */
function memoryOutbox(rows: DeliveryRow[]): Outbox & { rows: DeliveryRow[] } {
  return {
    rows,
    deliveries: () => [...rows],
    saveDelivery: (row) =>
      rows.splice(
        rows.findIndex((r) => r.id === row.id),
        1,
        row,
      ),
    removeDelivery: (id) =>
      void rows.splice(
        rows.findIndex((r) => r.id === id),
        1,
      ),
    addOffer: () => undefined,
  };
}

/** A turn of a session that has answered `text`, as its log holds it after the user message at seq 1. */
function answered(text: string): SessionEvent[] {
  const events = [
    { type: "turn_start", turnId: "t1", model: "m" },
    { type: "assistant_delta", turnId: "t1", text },
    { type: "assistant_message", turnId: "t1", text },
    { type: "turn_end", turnId: "t1", reason: "done" },
  ];
  return events.map((event, i) => ({ ...event, seq: i + 2, at: T0 }) as SessionEvent);
}

describe("Telegram delivery bounds, the clock advanced by the test", () => {
  let tg: FakeTelegram;
  beforeAll(async () => {
    tg = await startFakeTelegram();
  });
  beforeEach(() => {
    tg.fail("sendMessage", 502, 0);
  });
  afterAll(async () => {
    await tg?.close();
  });

  function harness(chatId: number, log: string[], events: SessionEvent[]) {
    let clock = T0;
    const outbox = memoryOutbox([
      { id: 1, state: newDelivery("s1", chatId, 1), notBefore: T0, failures: 0, createdAt: T0 },
    ]);
    const deps = {
      outbox,
      readEvents: async (_session: string, after: number) => events.filter((e) => e.seq > after),
      bot: createBotApi(tg.url, FAKE_BOT_TOKEN),
      now: () => clock,
      log: createLogger({}, (_level, line) => log.push(line)),
    };
    return {
      outbox,
      /** One alarm: the pump at the current time; returns when it wants the next one. */
      run: () => pump(deps),
      advanceTo: (at: number) => {
        clock = at;
      },
      now: () => clock,
    };
  }

  it("gives up an answer Telegram keeps failing at six hours, backing off meanwhile, then calls no more", async () => {
    const chatId = 7_100;
    const log: string[] = [];
    const h = harness(chatId, log, answered("Never delivered."));
    tg.fail("sendMessage", 502, 1_000_000);
    let alarms = 0;
    for (let next = await h.run(); next !== null; next = await h.run()) {
      expect(next).toBeGreaterThan(h.now());
      h.advanceTo(next);
      alarms++;
      expect(alarms).toBeLessThan(1_000);
    }
    expect(h.outbox.rows).toEqual([]);
    expect(h.now()).toBe(T0 + MAX_DELIVERY_AGE_MS);
    const attempts = tg.calls.filter((c) => c.params.chat_id === chatId);
    expect(attempts.every((c) => c.status === 502)).toBe(true);
    // Backing off up to a minute: about one try a minute over six hours, not one a second.
    expect(attempts.length).toBeGreaterThan(MAX_DELIVERY_AGE_MS / MAX_BACKOFF_MS - 10);
    expect(attempts.length).toBeLessThan(MAX_DELIVERY_AGE_MS / MAX_BACKOFF_MS + 10);
    expect(log.filter((line) => line.includes('"msg":"telegram delivery given up"'))).toHaveLength(1);
    // Later alarms find nothing to do and call nobody.
    h.advanceTo(T0 + 2 * MAX_DELIVERY_AGE_MS);
    expect(await h.run()).toBeNull();
    expect(tg.calls.filter((c) => c.params.chat_id === chatId)).toHaveLength(attempts.length);
  });

  it("sweeps an answer whose turn never ends at six hours, by its booking alone", async () => {
    const chatId = 7_200;
    const log: string[] = [];
    const h = harness(chatId, log, []);
    // Nothing to send: the only time it wants is the give-up.
    expect(await h.run()).toBe(T0 + MAX_DELIVERY_AGE_MS);
    h.advanceTo(T0 + MAX_DELIVERY_AGE_MS - 1);
    expect(await h.run()).toBe(T0 + MAX_DELIVERY_AGE_MS);
    expect(h.outbox.rows).toHaveLength(1);
    h.advanceTo(T0 + MAX_DELIVERY_AGE_MS);
    expect(await h.run()).toBeNull();
    expect(h.outbox.rows).toEqual([]);
    expect(log.some((line) => line.includes('"msg":"telegram delivery given up"'))).toBe(true);
    expect(tg.calls.some((c) => c.params.chat_id === chatId)).toBe(false);
  });

  it("ends an answer at the first 403 (the user blocked the bot), logged, with no retry", async () => {
    const chatId = 7_300;
    const log: string[] = [];
    const h = harness(chatId, log, answered("Blocked."));
    tg.block(chatId);
    expect(await h.run()).toBeNull();
    expect(h.outbox.rows).toEqual([]);
    expect(tg.calls.filter((c) => c.params.chat_id === chatId).map((c) => c.status)).toEqual([403]);
    const line = log.find((l) => l.includes("the chat refuses the bot"));
    expect(line && JSON.parse(line)).toMatchObject({
      level: "warn",
      chat: chatId,
      description: "Forbidden: bot was blocked by the user",
    });
    h.advanceTo(T0 + MAX_DELIVERY_AGE_MS);
    expect(await h.run()).toBeNull();
    expect(tg.calls.filter((c) => c.params.chat_id === chatId)).toHaveLength(1);
  });

  it("delivers through a 429 at retry_after, not a moment before", async () => {
    const chatId = 7_400;
    const h = harness(chatId, [], answered("After the wait."));
    tg.rateLimit("sendMessage", 7);
    expect(await h.run()).toBe(T0 + 7_000);
    h.advanceTo(T0 + 6_999);
    expect(await h.run()).toBe(T0 + 7_000);
    expect(tg.calls.filter((c) => c.params.chat_id === chatId)).toHaveLength(1);
    h.advanceTo(T0 + 7_000);
    expect(await h.run()).toBeNull();
    expect(tg.messages(chatId).map((m) => m.text)).toEqual(["After the wait."]);
  });
});
