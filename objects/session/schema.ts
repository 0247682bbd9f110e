// Drizzle schema of a session's own SQLite: its metadata row and its append-only event log.

import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { ledgerColumns } from "../shared/ledger-columns";

/** One row (id = 1): who owns the session and what it is called. */
export const sessionMeta = sqliteTable("session_meta", {
  id: integer("id").primaryKey(),
  sessionId: text("session_id").notNull(),
  owner: text("owner").notNull(),
  title: text("title").notNull(),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
  /** Model override set by `/model`; null uses the configured default. */
  model: text("model"),
  /** What a message sent during a turn does: "queue" (next turn) or "interrupt" (cancel and restart). */
  queueMode: text("queue_mode").notNull().default("queue"),
  /** The A/B variant this session was assigned at creation, if an experiment ran. */
  variant: text("variant"),
  /** Gateway cache TTL in seconds (0 skips the cache); null uses LLM_CACHE_TTL. */
  cacheTtl: integer("cache_ttl"),
  /** Approval policy of the exec tool: "ask", "auto" or "deny"; null uses EXEC_POLICY. */
  execPolicy: text("exec_policy"),
  /** Reasoning effort set by `/think`: "off", "low" or "high"; null leaves the model's default. */
  thinkLevel: text("think_level"),
});

/** Every durable event, in order. `seq` is the session-wide, gapless sequence number. */
export const events = sqliteTable(
  "events",
  {
    seq: integer("seq").primaryKey(),
    type: text("type").notNull(),
    /** The event's payload as JSON (without type, seq and at). */
    data: text("data").notNull(),
    /** The client-chosen id of a user_message; unique, which makes sends idempotent. */
    clientId: text("client_id").unique(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("events_type_seq").on(t.type, t.seq)],
);

/** Turns: queued, running, or ended. A running row with no runner in memory was interrupted by a reset. */
export const turns = sqliteTable(
  "turns",
  {
    id: text("id").primaryKey(),
    status: text("status", { enum: ["queued", "running", "ended"] }).notNull(),
    /** Why it ended (turn_end's reason). */
    reason: text("reason"),
    /** The model it ran with. */
    model: text("model"),
    createdAt: integer("created_at").notNull(),
    startedAt: integer("started_at"),
    endedAt: integer("ended_at"),
  },
  (t) => [index("turns_status").on(t.status, t.createdAt)],
);

/** One row per provider attempt of this session's turns: the session's own usage ledger. */
export const ledger = sqliteTable("ledger", ledgerColumns(), (t) => [index("ledger_turn").on(t.turn)]);

/** Scheduled tasks: a prompt run as a turn once at a time, or on a cron schedule in a time zone. */
export const tasks = sqliteTable("tasks", {
  id: text("id").primaryKey(),
  prompt: text("prompt").notNull(),
  /** A cron expression; null for a one-off task. */
  cron: text("cron"),
  timeZone: text("time_zone").notNull(),
  paused: integer("paused", { mode: "boolean" }).notNull().default(false),
  /** When it runs next (epoch ms); null once a one-off task has run. */
  nextRunAt: integer("next_run_at"),
  lastRunAt: integer("last_run_at"),
  createdAt: integer("created_at").notNull(),
  createdBy: text("created_by").notNull(),
});

/** Files users uploaded into the session; the bytes are in R2 under the session's `uploads/` prefix. */
export const uploads = sqliteTable(
  "uploads",
  {
    id: text("id").primaryKey(),
    /** Safe and unique within the session: the file lands at `uploads/<name>` in the workspace. */
    name: text("name").notNull().unique(),
    mime: text("mime").notNull(),
    size: integer("size").notNull(),
    createdAt: integer("created_at").notNull(),
    /** When a message first listed it; null uploads are removed after UPLOAD_UNREFERENCED_HOURS. */
    referencedAt: integer("referenced_at"),
    /** When it was copied into the workspace; null until a turn's first tool call copies it. */
    copiedAt: integer("copied_at"),
  },
  (t) => [index("uploads_unreferenced").on(t.referencedAt, t.createdAt)],
);
