// The session's append-only event log: assigns the next seq, stores the event, and reads it back in pages.

import { and, asc, count, desc, eq, gt, inArray, max, or, sql } from "drizzle-orm";
import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import { AppError } from "../../protocol/errors";
import type { EventPayloads, EventType, SessionEvent } from "../../protocol/frames";
import { isRecord } from "../../protocol/json";
import { events } from "./schema";

/** Largest stored payload (JSON, UTF-16 units ≈ bytes for text); rows stay far below SQLite's 2 MB limit. */
export const MAX_EVENT_JSON_LENGTH = 512 * 1024;
/** Events read per page when replaying or listing. */
export const PAGE_SIZE = 500;

/** Event types that make up the transcript (what GET /messages returns). */
export const TRANSCRIPT_TYPES = ["user_message", "assistant_message", "tool_call", "tool_result"] as const;

type Row = typeof events.$inferSelect;

function toEvent(row: Row): SessionEvent {
  const data: unknown = JSON.parse(row.data);
  // The payload was validated when it was appended; the row's own columns win over anything in it.
  return { ...(isRecord(data) ? data : {}), type: row.type, seq: row.seq, at: row.createdAt } as SessionEvent;
}

/** An event's frame from its stored columns: the payload's JSON as stored, after the row's own fields. */
function frameOf(type: string, seq: number, at: number, data: string): string {
  const head = `{"type":${JSON.stringify(type)},"seq":${seq},"at":${at}`;
  return data.length > 2 ? `${head},${data.slice(1)}` : `${head}}`;
}

/**
 * The statements run on every event, each built once per log on its first use (building a Drizzle query costs
 * more than running it; a wake that only replays builds none of them). Module-level, so a log holds no closures.
 */
const STATEMENTS = {
  insert: (db: DrizzleSqliteDODatabase) =>
    db
      .insert(events)
      .values({
        seq: sql.placeholder("seq"),
        type: sql.placeholder("type"),
        data: sql.placeholder("data"),
        clientId: sql.placeholder("clientId"),
        createdAt: sql.placeholder("createdAt"),
      })
      .prepare(),
  bySeqOfClientId: (db: DrizzleSqliteDODatabase) =>
    db
      .select({ seq: events.seq })
      .from(events)
      .where(eq(events.clientId, sql.placeholder("clientId")))
      .prepare(),
  latestOfType: (db: DrizzleSqliteDODatabase) =>
    db
      .select()
      .from(events)
      .where(eq(events.type, sql.placeholder("type")))
      .orderBy(desc(events.seq))
      .limit(1)
      .prepare(),
};

/** The events of some types after a seq, kept in memory and followed by the appends of those types. */
interface KeptRead {
  types: ReadonlySet<EventType>;
  after: number;
  events: SessionEvent[];
}

type Builders = typeof STATEMENTS;
type Prepared = { [K in keyof Builders]?: ReturnType<Builders[K]> };

export class EventLog {
  readonly #db: DrizzleSqliteDODatabase;
  readonly #prepared: Prepared = {};
  /** Reads kept with `allOf(…, { keep: true })`, by their types, and followed by every append. */
  readonly #kept = new Map<string, KeptRead>();
  /** Whether a message was ever edited or an answer regenerated: read once, then followed by the appends. */
  #revised: boolean | undefined;
  #lastSeq: number;

  constructor(db: DrizzleSqliteDODatabase) {
    this.#db = db;
    this.#lastSeq =
      db
        .select({ seq: max(events.seq) })
        .from(events)
        .get()?.seq ?? 0;
  }

  /** The newest stored seq (0 when empty). */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /**
   * Stores the next event and returns it. Synchronous: no other event can interleave, and the output
   * gate holds any frame sent afterwards until the write is durable.
   */
  append<K extends EventType>(type: K, payload: EventPayloads[K], clientId?: string): SessionEvent {
    return this.record(type, payload, clientId).event;
  }

  /**
   * `append`, also returning the event as the frame the devices get: built from the stored JSON (the payload
   * is serialised once, for the table and every device).
   */
  record<K extends EventType>(
    type: K,
    payload: EventPayloads[K],
    clientId?: string,
  ): { event: SessionEvent; frame: string } {
    const data = JSON.stringify(payload);
    if (data.length > MAX_EVENT_JSON_LENGTH) {
      throw new AppError("payload_too_large", `a ${type} event is limited to ${MAX_EVENT_JSON_LENGTH} characters`);
    }
    const seq = this.#lastSeq + 1;
    const createdAt = Date.now();
    this.#prepared.insert ??= STATEMENTS.insert(this.#db);
    this.#prepared.insert.run({ seq, type, data, clientId: clientId ?? null, createdAt });
    this.#lastSeq = seq;
    const event = { ...payload, type, seq, at: createdAt } as SessionEvent;
    for (const kept of this.#kept.values()) if (kept.types.has(type)) kept.events.push(event);
    if (type === "regenerate" || (event.type === "user_message" && event.editOf !== undefined)) this.#revised = true;
    return { event, frame: frameOf(type, seq, createdAt, data) };
  }

  /** The seq of the user_message stored with this client id, if any. */
  seqOfClientId(clientId: string): number | undefined {
    this.#prepared.bySeqOfClientId ??= STATEMENTS.bySeqOfClientId(this.#db);
    return this.#prepared.bySeqOfClientId.get({ clientId })?.seq;
  }

  #rowsAfter(after: number, limit: number): Row[] {
    return this.#db.select().from(events).where(gt(events.seq, after)).orderBy(asc(events.seq)).limit(limit).all();
  }

  /** Up to `limit` events with seq > `after`, in order. */
  after(after: number, limit = PAGE_SIZE): SessionEvent[] {
    return this.#rowsAfter(after, limit).map(toEvent);
  }

  /**
   * The same events as `after`, already serialised as frames: built from the stored JSON without parsing
   * it again (the replay of a long history is mostly this).
   */
  framesAfter(after: number, limit = PAGE_SIZE): { seq: number; frame: string }[] {
    return this.#rowsAfter(after, limit).map((row) => ({
      seq: row.seq,
      frame: frameOf(row.type, row.seq, row.createdAt, row.data),
    }));
  }

  /** Transcript events (messages and tool calls) with seq > `after`, in order. */
  transcript(after: number, limit: number): SessionEvent[] {
    return this.#db
      .select()
      .from(events)
      .where(and(gt(events.seq, after), inArray(events.type, [...TRANSCRIPT_TYPES])))
      .orderBy(asc(events.seq))
      .limit(limit)
      .all()
      .map(toEvent);
  }

  /** The newest event of a type, if any. */
  latest<K extends EventType>(type: K): Extract<SessionEvent, { type: K }> | undefined {
    this.#prepared.latestOfType ??= STATEMENTS.latestOfType(this.#db);
    const row = this.#prepared.latestOfType.get({ type });
    return row ? (toEvent(row) as Extract<SessionEvent, { type: K }>) : undefined;
  }

  /**
   * Every event of the given types after `after`, read in pages. With `keep`, the events are kept in memory
   * and every later append of those types joins them, so the next read of the same types (a turn reads its
   * context every step and every turn) queries nothing; the kept events before `after` are let go (a context
   * only moves forward), and a read from before them reads the table again.
   */
  allOf(types: readonly EventType[], after: number, options: { keep?: boolean } = {}): SessionEvent[] {
    if (!options.keep) return this.#read(types, after);
    const key = types.join(",");
    let kept = this.#kept.get(key);
    if (!kept || after < kept.after) {
      kept = { types: new Set(types), after, events: this.#read(types, after) };
      this.#kept.set(key, kept);
    } else if (after > kept.after) {
      const first = kept.events.findIndex((event) => event.seq > after);
      kept.events = first < 0 ? [] : kept.events.slice(first);
      kept.after = after;
    }
    return [...kept.events];
  }

  #read(types: readonly EventType[], after: number): SessionEvent[] {
    const out: SessionEvent[] = [];
    for (;;) {
      const page = this.#db
        .select()
        .from(events)
        .where(and(gt(events.seq, after), inArray(events.type, [...types])))
        .orderBy(asc(events.seq))
        .limit(PAGE_SIZE)
        .all();
      out.push(...page.map(toEvent));
      const last = page.at(-1);
      if (!last || page.length < PAGE_SIZE) return out;
      after = last.seq;
    }
  }

  /**
   * Whether any message of the session was edited or any answer regenerated (what a context must leave out
   * then is worked out from every user message; without any, nothing is read).
   */
  hasRevisions(): boolean {
    this.#revised ??=
      this.#db
        .select({ seq: events.seq })
        .from(events)
        .where(
          or(
            eq(events.type, "regenerate"),
            and(eq(events.type, "user_message"), sql`json_extract(${events.data}, '$.editOf') IS NOT NULL`),
          ),
        )
        .limit(1)
        .get() !== undefined;
    return this.#revised;
  }

  /** The text of the first user message that is not a command (does not start with "/"), if any. */
  firstUserText(): string | undefined {
    const row = this.#db
      .select()
      .from(events)
      .where(and(eq(events.type, "user_message"), sql`substr(json_extract(${events.data}, '$.text'), 1, 1) <> '/'`))
      .orderBy(asc(events.seq))
      .limit(1)
      .get();
    const event = row ? toEvent(row) : undefined;
    return event?.type === "user_message" ? event.text : undefined;
  }

  /** The user messages whose stored payload contains `text` (a cheap filter before reading their text). */
  userMessagesContaining(text: string): SessionEvent[] {
    return this.#db
      .select()
      .from(events)
      .where(and(eq(events.type, "user_message"), sql`instr(${events.data}, ${text}) > 0`))
      .orderBy(asc(events.seq))
      .all()
      .map(toEvent);
  }

  /** Whether a user or assistant message contains the text (case-insensitive). */
  contains(text: string): boolean {
    const row = this.#db
      .select({ seq: events.seq })
      .from(events)
      .where(
        and(
          inArray(events.type, ["user_message", "assistant_message"]),
          sql`instr(lower(${events.data}), lower(${JSON.stringify(text).slice(1, -1)})) > 0`,
        ),
      )
      .limit(1)
      .get();
    return row !== undefined;
  }

  /** Number of events of each type. */
  counts(): Record<string, number> {
    const rows = this.#db.select({ type: events.type, n: count() }).from(events).groupBy(events.type).all();
    return Object.fromEntries(rows.map((row) => [row.type, row.n]));
  }
}
