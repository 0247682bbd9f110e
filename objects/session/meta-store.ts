// The session's metadata row: owner, title and times, written once at creation and on rename.

import { eq } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import type { ExecPolicy, QueueMode, SessionMetaView, ThinkLevel } from "../../protocol/api";
import { sessionMeta } from "./schema";

export type { QueueMode };

/** The title of a session until its first exchange names it. */
export const DEFAULT_TITLE = "New session";
const TITLE_CHARS = 60;

/** A title from the first user message: its first line, cut at a word near 60 characters. */
export function titleFrom(text: string): string {
  const line = text.trim().split("\n")[0]?.trim() ?? "";
  if (line.length <= TITLE_CHARS) return line || DEFAULT_TITLE;
  const cut = line.slice(0, TITLE_CHARS);
  return `${cut.slice(0, cut.lastIndexOf(" ") > 20 ? cut.lastIndexOf(" ") : TITLE_CHARS)}…`;
}

/** What creating a session writes. */
export interface NewSession {
  id: string;
  owner: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  /** An A/B assignment: the variant's name and model. */
  variant?: { name: string; model: string };
}

/** A session's metadata: what the admin inspection shows of it (one declaration, in the protocol). */
export type SessionMeta = SessionMetaView;

const ROW_ID = 1;

export class MetaStore {
  readonly #db: DrizzleSqliteDODatabase;
  /**
   * The row as last read or written (undefined: not read yet). Every write goes through this store, so
   * the copy stays true; a turn reads it a dozen times, and each read would be a query.
   */
  #cached: SessionMeta | null | undefined;

  constructor(db: DrizzleSqliteDODatabase) {
    this.#db = db;
  }

  get(): SessionMeta | null {
    if (this.#cached === undefined) this.#cached = this.#read();
    // A copy: callers may spread or keep it without changing the cache.
    return this.#cached && { ...this.#cached };
  }

  #read(): SessionMeta | null {
    const row = this.#db.select().from(sessionMeta).where(eq(sessionMeta.id, ROW_ID)).get();
    if (!row) return null;
    return {
      id: row.sessionId,
      owner: row.owner,
      title: row.title,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      model: row.model,
      queueMode: row.queueMode === "interrupt" ? "interrupt" : "queue",
      variant: row.variant,
      cacheTtl: row.cacheTtl,
      execPolicy:
        row.execPolicy === "ask" || row.execPolicy === "auto" || row.execPolicy === "deny" ? row.execPolicy : null,
      thinkLevel:
        row.thinkLevel === "off" || row.thinkLevel === "low" || row.thinkLevel === "high" ? row.thinkLevel : null,
    };
  }

  /** Writes the row if there is none; returns what is stored (so a repeated create is harmless). */
  create(meta: NewSession): SessionMeta {
    const existing = this.get();
    if (existing) return existing;
    this.#cached = undefined;
    this.#db
      .insert(sessionMeta)
      .values({
        id: ROW_ID,
        sessionId: meta.id,
        owner: meta.owner,
        title: meta.title,
        createdAt: meta.createdAt,
        updatedAt: meta.updatedAt,
        variant: meta.variant?.name ?? null,
        model: meta.variant?.model ?? null,
      })
      .run();
    return (
      this.get() ?? {
        ...meta,
        model: null,
        queueMode: "queue",
        variant: null,
        cacheTtl: null,
        execPolicy: null,
        thinkLevel: null,
      }
    );
  }

  rename(title: string): SessionMeta | null {
    this.#cached = undefined;
    this.#db.update(sessionMeta).set({ title, updatedAt: Date.now() }).where(eq(sessionMeta.id, ROW_ID)).run();
    return this.get();
  }

  setModel(model: string | null): void {
    this.#cached = undefined;
    this.#db.update(sessionMeta).set({ model, updatedAt: Date.now() }).where(eq(sessionMeta.id, ROW_ID)).run();
  }

  setExecPolicy(execPolicy: ExecPolicy | null): void {
    this.#cached = undefined;
    this.#db.update(sessionMeta).set({ execPolicy, updatedAt: Date.now() }).where(eq(sessionMeta.id, ROW_ID)).run();
  }

  setThinkLevel(thinkLevel: ThinkLevel | null): void {
    this.#cached = undefined;
    this.#db.update(sessionMeta).set({ thinkLevel, updatedAt: Date.now() }).where(eq(sessionMeta.id, ROW_ID)).run();
  }

  setCacheTtl(cacheTtl: number | null): void {
    this.#cached = undefined;
    this.#db.update(sessionMeta).set({ cacheTtl, updatedAt: Date.now() }).where(eq(sessionMeta.id, ROW_ID)).run();
  }

  setQueueMode(queueMode: QueueMode): void {
    this.#cached = undefined;
    this.#db.update(sessionMeta).set({ queueMode, updatedAt: Date.now() }).where(eq(sessionMeta.id, ROW_ID)).run();
  }

  touch(): void {
    const updatedAt = Date.now();
    this.#db.update(sessionMeta).set({ updatedAt }).where(eq(sessionMeta.id, ROW_ID)).run();
    if (this.#cached) this.#cached = { ...this.#cached, updatedAt };
  }
}
