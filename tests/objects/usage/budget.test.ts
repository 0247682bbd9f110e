// Admission in a usage object: budgets with reservations, resets at the period boundary, rate limits.

import { env, runInDurableObject } from "cloudflare:test";
import { drizzle } from "drizzle-orm/durable-sqlite";
import { describe, expect, it } from "vitest";
import { ACTIVE_TURN_TTL_MS, admit, beginTurn, endTurn, RESERVATION_TTL_MS } from "../../../objects/usage/budget";
import { activeTurns, reservations } from "../../../objects/usage/schema";
import { record } from "../../helpers/ledger";

const unlimited = { requestsPerMinute: 1000, tokensPerMinute: 10_000_000 };

describe("budget admission", () => {
  it("reserves worst cases so concurrent calls cannot overshoot, and settles to the actual cost", async () => {
    const stub = env.USAGE.getByName(`user:budget-${crypto.randomUUID()}@example.com`);
    await stub.setBudget({ dailyMicros: 10_000, monthlyMicros: null }, "admin@example.com");
    const first = await stub.admit({ model: "m", worstMicros: 6_000, tokens: 100 });
    const second = await stub.admit({ model: "m", worstMicros: 6_000, tokens: 100 });
    expect(first.ok).toBe(true);
    expect(second).toMatchObject({ ok: false, code: "budget_exceeded" });
    if (!first.ok) throw new Error("unreachable");
    await stub.settle(first.reservationId, record({ costMicros: 1_500 }));
    const third = await stub.admit({ model: "m", worstMicros: 6_000, tokens: 100 });
    expect(third.ok).toBe(true);
    const status = await stub.budget();
    expect(status.spentTodayMicros).toBe(1_500);
    expect(status.reservedMicros).toBe(6_000);
    expect(status.overridden).toBe(true);
  });

  it("warns at 50, 80 and 100 % once each", async () => {
    const stub = env.USAGE.getByName(`user:warn-${crypto.randomUUID()}@example.com`);
    await stub.setBudget({ dailyMicros: 1_000, monthlyMicros: null }, "admin@example.com");
    const crossed: number[] = [];
    for (const cost of [400, 200, 250, 200, 100]) {
      for (const w of await stub.settle(null, record({ costMicros: cost })))
        if (w.period.startsWith("day")) crossed.push(w.percent);
    }
    expect(crossed).toEqual([50, 80, 100]);
    expect((await stub.budget()).alerts.map((a) => a.percent).sort()).toEqual([100, 50, 80]);
  });

  it("counts only the current day and month: spending resets at the boundary", async () => {
    await runInDurableObject(env.USAGE.getByName(`user:reset-${crypto.randomUUID()}`), async (object, state) => {
      const db = drizzle(state.storage);
      const lateYesterday = Date.UTC(2026, 10, 23, 23, 59, 0);
      const earlyToday = Date.UTC(2026, 10, 24, 0, 1, 0);
      await object.settle(null, record({ at: lateYesterday, costMicros: 900 }));
      const limits = { dailyMicros: 1_000, monthlyMicros: 5_000 };
      const yesterday = admit(db, limits, unlimited, {
        model: "m",
        worstMicros: 200,
        tokens: 1,
        now: lateYesterday + 1000,
      });
      expect(yesterday).toMatchObject({ ok: false, code: "budget_exceeded", resetsAt: Date.UTC(2026, 10, 24) });
      const today = admit(db, limits, unlimited, { model: "m", worstMicros: 200, tokens: 1, now: earlyToday });
      expect(today.ok).toBe(true);
      // The month still counts yesterday: 900 + 200 reserved + 4000 > 5000.
      const big = admit(db, { dailyMicros: null, monthlyMicros: 5_000 }, unlimited, {
        model: "m",
        worstMicros: 4_000,
        tokens: 1,
        now: earlyToday,
      });
      expect(big).toMatchObject({ ok: false, code: "budget_exceeded", resetsAt: Date.UTC(2026, 11, 1) });
    });
  });

  it("holds a per-model daily limit apart from other models", async () => {
    await runInDurableObject(env.USAGE.getByName(`user:model-${crypto.randomUUID()}`), async (object, state) => {
      const db = drizzle(state.storage);
      await object.settle(null, record({ model: "gpt-4o", costMicros: 900 }));
      const limits = { dailyMicros: null, monthlyMicros: null };
      expect(admit(db, limits, unlimited, { model: "gpt-4o", worstMicros: 200, tokens: 1 }, 1_000)).toMatchObject({
        ok: false,
        code: "budget_exceeded",
      });
      expect(admit(db, limits, unlimited, { model: "gpt-4o-mini", worstMicros: 200, tokens: 1 }, undefined).ok).toBe(
        true,
      );
      expect(admit(db, limits, unlimited, { model: "gpt-4o", worstMicros: 50, tokens: 1 }, 1_000).ok).toBe(true);
    });
  });

  it("limits requests and tokens per minute with a retry-after, and concurrent turns", async () => {
    await runInDurableObject(env.USAGE.getByName(`user:rate-${crypto.randomUUID()}`), async (object, state) => {
      const db = drizzle(state.storage);
      const now = Date.now();
      const limits = { dailyMicros: null, monthlyMicros: null };
      const rates = { requestsPerMinute: 2, tokensPerMinute: 1_000 };
      const a = admit(db, limits, rates, { model: "m", worstMicros: 0, tokens: 10, now });
      const b = admit(db, limits, rates, { model: "m", worstMicros: 0, tokens: 10, now });
      const c = admit(db, limits, rates, { model: "m", worstMicros: 0, tokens: 10, now });
      expect([a.ok, b.ok]).toEqual([true, true]);
      expect(c).toMatchObject({ ok: false, code: "rate_limited" });
      if (c.ok) throw new Error("unreachable");
      expect(c.retryAfterSeconds).toBeGreaterThan(0);
      expect(c.retryAfterSeconds).toBeLessThanOrEqual(60);
      const heavy = admit(
        db,
        limits,
        { requestsPerMinute: 100, tokensPerMinute: 1_000 },
        { model: "m", worstMicros: 0, tokens: 5_000, now },
      );
      expect(heavy).toMatchObject({ ok: false, code: "rate_limited" });
      expect(beginTurn(db, "t1", 2, now)).toBe(true);
      expect(beginTurn(db, "t2", 2, now)).toBe(true);
      expect(beginTurn(db, "t3", 2, now)).toBe(false);
      endTurn(db, "t1");
      expect(beginTurn(db, "t3", 2, now)).toBe(true);
      // A turn already running stays admitted at the limit (its later calls ask again).
      expect(beginTurn(db, "t2", 2, now)).toBe(true);
      void object;
    });
  });

  it("marks a turn running with its first admission and refuses a turn past the concurrent limit", async () => {
    const stub = env.USAGE.getByName(`user:turns-${crypto.randomUUID()}@example.com`);
    const call = (turnId: string) => stub.admit({ model: "m", worstMicros: 0, tokens: 1, turnId });
    // The test configuration allows 20 turns at once.
    for (let i = 0; i < 20; i++) expect((await call(`t${i}`)).ok).toBe(true);
    expect(await call("t20")).toMatchObject({ ok: false, code: "rate_limited" });
    expect((await call("t0")).ok).toBe(true);
    await stub.endTurn("t0");
    expect((await call("t20")).ok).toBe(true);
    // A turn's last settlement can end it too.
    expect(await call("t21")).toMatchObject({ ok: false, code: "rate_limited" });
    await stub.settle(null, record({ turn: "t1" }), true);
    expect((await call("t21")).ok).toBe(true);
  });

  it("counts no expired reservation and no stale running-turn mark, and removes them", async () => {
    await runInDurableObject(env.USAGE.getByName(`user:stale-${crypto.randomUUID()}`), async (_object, state) => {
      const db = drizzle(state.storage);
      const limits = { dailyMicros: 1_000, monthlyMicros: null };
      const call = (now: number) => admit(db, limits, unlimited, { model: "m", worstMicros: 900, tokens: 1, now });
      const now = Date.now();
      const then = now - RESERVATION_TTL_MS - 1_000;
      expect(call(then).ok).toBe(true);
      // Held: a second worst case does not fit beside it.
      expect(call(then + 1).ok).toBe(false);
      // Expired: it no longer counts, and it is gone.
      expect(call(now).ok).toBe(true);
      expect(db.select().from(reservations).all()).toHaveLength(1);
      const old = now - ACTIVE_TURN_TTL_MS - 1_000;
      expect(beginTurn(db, "old-1", 2, old)).toBe(true);
      expect(beginTurn(db, "old-2", 2, old)).toBe(true);
      expect(beginTurn(db, "new", 2, now)).toBe(true);
      expect(
        db
          .select()
          .from(activeTurns)
          .all()
          .map((row) => row.id),
      ).toEqual(["new"]);
    });
  });
});
