// The session's own copy of its ledger: every provider attempt of its turns, summed for the admin's inspection.

import { sql } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import type { LedgerSummary } from "../../protocol/api";
import { type LedgerRecord, ledgerPlaceholders } from "../shared/ledger-columns";
import { preparedOnce } from "../shared/prepared";
import { ledger } from "./schema";

export type { LedgerSummary };

export class SessionLedger {
  readonly #db: DrizzleSqliteDODatabase;
  /** The insert every model call runs, prepared on its first use. */
  readonly #statements;

  constructor(db: DrizzleSqliteDODatabase) {
    this.#db = db;
    this.#statements = preparedOnce({ insert: () => db.insert(ledger).values(ledgerPlaceholders()).prepare() });
  }

  record(row: LedgerRecord): void {
    this.#statements.insert.run(row);
  }

  summary(): LedgerSummary {
    const row = this.#db
      .select({
        calls: sql<number>`count(*)`,
        errors: sql<number>`coalesce(sum(case when ${ledger.status} = 'error' then 1 else 0 end), 0)`,
        inputTokens: sql<number>`coalesce(sum(${ledger.inputTokens}), 0)`,
        outputTokens: sql<number>`coalesce(sum(${ledger.outputTokens}), 0)`,
        costMicros: sql<number>`coalesce(sum(${ledger.costMicros}), 0)`,
        unpricedCalls: sql<number>`coalesce(sum(case when ${ledger.costMicros} is null then 1 else 0 end), 0)`,
      })
      .from(ledger)
      .get();
    return {
      calls: Number(row?.calls ?? 0),
      errors: Number(row?.errors ?? 0),
      inputTokens: Number(row?.inputTokens ?? 0),
      outputTokens: Number(row?.outputTokens ?? 0),
      costMicros: Number(row?.costMicros ?? 0),
      unpricedCalls: Number(row?.unpricedCalls ?? 0),
    };
  }
}
