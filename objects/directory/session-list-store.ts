// The sessions a directory lists (a user's own, or every one in the admin index): keyset-paginated, searchable.

import { and, desc, eq, lt, or, sql } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import type { SessionEntry, SessionListPage } from "../../protocol/api";
import { sessions } from "./schema";

export type { SessionEntry, SessionListPage };

/** What creating a session writes (flags default to false). */
export type NewSessionEntry = typeof sessions.$inferInsert;

export interface SessionFlags {
  archived?: boolean;
  pinned?: boolean;
}

function encodeCursor(entry: SessionEntry): string {
  return `${entry.pinned ? 1 : 0}.${entry.createdAt}.${entry.id}`;
}

function decodeCursor(cursor: string | null): { pinned: boolean; createdAt: number; id: string } | null {
  const match = cursor ? /^([01])\.(\d+)\.(.+)$/.exec(cursor) : null;
  if (!match?.[1] || !match[2] || !match[3]) return null;
  return { pinned: match[1] === "1", createdAt: Number(match[2]), id: match[3] };
}

export class SessionListStore {
  readonly #db: DrizzleSqliteDODatabase;

  constructor(db: DrizzleSqliteDODatabase) {
    this.#db = db;
  }

  put(entry: NewSessionEntry): void {
    this.#db.insert(sessions).values(entry).onConflictDoUpdate({ target: sessions.id, set: entry }).run();
  }

  get(id: string): SessionEntry | null {
    return this.#db.select().from(sessions).where(eq(sessions.id, id)).get() ?? null;
  }

  remove(id: string): boolean {
    return this.#db.delete(sessions).where(eq(sessions.id, id)).returning({ id: sessions.id }).all().length > 0;
  }

  rename(id: string, title: string, updatedAt: number): SessionEntry | null {
    this.#db.update(sessions).set({ title, updatedAt }).where(eq(sessions.id, id)).run();
    return this.get(id);
  }

  setFlags(id: string, flags: SessionFlags): SessionEntry | null {
    if (flags.archived === undefined && flags.pinned === undefined) return this.get(id);
    this.#db.update(sessions).set(flags).where(eq(sessions.id, id)).run();
    return this.get(id);
  }

  /** Sessions whose title contains the text (case-insensitive), newest first. */
  searchTitles(text: string, limit: number): SessionEntry[] {
    return this.#db
      .select()
      .from(sessions)
      .where(sql`instr(lower(${sessions.title}), lower(${text})) > 0`)
      .orderBy(desc(sessions.createdAt))
      .limit(limit)
      .all();
  }

  /** Pinned first, then newest first; keyset-paginated by (pinned, createdAt, id). Archived ones only when asked. */
  list(limit: number, cursor: string | null, archived: boolean | null): SessionListPage {
    const after = decodeCursor(cursor);
    const afterCursor = after
      ? or(
          lt(sessions.pinned, after.pinned),
          and(
            eq(sessions.pinned, after.pinned),
            or(
              lt(sessions.createdAt, after.createdAt),
              and(eq(sessions.createdAt, after.createdAt), lt(sessions.id, after.id)),
            ),
          ),
        )
      : undefined;
    const rows = this.#db
      .select()
      .from(sessions)
      .where(and(archived === null ? undefined : eq(sessions.archived, archived), afterCursor))
      .orderBy(desc(sessions.pinned), desc(sessions.createdAt), desc(sessions.id))
      .limit(limit + 1)
      .all();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { sessions: page, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
  }
}
