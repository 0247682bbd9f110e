// Admission for one user's (or everyone's) calls: budget with reservations, requests/tokens per minute, concurrency.

import { and, eq, gte, lt, sql } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import { preparedOnce, preparedPerDb } from "../shared/prepared";
import { nextDay, nextMonth, startOfDay, startOfMonth } from "./periods";
import { activeTurns, calls, reservations } from "./schema";
import type { Admission, AdmitRequest, BudgetLimits } from "./types";

/** A reservation left by a call that never settled (its object was reset) stops counting after this. */
export const RESERVATION_TTL_MS = 10 * 60 * 1000;
/** A running-turn mark left by a reset stops counting after this. */
export const ACTIVE_TURN_TTL_MS = 30 * 60 * 1000;
const MINUTE_MS = 60_000;

export interface RateLimits {
  requestsPerMinute: number;
  tokensPerMinute: number;
}

/**
 * The statements admission, settlement and the running-turn marks run on every call, prepared once per
 * database handle (the object keeps one): building a Drizzle query costs more than running it.
 */
const statementsOf = preparedPerDb((db: DrizzleSqliteDODatabase) =>
  preparedOnce({
    spentSince: () =>
      db
        .select({ micros: sql<number>`coalesce(sum(${calls.costMicros}), 0)` })
        .from(calls)
        .where(gte(calls.at, sql.placeholder("since")))
        .prepare(),
    spentOnModelSince: () =>
      db
        .select({ micros: sql<number>`coalesce(sum(${calls.costMicros}), 0)` })
        .from(calls)
        .where(and(gte(calls.at, sql.placeholder("since")), eq(calls.model, sql.placeholder("model"))))
        .prepare(),
    reservedFor: () =>
      db
        .select({ micros: sql<number>`coalesce(sum(${reservations.micros}), 0)` })
        .from(reservations)
        .where(eq(reservations.model, sql.placeholder("model")))
        .prepare(),
    dropExpired: () =>
      db
        .delete(reservations)
        .where(lt(reservations.expiresAt, sql.placeholder("now")))
        .prepare(),
    // Expired reservations (their call never settled) count for nothing; `expired` says whether any is left.
    reserved: () =>
      db
        .select({
          micros: sql<number>`coalesce(sum(case when ${reservations.expiresAt} >= ${sql.placeholder("now")} then ${reservations.micros} else 0 end), 0)`,
          tokens: sql<number>`coalesce(sum(case when ${reservations.expiresAt} >= ${sql.placeholder("now")} and ${reservations.createdAt} >= ${sql.placeholder("minuteAgo")} then ${reservations.tokens} else 0 end), 0)`,
          count: sql<number>`coalesce(sum(case when ${reservations.expiresAt} >= ${sql.placeholder("now")} then 1 else 0 end), 0)`,
          expired: sql<number>`coalesce(sum(case when ${reservations.expiresAt} < ${sql.placeholder("now")} then 1 else 0 end), 0)`,
        })
        .from(reservations)
        .prepare(),
    lastMinute: () =>
      db
        .select({
          requests: sql<number>`count(*)`,
          tokens: sql<number>`coalesce(sum(${calls.inputTokens} + ${calls.outputTokens} + ${calls.cacheReadTokens} + ${calls.cacheWrite5mTokens} + ${calls.cacheWrite1hTokens}), 0)`,
          oldest: sql<number | null>`min(${calls.at})`,
        })
        .from(calls)
        .where(gte(calls.at, sql.placeholder("since")))
        .prepare(),
    reserve: () =>
      db
        .insert(reservations)
        .values({
          id: sql.placeholder("id"),
          model: sql.placeholder("model"),
          micros: sql.placeholder("micros"),
          tokens: sql.placeholder("tokens"),
          createdAt: sql.placeholder("createdAt"),
          expiresAt: sql.placeholder("expiresAt"),
        })
        .prepare(),
    release: () =>
      db
        .delete(reservations)
        .where(eq(reservations.id, sql.placeholder("id")))
        .prepare(),
    // The turns running, and whether this one is among them, in one statement.
    turnsRunning: () =>
      db
        .select({
          n: sql<number>`count(*)`,
          marked: sql<number>`coalesce(sum(${activeTurns.id} = ${sql.placeholder("id")}), 0)`,
        })
        .from(activeTurns)
        .prepare(),
    dropStaleTurns: () =>
      db
        .delete(activeTurns)
        .where(lt(activeTurns.startedAt, sql.placeholder("before")))
        .prepare(),
    markTurn: () =>
      db
        .insert(activeTurns)
        .values({ id: sql.placeholder("id"), startedAt: sql.placeholder("startedAt") })
        .onConflictDoNothing()
        .prepare(),
    endTurn: () =>
      db
        .delete(activeTurns)
        .where(eq(activeTurns.id, sql.placeholder("id")))
        .prepare(),
  }),
);

export function spentSince(db: DrizzleSqliteDODatabase, since: number, model?: string): number {
  const statements = statementsOf(db);
  const row =
    model === undefined ? statements.spentSince.get({ since }) : statements.spentOnModelSince.get({ since, model });
  return Number(row?.micros ?? 0);
}

function reservedFor(db: DrizzleSqliteDODatabase, model: string): number {
  return Number(statementsOf(db).reservedFor.get({ model })?.micros ?? 0);
}

function reserved(db: DrizzleSqliteDODatabase, now: number): { micros: number; tokens: number; count: number } {
  const statements = statementsOf(db);
  const row = statements.reserved.get({ now, minuteAgo: now - MINUTE_MS });
  // Removed only when there are some (one statement a call, not two): the per-model sum reads the table too.
  if (Number(row?.expired ?? 0) > 0) statements.dropExpired.run({ now });
  return { micros: Number(row?.micros ?? 0), tokens: Number(row?.tokens ?? 0), count: Number(row?.count ?? 0) };
}

function lastMinute(
  db: DrizzleSqliteDODatabase,
  now: number,
): { requests: number; tokens: number; oldest: number | null } {
  const row = statementsOf(db).lastMinute.get({ since: now - MINUTE_MS });
  return { requests: Number(row?.requests ?? 0), tokens: Number(row?.tokens ?? 0), oldest: row?.oldest ?? null };
}

const dollars = (micros: number) => `$${(micros / 1_000_000).toFixed(2)}`;

/**
 * Admits a call if, counting what is reserved for calls in flight, the worst case stays within every
 * limit; then reserves it. Synchronous, so concurrent admissions of one user are strictly serialised.
 */
export function admit(
  db: DrizzleSqliteDODatabase,
  limits: BudgetLimits,
  rates: RateLimits,
  request: AdmitRequest,
  modelDailyMicros?: number,
): Admission {
  const now = request.now ?? Date.now();
  const held = reserved(db, now);
  if (modelDailyMicros !== undefined) {
    const spent = spentSince(db, startOfDay(now), request.model);
    if (spent + reservedFor(db, request.model) + request.worstMicros > modelDailyMicros) {
      const resetsAt = nextDay(now);
      return {
        ok: false,
        code: "budget_exceeded",
        message: `the daily budget of ${dollars(modelDailyMicros)} for ${request.model} is used up; it resets at ${new Date(resetsAt).toISOString()}`,
        retryAfterSeconds: Math.ceil((resetsAt - now) / 1000),
        resetsAt,
      };
    }
  }
  const periods = [
    { name: "daily", limit: limits.dailyMicros, since: startOfDay(now), resetsAt: nextDay(now) },
    { name: "monthly", limit: limits.monthlyMicros, since: startOfMonth(now), resetsAt: nextMonth(now) },
  ];
  for (const period of periods) {
    if (period.limit === null) continue;
    const spent = spentSince(db, period.since);
    if (spent + held.micros + request.worstMicros > period.limit) {
      const retryAfterSeconds = Math.ceil((period.resetsAt - now) / 1000);
      return {
        ok: false,
        code: "budget_exceeded",
        message: `the ${period.name} budget of ${dollars(period.limit)} is used up (${dollars(spent)} spent); it resets at ${new Date(period.resetsAt).toISOString()}`,
        retryAfterSeconds,
        resetsAt: period.resetsAt,
      };
    }
  }
  const minute = lastMinute(db, now);
  const overRequests = minute.requests + held.count + 1 > rates.requestsPerMinute;
  const overTokens =
    minute.tokens + held.tokens + request.tokens > rates.tokensPerMinute && minute.requests + held.count > 0;
  if (overRequests || overTokens) {
    const resetsAt = (minute.oldest ?? now) + MINUTE_MS;
    return {
      ok: false,
      code: "rate_limited",
      message: overRequests
        ? `more than ${rates.requestsPerMinute} model calls in a minute`
        : `more than ${rates.tokensPerMinute} tokens in a minute`,
      retryAfterSeconds: Math.max(1, Math.ceil((resetsAt - now) / 1000)),
      resetsAt,
    };
  }
  const id = crypto.randomUUID();
  statementsOf(db).reserve.run({
    id,
    model: request.model,
    micros: request.worstMicros,
    tokens: request.tokens,
    createdAt: now,
    expiresAt: now + RESERVATION_TTL_MS,
  });
  return { ok: true, reservationId: id };
}

export function release(db: DrizzleSqliteDODatabase, reservationId: string): void {
  statementsOf(db).release.run({ id: reservationId });
}

/** Marks a turn running unless the user already runs `max`; false when over. A marked turn stays admitted. */
export function beginTurn(db: DrizzleSqliteDODatabase, turnId: string, max: number, now = Date.now()): boolean {
  const statements = statementsOf(db);
  const row = statements.turnsRunning.get({ id: turnId });
  if (Number(row?.marked ?? 0) > 0) return true;
  let running = Number(row?.n ?? 0);
  // Marks left by a reset are dropped only when they could be what stands in the way.
  if (running >= max) {
    statements.dropStaleTurns.run({ before: now - ACTIVE_TURN_TTL_MS });
    running = Number(statements.turnsRunning.get({ id: turnId })?.n ?? 0);
  }
  if (running >= max) return false;
  statements.markTurn.run({ id: turnId, startedAt: now });
  return true;
}

export function endTurn(db: DrizzleSqliteDODatabase, turnId: string): void {
  statementsOf(db).endTurn.run({ id: turnId });
}
