// The columns of a ledger row (one provider attempt), shared by the session's ledger and the usage objects, and
// the record type derived from them.

import { type Placeholder, sql } from "drizzle-orm";
import { integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

export function ledgerColumns() {
  return {
    id: text("id").primaryKey(),
    at: integer("at").notNull(),
    user: text("user").notNull(),
    session: text("session").notNull(),
    turn: text("turn").notNull(),
    step: integer("step").notNull(),
    attempt: integer("attempt").notNull(),
    provider: text("provider").notNull(),
    model: text("model").notNull(),
    /** The A/B variant of the session, if any. */
    variant: text("variant"),
    status: text("status", { enum: ["ok", "error"] }).notNull(),
    errorCode: text("error_code"),
    /** Uncached input only; with cache reads and writes it makes the whole prompt. */
    inputTokens: integer("input_tokens").notNull(),
    outputTokens: integer("output_tokens").notNull(),
    cacheReadTokens: integer("cache_read_tokens").notNull(),
    cacheWrite5mTokens: integer("cache_write_5m_tokens").notNull(),
    cacheWrite1hTokens: integer("cache_write_1h_tokens").notNull(),
    /** Inside outputTokens; informational. */
    reasoningTokens: integer("reasoning_tokens").notNull(),
    /** "provider", "estimated" (stream cut before its usage) or "none" (failed before any output). */
    usageSource: text("usage_source", { enum: ["provider", "estimated", "none"] }).notNull(),
    /** micro-USD; null when the model has no price (flagged, never counted as zero). */
    costMicros: integer("cost_micros"),
    /** What a cache hit saved, micro-USD. */
    savedMicros: integer("saved_micros").notNull(),
    priceVersion: text("price_version").notNull(),
    latencyMs: integer("latency_ms").notNull(),
    ttftMs: integer("ttft_ms"),
    tokensPerSecond: real("tokens_per_second"),
    cacheHit: integer("cache_hit", { mode: "boolean" }).notNull(),
    gatewayLogId: text("gateway_log_id"),
  };
}

/** The ledger columns alone as a table, only to derive the record type from (no database has it). */
const ledgerShape = sqliteTable("ledger_shape", ledgerColumns());

/** One provider attempt, as the session's meter records it and every ledger stores it. */
export type LedgerRecord = typeof ledgerShape.$inferSelect;

/** A placeholder per ledger column, named after its key: the values of a prepared insert of one record. */
export function ledgerPlaceholders(): { [K in keyof LedgerRecord]: Placeholder<K> } {
  const keys = Object.keys(ledgerColumns()) as (keyof LedgerRecord)[];
  return Object.fromEntries(keys.map((key) => [key, sql.placeholder(key)])) as {
    [K in keyof LedgerRecord]: Placeholder<K>;
  };
}
