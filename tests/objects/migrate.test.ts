// The migration runner: applies each journal entry once, as one script, and reports the real SQL error when one fails.

import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type MigrationBundle, migrate } from "../../objects/shared/migrate";

const bundle = (sql: string[], tag = (idx: number) => `000${idx}_test`): MigrationBundle => ({
  journal: { entries: sql.map((_, idx) => ({ idx, when: 1000 + idx, tag: tag(idx) })) },
  migrations: Object.fromEntries(sql.map((text, idx) => [`m${idx.toString().padStart(4, "0")}`, text])),
});

/** The storage with every distinct SQL string given to `exec` recorded (workerd caches each one compiled). */
function recording(storage: DurableObjectStorage): { storage: DurableObjectStorage; strings: Set<string> } {
  const strings = new Set<string>();
  const sql = {
    exec: (query: string, ...bindings: unknown[]) => {
      strings.add(query);
      return storage.sql.exec(query, ...bindings);
    },
  };
  const transactionSync = <T>(fn: () => T) => storage.transactionSync(fn);
  return { storage: { sql, transactionSync } as unknown as DurableObjectStorage, strings };
}

const objectName = () => `migrate-test-${crypto.randomUUID()}`;

describe("migrate", () => {
  it("applies new entries once and names the failing statement with SQLite's own message", async () => {
    await runInDurableObject(env.DEV_ISSUER.getByName(objectName()), async (_object, state) => {
      const first = bundle(["CREATE TABLE t (a INTEGER);--> statement-breakpoint\nINSERT INTO t VALUES (1);"]);
      expect(migrate(state.storage, first)).toBe(1);
      expect(migrate(state.storage, first)).toBe(0);
      const broken = bundle([first.migrations.m0000 ?? "", "INSERT INTO missing_table VALUES (1);"]);
      expect(() => migrate(state.storage, broken)).toThrow(
        /0001_test statement 1 failed: .*no such table: missing_table/,
      );
      // The failed migration rolled back and the earlier data is intact.
      expect(state.storage.sql.exec("SELECT COUNT(*) AS n FROM t").one().n).toBe(1);
      const unsafe = bundle([first.migrations.m0000 ?? "", "PRAGMA foreign_keys=OFF;"]);
      expect(() => migrate(state.storage, unsafe)).toThrow(/not allowed/);
    });
  });

  it("rolls back every pending entry when a later one fails, naming the statement within its entry", async () => {
    await runInDurableObject(env.DEV_ISSUER.getByName(objectName()), async (_object, state) => {
      const broken = bundle([
        "CREATE TABLE t (a INTEGER);--> statement-breakpoint\nINSERT INTO t VALUES (1);",
        "INSERT INTO t VALUES (2);--> statement-breakpoint\nINSERT INTO t (missing_column) VALUES (3);",
      ]);
      expect(() => migrate(state.storage, broken)).toThrow(/0001_test statement 2 failed: .*missing_column/);
      const tables = state.storage.sql.exec("SELECT name FROM sqlite_master WHERE name = 't'").toArray();
      expect(tables).toEqual([]);
      // Mended, both entries apply.
      const mended = bundle([broken.migrations.m0000 ?? "", "INSERT INTO t VALUES (2);"]);
      expect(migrate(state.storage, mended)).toBe(2);
      expect(state.storage.sql.exec("SELECT COUNT(*) AS n FROM t").one().n).toBe(2);
    });
  });

  it("runs comments, statements without a semicolon and quoted tags as written", async () => {
    await runInDurableObject(env.DEV_ISSUER.getByName(objectName()), async (_object, state) => {
      const applied = bundle(
        [
          "-- a leading comment\nCREATE TABLE t (a TEXT);--> statement-breakpoint\nINSERT INTO t VALUES ('x;y') -- trailing comment",
          "INSERT INTO t VALUES ('z')--> statement-breakpoint\nUPDATE t SET a = a || '!' WHERE a = 'z'",
        ],
        (idx) => `000${idx}_it's`,
      );
      expect(migrate(state.storage, applied)).toBe(2);
      const rows = state.storage.sql.exec<{ a: string }>("SELECT a FROM t ORDER BY a").toArray();
      expect(rows.map((r) => r.a)).toEqual(["x;y", "z!"]);
      const tags = state.storage.sql.exec<{ hash: string }>("SELECT hash FROM __drizzle_migrations ORDER BY id");
      expect(tags.toArray().map((r) => r.hash)).toEqual(["0000_it's", "0001_it's"]);
      expect(migrate(state.storage, applied)).toBe(0);
    });
  });

  it("gives workerd's statement cache one string for a new object's migrations and one for an up-to-date object", async () => {
    await runInDurableObject(env.DEV_ISSUER.getByName(objectName()), async (_object, state) => {
      const three = bundle([
        "CREATE TABLE t (a INTEGER);--> statement-breakpoint\nCREATE INDEX t_a ON t (a);",
        "ALTER TABLE t ADD b TEXT;--> statement-breakpoint\nINSERT INTO t VALUES (1, 'one');",
        "CREATE TABLE u (c TEXT);",
      ]);
      const fresh = recording(state.storage);
      expect(migrate(fresh.storage, three)).toBe(3);
      // The applied-entries read, and the script of all five statements and three records.
      expect(fresh.strings.size).toBe(2);
      const awake = recording(state.storage);
      expect(migrate(awake.storage, three)).toBe(0);
      expect(awake.strings.size).toBe(1);
      expect(state.storage.sql.exec("SELECT b FROM t").one().b).toBe("one");
    });
  });
});
