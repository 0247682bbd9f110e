// The session's metadata row: owner, title and times, written once at creation and on rename.

import { eq } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import { sessionMeta } from "./schema";

/** A session's metadata as the API returns it. */
export interface SessionMeta {
  id: string;
  owner: string;
  title: string;
  createdAt: number;
  updatedAt: number;
}

const ROW_ID = 1;

export class MetaStore {
  readonly #db: DrizzleSqliteDODatabase;

  constructor(db: DrizzleSqliteDODatabase) {
    this.#db = db;
  }

  get(): SessionMeta | null {
    const row = this.#db.select().from(sessionMeta).where(eq(sessionMeta.id, ROW_ID)).get();
    if (!row) return null;
    return {
      id: row.sessionId,
      owner: row.owner,
      title: row.title,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  }

  /** Writes the row if there is none; returns what is stored (so a repeated create is harmless). */
  create(meta: SessionMeta): SessionMeta {
    const existing = this.get();
    if (existing) return existing;
    this.#db
      .insert(sessionMeta)
      .values({
        id: ROW_ID,
        sessionId: meta.id,
        owner: meta.owner,
        title: meta.title,
        createdAt: meta.createdAt,
        updatedAt: meta.updatedAt,
      })
      .run();
    return meta;
  }

  rename(title: string): SessionMeta | null {
    this.#db.update(sessionMeta).set({ title, updatedAt: Date.now() }).where(eq(sessionMeta.id, ROW_ID)).run();
    return this.get();
  }

  touch(): void {
    this.#db.update(sessionMeta).set({ updatedAt: Date.now() }).where(eq(sessionMeta.id, ROW_ID)).run();
  }
}
