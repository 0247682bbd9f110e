// A user's MCP server rows in their directory object; secrets stay as the ciphertext they arrive as.

import { and, eq, gt } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import type { McpServerPatch, McpServerRow } from "../../agent/mcp/account";
import { mcpServers } from "./schema";

/** A stored server, secrets still encrypted. */
export type { McpServerPatch, McpServerRow };

/** Most servers a user keeps. */
export const MAX_MCP_SERVERS = 50;

export class McpStore {
  readonly #db: DrizzleSqliteDODatabase;

  constructor(db: DrizzleSqliteDODatabase) {
    this.#db = db;
  }

  list(): McpServerRow[] {
    return this.#db.select().from(mcpServers).orderBy(mcpServers.createdAt).all();
  }

  get(id: string): McpServerRow | null {
    return this.#db.select().from(mcpServers).where(eq(mcpServers.id, id)).get() ?? null;
  }

  /** Adds a server; null when the name is taken or the user has too many. */
  insert(row: McpServerRow): McpServerRow | null {
    const rows = this.list();
    if (rows.length >= MAX_MCP_SERVERS || rows.some((r) => r.name === row.name)) return null;
    this.#db.insert(mcpServers).values(row).run();
    return row;
  }

  update(id: string, patch: McpServerPatch): McpServerRow | null {
    if (Object.keys(patch).length > 0) this.#db.update(mcpServers).set(patch).where(eq(mcpServers.id, id)).run();
    return this.get(id);
  }

  remove(id: string): boolean {
    return this.#db.delete(mcpServers).where(eq(mcpServers.id, id)).returning({ id: mcpServers.id }).all().length > 0;
  }

  /** The server waiting for this OAuth state (by hash) if it has not expired; the state is used up either way. */
  takeState(stateHash: string, now: number): McpServerRow | null {
    const row =
      this.#db
        .select()
        .from(mcpServers)
        .where(and(eq(mcpServers.oauthState, stateHash), gt(mcpServers.oauthStateExpires, now)))
        .get() ?? null;
    this.#db
      .update(mcpServers)
      .set({ oauthState: null, oauthStateExpires: null })
      .where(eq(mcpServers.oauthState, stateHash))
      .run();
    return row;
  }
}
