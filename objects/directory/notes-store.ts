// A user's memory notes in their directory: directives, facts and daily notes, bounded in size and number.

import { desc, eq, sql } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import { MAX_NOTE_CHARS, type MemoryKind, type MemoryNote } from "../../protocol/api";
import { memory } from "./schema";

/** Most notes a user keeps. */
export const MAX_NOTES = 2_000;

export class NotesStore {
  readonly #db: DrizzleSqliteDODatabase;

  constructor(db: DrizzleSqliteDODatabase) {
    this.#db = db;
  }

  /** Every note, directives first, then facts, then daily notes newest first. */
  list(): MemoryNote[] {
    return this.#db
      .select()
      .from(memory)
      .orderBy(sql`case ${memory.kind} when 'directive' then 0 when 'fact' then 1 else 2 end`, desc(memory.updatedAt))
      .all();
  }

  /** Adds a note (or replaces note `id`); null when the user has too many notes. */
  write(kind: MemoryKind, text: string, id?: number): MemoryNote | null {
    const now = Date.now();
    const note = {
      kind,
      text: text.slice(0, MAX_NOTE_CHARS),
      day: kind === "daily" ? new Date(now).toISOString().slice(0, 10) : null,
      updatedAt: now,
    };
    if (id !== undefined) {
      return this.#db.update(memory).set(note).where(eq(memory.id, id)).returning().get() ?? null;
    }
    const count = this.#db.select({ n: sql<number>`count(*)` }).from(memory).get()?.n ?? 0;
    if (Number(count) >= MAX_NOTES) return null;
    return this.#db.insert(memory).values(note).returning().get() ?? null;
  }

  remove(id: number): boolean {
    return this.#db.delete(memory).where(eq(memory.id, id)).returning({ id: memory.id }).all().length > 0;
  }

  /** Notes containing every word of the query (case-insensitive), in list order. */
  search(query: string, limit: number): MemoryNote[] {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean).slice(0, 8);
    return this.list()
      .filter((n) => words.every((w) => n.text.toLowerCase().includes(w)))
      .slice(0, limit);
  }
}
