// The ledger of a usage scope: one row per provider attempt, and the users' ratings of turns, as reports read them.

import { and, desc, gte, lte, sql } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import { ledgerPlaceholders } from "../shared/ledger-columns";
import { preparedOnce } from "../shared/prepared";
import { dayOf } from "./periods";
import type { ReportCall, ReportFeedback } from "./report";
import { calls, feedback } from "./schema";
import type { CallRecord } from "./types";

/** Most calls one report reads from one object. */
const MAX_REPORT_CALLS = 50_000;

export interface LedgerPage {
  calls: ReportCall[];
  feedback: ReportFeedback[];
  /** More calls matched than one report reads. */
  truncated: boolean;
}

export class LedgerStore {
  readonly #db: DrizzleSqliteDODatabase;
  /** The insert every settlement runs, prepared on its first use. */
  readonly #statements;

  constructor(db: DrizzleSqliteDODatabase) {
    this.#db = db;
    this.#statements = preparedOnce({
      insert: () =>
        db
          .insert(calls)
          .values({ ...ledgerPlaceholders(), day: sql.placeholder("day") })
          .onConflictDoNothing()
          .prepare(),
    });
  }

  /** Records a call once (a retried settle of the same attempt changes nothing). */
  insert(record: CallRecord): void {
    this.#statements.insert.run({ ...record, day: dayOf(record.at) });
  }

  /** Calls between two times (epoch ms, inclusive), newest first, and every rating. */
  between(from: number, to: number): LedgerPage {
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

  /** A user's rating of a turn; a new rating replaces the old. */
  rate(turn: string, session: string, variant: string | null, rating: "up" | "down"): void {
    this.#db
      .insert(feedback)
      .values({ turn, session, variant, rating, at: Date.now() })
      .onConflictDoUpdate({ target: feedback.turn, set: { rating, at: Date.now() } })
      .run();
  }
}
