// The alarm multiplexer inside workerd: persistent named bookings, the earliest arms the one alarm, due handlers run.

import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ALARM_RETRY_MS, AlarmMultiplexer } from "../../../objects/shared/alarms";

/** Far ahead, so the object's real alarm never fires during a test: `run(now)` is called with a chosen time. */
const T = Date.now() + 24 * 3600_000;

const host = () => env.SESSION.getByName(`alarms-${crypto.randomUUID()}`);

describe("alarm multiplexer", () => {
  it("arms the object's alarm at the earliest booking, follows cancels, and clears it when nothing is booked", async () => {
    await runInDurableObject(host(), async (_o, state) => {
      const alarms = new AlarmMultiplexer(state.storage);
      alarms.book("a", T + 100);
      alarms.book("b", T + 50);
      expect(await state.storage.getAlarm()).toBe(T + 50);
      alarms.bookEarliest("a", T + 200);
      expect(alarms.bookedAt("a")).toBe(T + 100);
      alarms.bookEarliest("a", T + 10);
      expect(await state.storage.getAlarm()).toBe(T + 10);
      alarms.book("a", T + 300);
      expect(await state.storage.getAlarm()).toBe(T + 50);
      alarms.cancel("b");
      expect(await state.storage.getAlarm()).toBe(T + 300);
      alarms.cancel("a");
      expect(await state.storage.getAlarm()).toBeNull();
      expect(alarms.bookings().size).toBe(0);
    });
  });

  it("keeps its bookings and the armed alarm across eviction", async () => {
    const stub = host();
    await runInDurableObject(stub, (_o, state) => {
      const alarms = new AlarmMultiplexer(state.storage);
      alarms.book("push-retry", T + 5_000);
      alarms.book("tasks", T + 1_000);
    });
    await evictDurableObject(stub);
    await runInDurableObject(stub, async (_o, state) => {
      const alarms = new AlarmMultiplexer(state.storage);
      expect(Object.fromEntries(alarms.bookings())).toEqual({ "push-retry": T + 5_000, tasks: T + 1_000 });
      expect(await state.storage.getAlarm()).toBe(T + 1_000);
      state.storage.kv.delete("alarm:tasks");
      state.storage.kv.delete("alarm:push-retry");
      await state.storage.deleteAlarm();
    });
  });

  it("runs only due handlers, earliest first; a handler may book itself again; the rest stays armed", async () => {
    await runInDurableObject(host(), async (_o, state) => {
      const ran: string[] = [];
      const alarms = new AlarmMultiplexer(state.storage);
      alarms
        .handle("late", () => void ran.push("late"))
        .handle("first", () => void ran.push("first"))
        .handle("second", () => {
          ran.push("second");
          alarms.book("second", T + 500);
        })
        .handle("later", () => void ran.push("later"));
      alarms.book("later", T + 1_000);
      alarms.book("second", T + 20);
      alarms.book("first", T + 10);
      alarms.book("late", T + 30);
      await alarms.run(T + 30);
      expect(ran).toEqual(["first", "second", "late"]);
      expect(Object.fromEntries(alarms.bookings())).toEqual({ second: T + 500, later: T + 1_000 });
      expect(await state.storage.getAlarm()).toBe(T + 500);
      await alarms.run(T + 30);
      expect(ran).toHaveLength(3);
      alarms.cancel("second");
      alarms.cancel("later");
    });
  });

  it("books a failed handler again after the retry delay, still runs the others, and drops unknown names", async () => {
    const warnings: string[] = [];
    await runInDurableObject(host(), async (_o, state) => {
      const alarms = new AlarmMultiplexer(state.storage, (msg, detail) => warnings.push(`${msg} ${detail.alarm}`));
      let attempts = 0;
      alarms
        .handle("flaky", () => {
          attempts++;
          if (attempts === 1) throw new Error("outbound failed");
        })
        .handle("steady", () => {});
      alarms.book("flaky", T);
      alarms.book("steady", T + 1);
      alarms.book("retired", T + 2);
      const before = Date.now();
      await alarms.run(T + 2);
      const retry = alarms.bookedAt("flaky");
      expect(retry).toBeGreaterThanOrEqual(before + ALARM_RETRY_MS);
      expect(alarms.bookedAt("steady")).toBeNull();
      expect(alarms.bookedAt("retired")).toBeNull();
      expect(warnings).toEqual(["alarm handler failed flaky", "alarm without a handler dropped retired"]);
      // The retry runs the same handler again (handlers are idempotent), and then the booking is gone.
      await alarms.run(retry ?? 0);
      expect(attempts).toBe(2);
      expect(alarms.bookings().size).toBe(0);
      expect(await state.storage.getAlarm()).toBeNull();
    });
  });

  it("refuses a second handler for one name", async () => {
    await runInDurableObject(host(), (_o, state) => {
      const alarms = new AlarmMultiplexer(state.storage).handle("x", () => {});
      expect(() => alarms.handle("x", () => {})).toThrow("already has a handler");
    });
  });
});
