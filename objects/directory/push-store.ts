// A user's Web Push subscriptions, preferences and retry outbox, over the directory's SQLite.

import { asc, eq, lte, sql } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import type { PushNotice } from "../../agent/push/notice";
import { PUSH_KINDS, type PushPreferences, type PushSubscriptionInfo } from "../../protocol/push";
import { pushOutbox, pushPreferences, pushSubscriptions } from "./schema";

export type { PushPreferences, PushSubscriptionInfo };

export type PushSubscriptionRow = typeof pushSubscriptions.$inferSelect;

export interface OutboxEntry {
  id: number;
  subscriptionId: string;
  notice: PushNotice;
  attempts: number;
  /** When the push goes stale (epoch ms). */
  expiresAt: number;
}

/** Most subscriptions a user keeps (browsers and devices). */
export const MAX_SUBSCRIPTIONS = 20;

export const DEFAULT_PREFERENCES: PushPreferences = {
  kinds: { approval: true, task_result: true, turn_finished: true, budget: true, failure: true },
  when: "away",
};

function info(row: PushSubscriptionRow): PushSubscriptionInfo {
  return {
    id: row.id,
    endpoint: row.endpoint,
    deviceName: row.deviceName,
    createdAt: row.createdAt,
    lastPushAt: row.lastPushAt,
  };
}

export class PushStore {
  readonly #db: DrizzleSqliteDODatabase;

  constructor(db: DrizzleSqliteDODatabase) {
    this.#db = db;
  }

  /** Adds a subscription, or refreshes the one with the same endpoint (same id); null when at the limit. */
  subscribe(input: Omit<PushSubscriptionRow, "id" | "createdAt" | "lastPushAt">): PushSubscriptionInfo | null {
    const existing = this.#db
      .select()
      .from(pushSubscriptions)
      .where(eq(pushSubscriptions.endpoint, input.endpoint))
      .get();
    if (existing) {
      const row = this.#db
        .update(pushSubscriptions)
        .set(input)
        .where(eq(pushSubscriptions.id, existing.id))
        .returning()
        .get();
      return row ? info(row) : null;
    }
    const count = this.#db.select({ n: sql<number>`count(*)` }).from(pushSubscriptions).get()?.n ?? 0;
    if (Number(count) >= MAX_SUBSCRIPTIONS) return null;
    const row = { ...input, id: crypto.randomUUID(), createdAt: Date.now(), lastPushAt: null };
    this.#db.insert(pushSubscriptions).values(row).run();
    return info(row);
  }

  list(): PushSubscriptionInfo[] {
    return this.rows().map(info);
  }

  rows(): PushSubscriptionRow[] {
    return this.#db.select().from(pushSubscriptions).orderBy(asc(pushSubscriptions.createdAt)).all();
  }

  row(id: string): PushSubscriptionRow | null {
    return this.#db.select().from(pushSubscriptions).where(eq(pushSubscriptions.id, id)).get() ?? null;
  }

  /** Deletes a subscription and its pending retries. */
  remove(id: string): boolean {
    this.#db.delete(pushOutbox).where(eq(pushOutbox.subscriptionId, id)).run();
    return (
      this.#db
        .delete(pushSubscriptions)
        .where(eq(pushSubscriptions.id, id))
        .returning({ id: pushSubscriptions.id })
        .all().length > 0
    );
  }

  delivered(id: string, at: number): void {
    this.#db.update(pushSubscriptions).set({ lastPushAt: at }).where(eq(pushSubscriptions.id, id)).run();
  }

  preferences(): PushPreferences {
    const row = this.#db.select().from(pushPreferences).where(eq(pushPreferences.id, 1)).get();
    if (!row) return DEFAULT_PREFERENCES;
    const stored: unknown = JSON.parse(row.kinds);
    const kinds = { ...DEFAULT_PREFERENCES.kinds };
    for (const kind of PUSH_KINDS) {
      const value = typeof stored === "object" && stored !== null ? Reflect.get(stored, kind) : undefined;
      if (typeof value === "boolean") kinds[kind] = value;
    }
    return { kinds, when: row.when };
  }

  setPreferences(prefs: PushPreferences): PushPreferences {
    const row = { id: 1, kinds: JSON.stringify(prefs.kinds), when: prefs.when };
    this.#db.insert(pushPreferences).values(row).onConflictDoUpdate({ target: pushPreferences.id, set: row }).run();
    return this.preferences();
  }

  enqueue(subscriptionId: string, notice: PushNotice, attempts: number, dueAt: number, expiresAt: number): void {
    this.#db
      .insert(pushOutbox)
      .values({ subscriptionId, notice: JSON.stringify(notice), attempts, dueAt, expiresAt })
      .run();
  }

  /** Takes every entry due by `now` out of the outbox (stale ones are dropped). */
  takeDue(now: number): OutboxEntry[] {
    const rows = this.#db.delete(pushOutbox).where(lte(pushOutbox.dueAt, now)).returning().all();
    return rows
      .filter((r) => r.expiresAt > now)
      .map((r) => ({
        id: r.id,
        subscriptionId: r.subscriptionId,
        notice: JSON.parse(r.notice),
        attempts: r.attempts,
        expiresAt: r.expiresAt,
      }));
  }

  nextDue(): number | null {
    return (
      this.#db.select({ at: pushOutbox.dueAt }).from(pushOutbox).orderBy(asc(pushOutbox.dueAt)).limit(1).get()?.at ??
      null
    );
  }
}
