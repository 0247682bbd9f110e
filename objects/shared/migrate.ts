// Applies drizzle-kit's durable-sqlite migrations in one transaction, reporting the real SQL error when one fails.
//
// Every string given to `sql.exec` stays compiled in workerd's statement cache for as long as the object lives
// (up to 1 MiB of SQL text), a few KiB of native memory each. A migration's statements run once, so they are
// run as one script: one cache entry for all of them instead of one per statement (docs/benchmarks.md).

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

/** The table drizzle's own migrator uses (so either can take over) and what it holds, in one statement string. */
const APPLIED = `CREATE TABLE IF NOT EXISTS ${TABLE} (id INTEGER PRIMARY KEY, hash text NOT NULL, created_at numeric);
SELECT created_at FROM ${TABLE}`;

/**
 * Statements that are unsafe inside the migration transaction: `PRAGMA foreign_keys` is a no-op there (so a
 * rebuilt parent table cascades deletes into its children), and BEGIN/SAVEPOINT are refused by DO SQLite.
 */
const UNSAFE = /^\s*(PRAGMA\s+foreign_keys|BEGIN|COMMIT|SAVEPOINT|RELEASE|ROLLBACK)\b/i;

/** One journal entry still to apply: its tag, its `when`, and its statements. */
interface Pending {
  tag: string;
  when: number;
  statements: string[];
}

/** A statement as part of a script: closed by a semicolon on a line of its own, after any trailing comment. */
const terminated = (statement: string) => (statement.endsWith(";") ? statement : `${statement}\n;`);

/** An SQL string literal. */
const quoted = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * Runs every journal entry not yet recorded in `__drizzle_migrations`. Entries are matched by their `when`,
 * so one merged out of order is still applied rather than silently skipped. An object that is up to date
 * runs one cached statement.
 */
export function migrate(storage: DurableObjectStorage, bundle: MigrationBundle): number {
  const sql = storage.sql;
  let pending: Pending[] = [];
  try {
    return storage.transactionSync(() => {
      const applied = new Set(
        sql
          .exec<{ created_at: number }>(APPLIED)
          .toArray()
          .map((row) => Number(row.created_at)),
      );
      pending = pendingEntries(bundle, applied);
      if (pending.length > 0) sql.exec(script(pending));
      return pending.length;
    });
  } catch (cause) {
    // The transaction rolled back: nothing of the script stays, so its statements can be tried one by one.
    if (cause instanceof MigrationError || pending.length === 0) throw cause;
    throw failingStatement(storage, pending, cause);
  }
}

/** The pending entries' statements and their records in `__drizzle_migrations`, as one script. */
function script(pending: Pending[]): string {
  return pending
    .flatMap(({ tag, when, statements }) => [
      ...statements.map(terminated),
      `INSERT INTO ${TABLE} (hash, created_at) VALUES (${quoted(tag)}, ${when});`,
    ])
    .join("\n");
}

/** The entries of `bundle` not in `applied`, in journal order, each statement checked. */
function pendingEntries(bundle: MigrationBundle, applied: Set<number>): Pending[] {
  const pending: Pending[] = [];
  for (const entry of [...bundle.journal.entries].sort((a, b) => a.idx - b.idx)) {
    if (applied.has(entry.when)) continue;
    if (!Number.isSafeInteger(entry.when)) throw new MigrationError(`migration ${entry.tag} has no valid "when"`);
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
    });
    pending.push({ tag: entry.tag, when: entry.when, statements });
  }
  return pending;
}

/**
 * After the script failed and its transaction rolled back: runs the statements one at a time, in a
 * transaction that is always rolled back, to name the one that fails with SQLite's own message. Only a
 * broken migration pays for the statements this leaves in the cache.
 */
function failingStatement(storage: DurableObjectStorage, pending: Pending[], scriptError: unknown): MigrationError {
  const reason = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause));
  let found: MigrationError | undefined;
  try {
    storage.transactionSync(() => {
      for (const { tag, statements } of pending) {
        statements.forEach((statement, i) => {
          try {
            storage.sql.exec(statement);
          } catch (cause) {
            found = new MigrationError(`migration ${tag} statement ${i + 1} failed: ${reason(cause)}`, { cause });
            throw found;
          }
        });
      }
      throw new Error("rolled back");
    });
  } catch {
    // Rolled back either way.
  }
  return (
    found ??
    new MigrationError(`migrations ${pending.map((p) => p.tag).join(", ")} failed: ${reason(scriptError)}`, {
      cause: scriptError,
    })
  );
}
