// The admin index's audit log: every admin action, newest first, paged by entry id.

import { desc, lt } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import type { AuditEntry } from "../../protocol/api";
import { audit } from "./schema";

export type { AuditEntry };

export class AuditStore {
  readonly #db: DrizzleSqliteDODatabase;

  constructor(db: DrizzleSqliteDODatabase) {
    this.#db = db;
  }

  record(entry: AuditEntry): void {
    this.#db.insert(audit).values(entry).run();
  }

  /** Newest first; `before` is an entry id to page from. */
  page(limit: number, before: number | null): (AuditEntry & { id: number })[] {
    return this.#db
      .select()
      .from(audit)
      .where(before === null ? undefined : lt(audit.id, before))
      .orderBy(desc(audit.id))
      .limit(limit)
      .all();
  }
}
