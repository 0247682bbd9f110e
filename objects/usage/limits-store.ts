// A scope's budget limits: the configured defaults (per user or global), or an admin's override for a user.

import { eq } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import type { MeteringConfig } from "../../config/metering";
import type { RateLimits } from "./budget";
import { budgetOverrides } from "./schema";
import type { BudgetLimits } from "./types";

export class LimitsStore {
  readonly #db: DrizzleSqliteDODatabase;
  readonly #metering: MeteringConfig;
  readonly #global: boolean;
  /** The override row as last read or written (undefined: not read yet); only `override` writes it. */
  #override: typeof budgetOverrides.$inferSelect | null | undefined;

  /** `global`: the scope over everyone (configured limits only, no rate limits). */
  constructor(db: DrizzleSqliteDODatabase, metering: MeteringConfig, global: boolean) {
    this.#db = db;
    this.#metering = metering;
    this.#global = global;
  }

  budget(): { limits: BudgetLimits; overridden: boolean } {
    const m = this.#metering;
    if (this.#global)
      return { limits: { dailyMicros: m.globalDailyMicros, monthlyMicros: m.globalMonthlyMicros }, overridden: false };
    // `=== undefined`, not `??=`: no override (null) is a read result to keep too, not a reason to read again.
    if (this.#override === undefined)
      this.#override = this.#db.select().from(budgetOverrides).where(eq(budgetOverrides.id, 1)).get() ?? null;
    const override = this.#override;
    if (override)
      return { limits: { dailyMicros: override.dailyMicros, monthlyMicros: override.monthlyMicros }, overridden: true };
    return { limits: { dailyMicros: m.userDailyMicros, monthlyMicros: m.userMonthlyMicros }, overridden: false };
  }

  rates(): RateLimits {
    return this.#global
      ? { requestsPerMinute: Number.MAX_SAFE_INTEGER, tokensPerMinute: Number.MAX_SAFE_INTEGER }
      : { requestsPerMinute: this.#metering.requestsPerMinute, tokensPerMinute: this.#metering.tokensPerMinute };
  }

  /** The daily limit of one model for a user; none over everyone. */
  modelDaily(model: string): number | undefined {
    return this.#global ? undefined : this.#metering.modelDailyMicros.get(model);
  }

  /** An admin's override of this user's limits. */
  override(limits: BudgetLimits, by: string): void {
    const row = {
      id: 1,
      dailyMicros: limits.dailyMicros,
      monthlyMicros: limits.monthlyMicros,
      updatedAt: Date.now(),
      updatedBy: by,
    };
    this.#override = undefined;
    this.#db.insert(budgetOverrides).values(row).onConflictDoUpdate({ target: budgetOverrides.id, set: row }).run();
  }
}
