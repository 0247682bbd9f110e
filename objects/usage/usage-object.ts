// The usage Durable Object: one per user ("user:<user>") and one "global"; the strongly consistent home of
// that scope's ledger, budget reservations, rate limits and alerts. A thin shell over its stores.

import { DurableObject } from "cloudflare:workers";
import { gte } from "drizzle-orm";
import { drizzle } from "drizzle-orm/durable-sqlite";
import type { MeteringSlice } from "../../config/metering";
import migrations from "../../migrations/usage/migrations.js";
import { GLOBAL_USAGE } from "../names";
import { migrate } from "../shared/migrate";
import { AlertStore, crossedThresholds } from "./alerts";
import { admit, beginTurn, endTurn, release, spentSince } from "./budget";
import { type HeavyRoute, HeavyRouteLimiter } from "./http-limits";
import { type LedgerPage, LedgerStore } from "./ledger-store";
import { LimitsStore } from "./limits-store";
import { startOfDay, startOfMonth } from "./periods";
import type { UsageRpc } from "./rpc";
import { reservations } from "./schema";
import type { Admission, AdmitRequest, BudgetLimits, BudgetStatus, BudgetWarning, CallRecord } from "./types";

export type { UsageRpc };

export class UsageObject extends DurableObject<Env> implements UsageRpc {
  readonly #db = drizzle(this.ctx.storage);
  readonly #heavy = new HeavyRouteLimiter();
  readonly #ledger = new LedgerStore(this.#db);
  readonly #alerts = new AlertStore(this.#db);
  readonly #limits: LimitsStore;
  readonly #concurrentTurns: number;

  /** `config` is the worker's metering slice, handed in by the class wrangler binds (worker/objects.ts). */
  constructor(ctx: DurableObjectState, env: Env, config: MeteringSlice) {
    super(ctx, env);
    this.#limits = new LimitsStore(this.#db, config.metering, ctx.id.name === GLOBAL_USAGE);
    this.#concurrentTurns = config.metering.concurrentTurns;
    void ctx.blockConcurrencyWhile(async () => {
      migrate(ctx.storage, migrations);
    });
  }

  async admit(request: AdmitRequest): Promise<Admission> {
    const limits = this.#limits;
    const concurrent = this.#concurrentTurns;
    if (request.turnId !== undefined && !beginTurn(this.#db, request.turnId, concurrent)) {
      return {
        ok: false,
        code: "rate_limited",
        message: `more than ${concurrent} turns are running for you; the limit resets as one of them ends`,
        retryAfterSeconds: 1,
        resetsAt: Date.now() + 1000,
      };
    }
    return admit(this.#db, limits.budget().limits, limits.rates(), request, limits.modelDaily(request.model));
  }

  async settle(reservationId: string | null, record: CallRecord, endsTurn = false): Promise<BudgetWarning[]> {
    const { limits } = this.#limits.budget();
    // The spend before this call only matters for the warnings of a limited budget.
    const before = {
      day: limits.dailyMicros ? spentSince(this.#db, startOfDay(record.at)) : 0,
      month: limits.monthlyMicros ? spentSince(this.#db, startOfMonth(record.at)) : 0,
    };
    this.ctx.storage.transactionSync(() => {
      if (reservationId) release(this.#db, reservationId);
      this.#ledger.insert(record);
      if (endsTurn) endTurn(this.#db, record.turn);
    });
    const warnings = crossedThresholds(limits, before, record.at, record.costMicros ?? 0);
    for (const warning of warnings) this.#alerts.record(warning, record.at);
    return warnings;
  }

  async release(reservationId: string): Promise<void> {
    release(this.#db, reservationId);
  }

  async beginTurn(turnId: string): Promise<boolean> {
    return beginTurn(this.#db, turnId, this.#concurrentTurns);
  }

  async endTurn(turnId: string): Promise<void> {
    endTurn(this.#db, turnId);
  }

  async calls(from: number, to: number): Promise<LedgerPage> {
    return this.#ledger.between(from, to);
  }

  async recordFeedback(turn: string, session: string, variant: string | null, rating: "up" | "down"): Promise<void> {
    this.#ledger.rate(turn, session, variant, rating);
  }

  async budget(): Promise<BudgetStatus> {
    const now = Date.now();
    const { limits, overridden } = this.#limits.budget();
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
      alerts: this.#alerts.recent(),
    };
  }

  async takeHeavyRoute(route: HeavyRoute): Promise<number> {
    return this.#heavy.take(route);
  }

  async setBudget(limits: BudgetLimits, by: string): Promise<BudgetStatus> {
    this.#limits.override(limits, by);
    return this.budget();
  }
}
