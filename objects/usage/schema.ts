// Drizzle schema of a usage object (one per user, plus "global"): calls, reservations, running turns, budgets, alerts.

import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { ledgerColumns } from "../shared/ledger-columns";

/** One row per provider attempt (retries are rows too): the ledger as budgets and dashboards read it. */
export const calls = sqliteTable(
  "calls",
  {
    ...ledgerColumns(),
    /** UTC day, YYYY-MM-DD. */
    day: text("day").notNull(),
  },
  (t) => [index("calls_day").on(t.day), index("calls_at").on(t.at), index("calls_turn").on(t.turn)],
);

/** Money and tokens held for calls in flight; released when they settle, or when they expire. */
export const reservations = sqliteTable("reservations", {
  id: text("id").primaryKey(),
  model: text("model").notNull(),
  micros: integer("micros").notNull(),
  tokens: integer("tokens").notNull(),
  createdAt: integer("created_at").notNull(),
  expiresAt: integer("expires_at").notNull(),
});

/** Turns running now, for the concurrent-turn limit. */
export const activeTurns = sqliteTable("active_turns", {
  id: text("id").primaryKey(),
  startedAt: integer("started_at").notNull(),
});

/** An admin's override of this user's budget (one row, id = 1); null fields use the configured default. */
export const budgetOverrides = sqliteTable("budget_overrides", {
  id: integer("id").primaryKey(),
  dailyMicros: integer("daily_micros"),
  monthlyMicros: integer("monthly_micros"),
  updatedAt: integer("updated_at").notNull(),
  updatedBy: text("updated_by").notNull(),
});

/** Budget warnings at 50, 80 and 100 %, once per period. */
export const alerts = sqliteTable("alerts", {
  id: text("id").primaryKey(),
  at: integer("at").notNull(),
  /** "day:2026-11-24" or "month:2026-11". */
  period: text("period").notNull(),
  percent: integer("percent").notNull(),
  spentMicros: integer("spent_micros").notNull(),
  limitMicros: integer("limit_micros").notNull(),
});

/** Thumbs up or down on a turn, joined to the ledger by turn. */
export const feedback = sqliteTable("feedback", {
  turn: text("turn").primaryKey(),
  session: text("session").notNull(),
  variant: text("variant"),
  rating: text("rating", { enum: ["up", "down"] }).notNull(),
  at: integer("at").notNull(),
});
