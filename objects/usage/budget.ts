// Admission for one user's (or everyone's) calls: budget with reservations, requests/tokens per minute, concurrency.

import { and, eq, gte, lt, sql } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
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

export function spentSince(db: DrizzleSqliteDODatabase, since: number, model?: string): number {
  const row = db
    .select({ micros: sql<number>`coalesce(sum(${calls.costMicros}), 0)` })
    .from(calls)
    .where(model === undefined ? gte(calls.at, since) : and(gte(calls.at, since), eq(calls.model, model)))
    .get();
  return Number(row?.micros ?? 0);
}

function reservedFor(db: DrizzleSqliteDODatabase, model: string): number {
  const row = db
    .select({ micros: sql<number>`coalesce(sum(${reservations.micros}), 0)` })
    .from(reservations)
    .where(eq(reservations.model, model))
    .get();
  return Number(row?.micros ?? 0);
}

function reserved(db: DrizzleSqliteDODatabase, now: number): { micros: number; tokens: number; count: number } {
  db.delete(reservations).where(lt(reservations.expiresAt, now)).run();
  const row = db
    .select({
      micros: sql<number>`coalesce(sum(${reservations.micros}), 0)`,
      tokens: sql<number>`coalesce(sum(case when ${reservations.createdAt} >= ${now - MINUTE_MS} then ${reservations.tokens} else 0 end), 0)`,
      count: sql<number>`count(*)`,
    })
    .from(reservations)
    .get();
  return { micros: Number(row?.micros ?? 0), tokens: Number(row?.tokens ?? 0), count: Number(row?.count ?? 0) };
}

function lastMinute(
  db: DrizzleSqliteDODatabase,
  now: number,
): { requests: number; tokens: number; oldest: number | null } {
  const row = db
    .select({
      requests: sql<number>`count(*)`,
      tokens: sql<number>`coalesce(sum(${calls.inputTokens} + ${calls.outputTokens} + ${calls.cacheReadTokens} + ${calls.cacheWrite5mTokens} + ${calls.cacheWrite1hTokens}), 0)`,
      oldest: sql<number | null>`min(${calls.at})`,
    })
    .from(calls)
    .where(gte(calls.at, now - MINUTE_MS))
    .get();
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
  db.insert(reservations)
    .values({
      id,
      model: request.model,
      micros: request.worstMicros,
      tokens: request.tokens,
      createdAt: now,
      expiresAt: now + RESERVATION_TTL_MS,
    })
    .run();
  return { ok: true, reservationId: id };
}

export function release(db: DrizzleSqliteDODatabase, reservationId: string): void {
  db.delete(reservations).where(eq(reservations.id, reservationId)).run();
}

/** Marks a turn running unless the user already runs `max`; false when over. A marked turn stays admitted. */
export function beginTurn(db: DrizzleSqliteDODatabase, turnId: string, max: number, now = Date.now()): boolean {
  if (db.select({ id: activeTurns.id }).from(activeTurns).where(eq(activeTurns.id, turnId)).get()) return true;
  db.delete(activeTurns)
    .where(lt(activeTurns.startedAt, now - ACTIVE_TURN_TTL_MS))
    .run();
  const running = db.select({ n: sql<number>`count(*)` }).from(activeTurns).get()?.n ?? 0;
  if (Number(running) >= max) return false;
  db.insert(activeTurns).values({ id: turnId, startedAt: now }).onConflictDoNothing().run();
  return true;
}

export function endTurn(db: DrizzleSqliteDODatabase, turnId: string): void {
  db.delete(activeTurns).where(eq(activeTurns.id, turnId)).run();
}
