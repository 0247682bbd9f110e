// `/think` is a setting of the session: stored in its metadata, and carried over from older sessions' messages by the migration.

import { env, runInDurableObject } from "cloudflare:test";
import { drizzle } from "drizzle-orm/durable-sqlite";
import { describe, expect, it } from "vitest";
import migrations from "../../../migrations/session/migrations.js";
import { EventLog } from "../../../objects/session/event-log";
import { MetaStore } from "../../../objects/session/meta-store";
import { migrate } from "../../../objects/shared/migrate";

const THINK_MIGRATION = migrations.journal.entries.find((entry) => entry.tag === "0006_think_level");

describe("the /think setting", () => {
  it("is stored with the session's metadata", async () => {
    await runInDurableObject(env.SESSION.getByName(`think-${crypto.randomUUID()}`), (_o, state) => {
      const meta = new MetaStore(drizzle(state.storage));
      meta.create({ id: "s", owner: "o@example.com", title: "t", createdAt: 1, updatedAt: 1 });
      expect(meta.get()?.thinkLevel).toBeNull();
      meta.setThinkLevel("high");
      expect(meta.get()?.thinkLevel).toBe("high");
    });
  });

  it("is set by the migration from a session's newest valid /think message", async () => {
    expect(THINK_MIGRATION).toBeDefined();
    const cases: [string[], string | null][] = [
      [["/think high", "hello", "/think maybe", "/think low", "/thinking off"], "low"],
      [["/think\toff"], "off"],
      [["hi", "/think loud"], null],
      [[], null],
    ];
    for (const [messages, expected] of cases) {
      await runInDurableObject(env.SESSION.getByName(`think-${crypto.randomUUID()}`), (_o, state) => {
        const db = drizzle(state.storage);
        new MetaStore(db).create({ id: "s", owner: "o@example.com", title: "t", createdAt: 1, updatedAt: 1 });
        const log = new EventLog(db);
        for (const [i, text] of messages.entries()) {
          log.append("user_message", { id: `m${i}`, text, user: "o@example.com" }, `m${i}`);
        }
        // As before the migration: no column, the migration not recorded; then the object starts again.
        state.storage.sql.exec("ALTER TABLE session_meta DROP COLUMN think_level");
        state.storage.sql.exec("DELETE FROM __drizzle_migrations WHERE created_at = ?", THINK_MIGRATION?.when ?? 0);
        expect(migrate(state.storage, migrations)).toBe(1);
        expect(new MetaStore(db).get()?.thinkLevel, messages.join(" | ")).toBe(expected);
      });
    }
  });
});
