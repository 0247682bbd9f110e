// Applies drizzle-kit's durable-sqlite migrations in one transaction, reporting the real SQL error when one fails.

/** What drizzle-kit's generated `migrations.js` exports. */
export interface MigrationBundle {
  journal: { entries: { idx: number; when: number; tag: string }[] };
  migrations: Record<string, string>;
}

/** Thrown when a migration cannot be applied; names the migration and the statement. */
export class MigrationError extends Error {
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options);
    this.name = "MigrationError";
  }
}

const TABLE = "__drizzle_migrations";

/**
 * Statements that are unsafe inside the migration transaction: `PRAGMA foreign_keys` is a no-op there (so a
 * rebuilt parent table cascades deletes into its children), and BEGIN/SAVEPOINT are refused by DO SQLite.
 */
const UNSAFE = /^\s*(PRAGMA\s+foreign_keys|BEGIN|COMMIT|SAVEPOINT|RELEASE|ROLLBACK)\b/i;

/**
 * Runs every journal entry not yet recorded in `__drizzle_migrations` (the table drizzle's own migrator
 * uses, so either can take over). Entries are matched by their `when`, so one merged out of order is
 * still applied rather than silently skipped.
 */
export function migrate(storage: DurableObjectStorage, bundle: MigrationBundle): number {
  const sql = storage.sql;
  return storage.transactionSync(() => {
    sql.exec(`CREATE TABLE IF NOT EXISTS ${TABLE} (id INTEGER PRIMARY KEY, hash text NOT NULL, created_at numeric)`);
    const applied = new Set(
      sql
        .exec<{ created_at: number }>(`SELECT created_at FROM ${TABLE}`)
        .toArray()
        .map((row) => Number(row.created_at)),
    );
    let count = 0;
    for (const entry of [...bundle.journal.entries].sort((a, b) => a.idx - b.idx)) {
      if (applied.has(entry.when)) continue;
      const key = `m${entry.idx.toString().padStart(4, "0")}`;
      const text = bundle.migrations[key];
      if (text === undefined) throw new MigrationError(`migration ${entry.tag} (${key}) is in the journal but missing`);
      const statements = text
        .split("--> statement-breakpoint")
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
      statements.forEach((statement, i) => {
        if (UNSAFE.test(statement)) {
          throw new MigrationError(
            `migration ${entry.tag} statement ${i + 1} is not allowed in a Durable Object migration: ${statement.slice(0, 80)}`,
          );
        }
        try {
          sql.exec(statement);
        } catch (cause) {
          const reason = cause instanceof Error ? cause.message : String(cause);
          throw new MigrationError(`migration ${entry.tag} statement ${i + 1} failed: ${reason}`, { cause });
        }
      });
      sql.exec(`INSERT INTO ${TABLE} (hash, created_at) VALUES (?, ?)`, entry.tag, entry.when);
      count++;
    }
    return count;
  });
}
