// Personal API key rows: a user's own list in their directory, and the hash → user rows of the key index.

import { eq } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import { type ApiKeyInfo, MAX_API_KEYS } from "../../protocol/api-keys";
import { apiKeys } from "./schema";

/** A stored key: its hash and owner, never the key. */
export type ApiKeyRow = typeof apiKeys.$inferSelect;

function info(row: ApiKeyRow): ApiKeyInfo {
  return { id: row.id, name: row.name, prefix: row.prefix, createdAt: row.createdAt, lastUsedAt: row.lastUsedAt };
}

export class ApiKeyStore {
  readonly #db: DrizzleSqliteDODatabase;

  constructor(db: DrizzleSqliteDODatabase) {
    this.#db = db;
  }

  list(): ApiKeyInfo[] {
    return this.#db.select().from(apiKeys).orderBy(apiKeys.createdAt).all().map(info);
  }

  /** Adds a key of this user; null when they already have {@link MAX_API_KEYS}. */
  insert(row: ApiKeyRow, limit = MAX_API_KEYS): ApiKeyInfo | null {
    const count = this.#db.select({ id: apiKeys.id }).from(apiKeys).all().length;
    if (count >= limit) return null;
    this.#db.insert(apiKeys).values(row).run();
    return info(row);
  }

  /** Removes a key by id; the removed row (its hash, for the index) or null. */
  remove(id: string): ApiKeyRow | null {
    return this.#db.delete(apiKeys).where(eq(apiKeys.id, id)).returning().get() ?? null;
  }

  removeByHash(hash: string): boolean {
    return this.#db.delete(apiKeys).where(eq(apiKeys.hash, hash)).returning({ id: apiKeys.id }).all().length > 0;
  }

  byHash(hash: string): ApiKeyRow | null {
    return this.#db.select().from(apiKeys).where(eq(apiKeys.hash, hash)).get() ?? null;
  }

  touch(id: string, at: number): void {
    this.#db.update(apiKeys).set({ lastUsedAt: at }).where(eq(apiKeys.id, id)).run();
  }
}
