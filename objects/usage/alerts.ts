// Budget alerts: the thresholds (50, 80, 100 %) a settled call crosses in its day and month, stored once each.

import { desc } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import { dayOf, monthOf, nextDay, nextMonth } from "./periods";
import { alerts } from "./schema";
import type { BudgetLimits, BudgetStatus, BudgetWarning } from "./types";

const THRESHOLDS = [50, 80, 100] as const;
/** Most alerts a budget status shows. */
const RECENT_ALERTS = 50;

/** What a call of `cost` at `at` crosses, given what was spent before it in its day and month. */
export function crossedThresholds(
  limits: BudgetLimits,
  before: { day: number; month: number },
  at: number,
  cost: number,
): BudgetWarning[] {
  const warnings: BudgetWarning[] = [];
  const periods = [
    { period: `day:${dayOf(at)}`, limit: limits.dailyMicros, spent: before.day, resetsAt: nextDay(at) },
    { period: `month:${monthOf(at)}`, limit: limits.monthlyMicros, spent: before.month, resetsAt: nextMonth(at) },
  ];
  for (const { period, limit, spent, resetsAt } of periods) {
    if (!limit || cost === 0) continue;
    for (const percent of THRESHOLDS) {
      const line = (limit * percent) / 100;
      if (spent < line && spent + cost >= line)
        warnings.push({ period, percent, spentMicros: spent + cost, limitMicros: limit, resetsAt });
    }
  }
  return warnings;
}

export class AlertStore {
  readonly #db: DrizzleSqliteDODatabase;

  constructor(db: DrizzleSqliteDODatabase) {
    this.#db = db;
  }

  /** Keeps a crossed threshold; the same period and percent is kept once. */
  record(warning: BudgetWarning, at: number): void {
    const { period, percent, spentMicros, limitMicros } = warning;
    this.#db
      .insert(alerts)
      .values({ id: `${period}:${percent}`, at, period, percent, spentMicros, limitMicros })
      .onConflictDoNothing()
      .run();
  }

  recent(): BudgetStatus["alerts"] {
    return this.#db.select().from(alerts).orderBy(desc(alerts.at)).limit(RECENT_ALERTS).all();
  }
}
