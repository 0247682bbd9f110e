// The session's upload records over Drizzle: add with a unique name, look up, mark referenced and copied, sweep.

import { and, asc, eq, inArray, isNotNull, isNull, lte, min } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import type { Attachment } from "../../../protocol/uploads";
import { uploads } from "../schema";
import { uniqueName } from "./names";

const COLUMNS = { id: uploads.id, name: uploads.name, mime: uploads.mime, size: uploads.size };

export class UploadStore {
  readonly #db: DrizzleSqliteDODatabase;

  constructor(db: DrizzleSqliteDODatabase) {
    this.#db = db;
  }

  /** Stores a record; a name already taken in the session is renamed (`photo-1.png`). */
  add(input: Attachment): Attachment {
    const existing = this.get(input.id);
    if (existing) return existing;
    const taken = (candidate: string) =>
      this.#db.select({ id: uploads.id }).from(uploads).where(eq(uploads.name, candidate)).get() !== undefined;
    const record = { ...input, name: uniqueName(input.name, taken) };
    this.#db
      .insert(uploads)
      .values({ ...record, createdAt: Date.now() })
      .run();
    return record;
  }

  get(id: string): Attachment | null {
    return this.#db.select(COLUMNS).from(uploads).where(eq(uploads.id, id)).get() ?? null;
  }

  /** The records of `ids` in their order, or the first id that is not an upload of this session. */
  resolve(ids: string[]): { ok: true; attachments: Attachment[] } | { ok: false; missing: string } {
    const rows = ids.length === 0 ? [] : this.#db.select(COLUMNS).from(uploads).where(inArray(uploads.id, ids)).all();
    const byId = new Map(rows.map((row) => [row.id, row]));
    const attachments: Attachment[] = [];
    for (const id of ids) {
      const row = byId.get(id);
      if (!row) return { ok: false, missing: id };
      attachments.push(row);
    }
    return { ok: true, attachments };
  }

  markReferenced(ids: string[]): void {
    if (ids.length === 0) return;
    this.#db
      .update(uploads)
      .set({ referencedAt: Date.now() })
      .where(and(inArray(uploads.id, ids), isNull(uploads.referencedAt)))
      .run();
  }

  /** Uploads a message listed that are not in the workspace yet, oldest first. */
  notCopied(): Attachment[] {
    return this.#db
      .select(COLUMNS)
      .from(uploads)
      .where(and(isNotNull(uploads.referencedAt), isNull(uploads.copiedAt)))
      .orderBy(asc(uploads.createdAt))
      .all();
  }

  markCopied(id: string): void {
    this.#db.update(uploads).set({ copiedAt: Date.now() }).where(eq(uploads.id, id)).run();
  }

  /** When the oldest unreferenced upload expires (created + `ttlMs`), or null when there is none. */
  nextExpiry(ttlMs: number): number | null {
    const oldest = this.#db
      .select({ at: min(uploads.createdAt) })
      .from(uploads)
      .where(isNull(uploads.referencedAt))
      .get()?.at;
    return oldest === null || oldest === undefined ? null : oldest + ttlMs;
  }

  /** Removes the records of uploads never referenced and older than `ttlMs`; returns their ids. */
  takeExpired(ttlMs: number, now = Date.now()): string[] {
    const where = and(isNull(uploads.referencedAt), lte(uploads.createdAt, now - ttlMs));
    const ids = this.#db
      .select({ id: uploads.id })
      .from(uploads)
      .where(where)
      .all()
      .map((row) => row.id);
    if (ids.length > 0) this.#db.delete(uploads).where(inArray(uploads.id, ids)).run();
    return ids;
  }
}
