// The migration runner: applies each journal entry once, and reports the real SQL error when one fails.

import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type MigrationBundle, migrate } from "../../objects/shared/migrate";

const bundle = (sql: string[]): MigrationBundle => ({
  journal: { entries: sql.map((_, idx) => ({ idx, when: 1000 + idx, tag: `000${idx}_test` })) },
  migrations: Object.fromEntries(sql.map((text, idx) => [`m${idx.toString().padStart(4, "0")}`, text])),
});

describe("migrate", () => {
  it("applies new entries once and names the failing statement with SQLite's own message", async () => {
    const stub = env.DEV_ISSUER.getByName(`migrate-test-${crypto.randomUUID()}`);
    await runInDurableObject(stub, async (_object, state) => {
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
});
