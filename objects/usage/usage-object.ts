// The usage Durable Object: one per user ("user:<user>") and one "global"; the strongly consistent home of
// that scope's ledger copy, budget reservations, rate limits and alerts.

import { DurableObject } from "cloudflare:workers";
import { and, desc, eq, gte, lte } from "drizzle-orm";
import { drizzle } from "drizzle-orm/durable-sqlite";
import migrations from "../../migrations/usage/migrations.js";
import { getConfig } from "../../worker/config";
import { migrate } from "../shared/migrate";
import { admit, beginTurn, endTurn, release, spentSince } from "./budget";
import { type HeavyRoute, HeavyRouteLimiter } from "./http-limits";
import { dayOf, monthOf, nextDay, nextMonth, startOfDay, startOfMonth } from "./periods";
import type { ReportCall, ReportFeedback } from "./report";
import { alerts, budgetOverrides, calls, feedback, reservations } from "./schema";
import type { Admission, AdmitRequest, BudgetLimits, BudgetStatus, BudgetWarning, CallRecord } from "./types";

/** The scope name of the object that holds limits over everyone. */
export const GLOBAL_USAGE = "global";
/** Most calls one report reads from one object. */
const MAX_REPORT_CALLS = 50_000;
const THRESHOLDS = [50, 80, 100] as const;

export interface UsageRpc {
  admit(request: AdmitRequest): Promise<Admission>;
  settle(reservationId: string | null, record: CallRecord): Promise<BudgetWarning[]>;
  /** Drops a reservation whose call was never made. */
  release(reservationId: string): Promise<void>;
  beginTurn(turnId: string): Promise<boolean>;
  endTurn(turnId: string): Promise<void>;
  calls(from: number, to: number): Promise<{ calls: ReportCall[]; feedback: ReportFeedback[]; truncated: boolean }>;
  recordFeedback(turn: string, session: string, variant: string | null, rating: "up" | "down"): Promise<void>;
  budget(): Promise<BudgetStatus>;
  setBudget(limits: BudgetLimits, by: string): Promise<BudgetStatus>;
  /** Takes one request of a costly HTTP route from the user's budget; seconds to wait, or 0. */
  takeHeavyRoute(route: HeavyRoute): Promise<number>;
}

export class UsageObject extends DurableObject<Env> implements UsageRpc {
  readonly #db = drizzle(this.ctx.storage);
  readonly #heavy = new HeavyRouteLimiter();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => {
      migrate(ctx.storage, migrations);
    });
  }

  /** Read once: every admission and settlement asks. */
  readonly #isGlobal = this.ctx.id.name === GLOBAL_USAGE;
  /** The budget override row as last read or written (undefined: not read yet); only setBudget writes it. */
  #override: typeof budgetOverrides.$inferSelect | null | undefined;

  #limits(): { limits: BudgetLimits; overridden: boolean } {
    const metering = getConfig(this.env).metering;
    if (this.#isGlobal) {
      return {
        limits: { dailyMicros: metering.globalDailyMicros, monthlyMicros: metering.globalMonthlyMicros },
        overridden: false,
      };
    }
    this.#override ??= this.#db.select().from(budgetOverrides).where(eq(budgetOverrides.id, 1)).get() ?? null;
    const override = this.#override;
    if (override)
      return { limits: { dailyMicros: override.dailyMicros, monthlyMicros: override.monthlyMicros }, overridden: true };
    return {
      limits: { dailyMicros: metering.userDailyMicros, monthlyMicros: metering.userMonthlyMicros },
      overridden: false,
    };
  }

  async admit(request: AdmitRequest): Promise<Admission> {
    const metering = getConfig(this.env).metering;
    const rates = this.#isGlobal
      ? { requestsPerMinute: Number.MAX_SAFE_INTEGER, tokensPerMinute: Number.MAX_SAFE_INTEGER }
      : { requestsPerMinute: metering.requestsPerMinute, tokensPerMinute: metering.tokensPerMinute };
    const modelLimit = this.#isGlobal ? undefined : metering.modelDailyMicros.get(request.model);
    if (request.turnId !== undefined && !beginTurn(this.#db, request.turnId, metering.concurrentTurns)) {
      return {
        ok: false,
        code: "rate_limited",
        message: `more than ${metering.concurrentTurns} turns are running for you; the limit resets as one of them ends`,
        retryAfterSeconds: 1,
        resetsAt: Date.now() + 1000,
      };
    }
    return admit(this.#db, this.#limits().limits, rates, request, modelLimit);
  }

  /** Records the call, releases its reservation, and returns the budget thresholds it crossed. */
  async settle(reservationId: string | null, record: CallRecord): Promise<BudgetWarning[]> {
    const { limits } = this.#limits();
    // The spend before this call only matters for the warnings of a limited budget.
    const before = {
      day: limits.dailyMicros ? spentSince(this.#db, startOfDay(record.at)) : 0,
      month: limits.monthlyMicros ? spentSince(this.#db, startOfMonth(record.at)) : 0,
    };
    this.ctx.storage.transactionSync(() => {
      if (reservationId) release(this.#db, reservationId);
      this.#db
        .insert(calls)
        .values({ ...record, day: dayOf(record.at) })
        .onConflictDoNothing()
        .run();
    });
    const cost = record.costMicros ?? 0;
    const warnings: BudgetWarning[] = [];
    const periods = [
      { period: `day:${dayOf(record.at)}`, limit: limits.dailyMicros, spent: before.day, resetsAt: nextDay(record.at) },
      {
        period: `month:${monthOf(record.at)}`,
        limit: limits.monthlyMicros,
        spent: before.month,
        resetsAt: nextMonth(record.at),
      },
    ];
    for (const { period, limit, spent, resetsAt } of periods) {
      if (!limit || cost === 0) continue;
      for (const percent of THRESHOLDS) {
        const line = (limit * percent) / 100;
        if (spent < line && spent + cost >= line) {
          warnings.push({ period, percent, spentMicros: spent + cost, limitMicros: limit, resetsAt });
          this.#db
            .insert(alerts)
            .values({
              id: `${period}:${percent}`,
              at: record.at,
              period,
              percent,
              spentMicros: spent + cost,
              limitMicros: limit,
            })
            .onConflictDoNothing()
            .run();
        }
      }
    }
    return warnings;
  }

  async release(reservationId: string): Promise<void> {
    release(this.#db, reservationId);
  }

  async beginTurn(turnId: string): Promise<boolean> {
    return beginTurn(this.#db, turnId, getConfig(this.env).metering.concurrentTurns);
  }

  async endTurn(turnId: string): Promise<void> {
    endTurn(this.#db, turnId);
  }

  async calls(
    from: number,
    to: number,
  ): Promise<{ calls: ReportCall[]; feedback: ReportFeedback[]; truncated: boolean }> {
    const rows = this.#db
      .select()
      .from(calls)
      .where(and(gte(calls.at, from), lte(calls.at, to)))
      .orderBy(desc(calls.at))
      .limit(MAX_REPORT_CALLS + 1)
      .all();
    const ratings = this.#db.select({ turn: feedback.turn, rating: feedback.rating }).from(feedback).all();
    return { calls: rows.slice(0, MAX_REPORT_CALLS), feedback: ratings, truncated: rows.length > MAX_REPORT_CALLS };
  }

  async recordFeedback(turn: string, session: string, variant: string | null, rating: "up" | "down"): Promise<void> {
    this.#db
      .insert(feedback)
      .values({ turn, session, variant, rating, at: Date.now() })
      .onConflictDoUpdate({ target: feedback.turn, set: { rating, at: Date.now() } })
      .run();
  }

  async budget(): Promise<BudgetStatus> {
    const now = Date.now();
    const { limits, overridden } = this.#limits();
    const held = this.#db
      .select({ micros: reservations.micros })
      .from(reservations)
      .where(gte(reservations.expiresAt, now))
      .all();
    return {
      limits,
      overridden,
      spentTodayMicros: spentSince(this.#db, startOfDay(now)),
      spentThisMonthMicros: spentSince(this.#db, startOfMonth(now)),
      reservedMicros: held.reduce((sum, r) => sum + r.micros, 0),
      alerts: this.#db.select().from(alerts).orderBy(desc(alerts.at)).limit(50).all(),
    };
  }

  async takeHeavyRoute(route: HeavyRoute): Promise<number> {
    return this.#heavy.take(route);
  }

  async setBudget(limits: BudgetLimits, by: string): Promise<BudgetStatus> {
    const row = {
      id: 1,
      dailyMicros: limits.dailyMicros,
      monthlyMicros: limits.monthlyMicros,
      updatedAt: Date.now(),
      updatedBy: by,
    };
    this.#override = undefined;
    this.#db.insert(budgetOverrides).values(row).onConflictDoUpdate({ target: budgetOverrides.id, set: row }).run();
    return this.budget();
  }
}
