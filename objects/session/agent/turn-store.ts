// The turns table: queued turns wait their go, the running one is marked so a reset can be detected on wake.

import { asc, eq, inArray, sql } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import type { EventPayloads } from "../../../protocol/frames";
import { turns } from "../schema";

export type TurnEndReason = EventPayloads["turn_end"]["reason"];
export type TurnRow = typeof turns.$inferSelect;

/**
 * The statements a turn runs (a queued turn is looked up several times a turn), each built once per store on
 * its first use: building a Drizzle query costs more than running it.
 */
function statements(db: DrizzleSqliteDODatabase) {
  return {
    nextQueued: () =>
      db.select().from(turns).where(eq(turns.status, "queued")).orderBy(asc(turns.createdAt)).limit(1).prepare(),
    insert: () =>
      db
        .insert(turns)
        .values({
          id: sql.placeholder("id"),
          status: "queued",
          reason: null,
          model: null,
          createdAt: sql.placeholder("createdAt"),
          startedAt: null,
          endedAt: null,
        })
        .prepare(),
    start: () =>
      db
        .update(turns)
        .set({ status: "running", model: sql`${sql.placeholder("model")}`, startedAt: sql`${sql.placeholder("at")}` })
        .where(eq(turns.id, sql.placeholder("id")))
        .prepare(),
    end: () =>
      db
        .update(turns)
        .set({ status: "ended", reason: sql`${sql.placeholder("reason")}`, endedAt: sql`${sql.placeholder("at")}` })
        .where(eq(turns.id, sql.placeholder("id")))
        .prepare(),
  };
}

type Builders = ReturnType<typeof statements>;
type Prepared = { [K in keyof Builders]?: ReturnType<Builders[K]> };

export class TurnStore {
  readonly #db: DrizzleSqliteDODatabase;
  readonly #builders: Builders;
  readonly #prepared: Prepared = {};
  /**
   * The queued turn as last read or written (undefined: not read yet). Every write to the table goes through
   * this store (one per live session), and a turn asks for the queued one four times.
   */
  #queued: TurnRow | null | undefined;

  constructor(db: DrizzleSqliteDODatabase) {
    this.#db = db;
    this.#builders = statements(db);
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
    this.#prepared.insert ??= this.#builders.insert();
    this.#prepared.insert.run({ id: row.id, createdAt: row.createdAt });
    this.#queued = row;
    return { ...row };
  }

  nextQueued(): TurnRow | undefined {
    if (this.#queued === undefined) {
      this.#prepared.nextQueued ??= this.#builders.nextQueued();
      this.#queued = this.#prepared.nextQueued.get() ?? null;
    }
    return this.#queued ? { ...this.#queued } : undefined;
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
    this.#prepared.start ??= this.#builders.start();
    this.#prepared.start.run({ id, model, at: Date.now() });
    if (this.#queued?.id === id) this.#queued = null;
  }

  end(id: string, reason: TurnEndReason): void {
    this.#prepared.end ??= this.#builders.end();
    this.#prepared.end.run({ id, reason, at: Date.now() });
    if (this.#queued?.id === id) this.#queued = null;
  }
}
