// The turns table: queued turns wait their go, the running one is marked so a reset can be detected on wake.

import { asc, eq, inArray } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import type { EventPayloads } from "../../../protocol/frames";
import { turns } from "../schema";

export type TurnEndReason = EventPayloads["turn_end"]["reason"];
export type TurnRow = typeof turns.$inferSelect;

export class TurnStore {
  readonly #db: DrizzleSqliteDODatabase;

  constructor(db: DrizzleSqliteDODatabase) {
    this.#db = db;
  }

  /** Queues a turn; messages that arrive while one is already queued share it. */
  enqueue(): TurnRow {
    const queued = this.nextQueued();
    if (queued) return queued;
    const row: TurnRow = {
      id: crypto.randomUUID(),
      status: "queued",
      reason: null,
      model: null,
      createdAt: Date.now(),
      startedAt: null,
      endedAt: null,
    };
    this.#db.insert(turns).values(row).run();
    return row;
  }

  nextQueued(): TurnRow | undefined {
    return this.#db.select().from(turns).where(eq(turns.status, "queued")).orderBy(asc(turns.createdAt)).get();
  }

  exists(id: string): boolean {
    return this.#db.select({ id: turns.id }).from(turns).where(eq(turns.id, id)).get() !== undefined;
  }

  /** Whether a turn is queued or marked running: only then has a wake anything to recover. */
  unfinished(): boolean {
    const row = this.#db
      .select({ id: turns.id })
      .from(turns)
      .where(inArray(turns.status, ["queued", "running"]))
      .get();
    return row !== undefined;
  }

  running(): TurnRow[] {
    return this.#db.select().from(turns).where(eq(turns.status, "running")).all();
  }

  start(id: string, model: string): void {
    this.#db.update(turns).set({ status: "running", model, startedAt: Date.now() }).where(eq(turns.id, id)).run();
  }

  end(id: string, reason: TurnEndReason): void {
    this.#db.update(turns).set({ status: "ended", reason, endedAt: Date.now() }).where(eq(turns.id, id)).run();
  }
}
