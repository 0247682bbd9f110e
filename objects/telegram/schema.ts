// Drizzle schema of the Telegram object. The bot-wide index ("bot") uses the first four tables; each
// Telegram chat's object ("chat:<telegram user id>") uses the rest.

import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Pairing codes a signed-in user asked for: single use, short-lived. */
export const pairingCodes = sqliteTable(
  "pairing_codes",
  {
    code: text("code").primaryKey(),
    user: text("user").notNull(),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
  },
  (t) => [index("pairing_codes_expires").on(t.expiresAt)],
);

/** Telegram user → edgeclaw user. */
export const links = sqliteTable(
  "links",
  {
    telegramUserId: integer("telegram_user_id").primaryKey(),
    user: text("user").notNull(),
    username: text("username"),
    linkedAt: integer("linked_at").notNull(),
  },
  (t) => [index("links_user").on(t.user)],
);

/** Update ids already accepted (Telegram retries deliveries): each is acted on once, bot-wide. */
export const seenUpdates = sqliteTable(
  "seen_updates",
  {
    updateId: integer("update_id").primaryKey(),
    at: integer("at").notNull(),
  },
  (t) => [index("seen_updates_at").on(t.at)],
);

/** `/pair` attempts per Telegram user, for the rate limit. */
export const pairAttempts = sqliteTable(
  "pair_attempts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    telegramUserId: integer("telegram_user_id").notNull(),
    at: integer("at").notNull(),
  },
  (t) => [index("pair_attempts_user").on(t.telegramUserId, t.at)],
);

/** A chat object's one row: whose chat it is and the session its messages go to. */
export const chatState = sqliteTable("chat_state", {
  id: integer("id").primaryKey(),
  user: text("user").notNull(),
  chatId: integer("chat_id").notNull(),
  /** The chosen session; null until the first message picks or makes one. */
  sessionId: text("session_id"),
});

/** Updates accepted but not yet acted on. */
export const inbox = sqliteTable("inbox", {
  updateId: integer("update_id").primaryKey(),
  /** The parsed update, JSON. */
  update: text("update").notNull(),
  attempts: integer("attempts").notNull().default(0),
});

/** The outbox: answers on their way to the chat, one row per answer. */
export const deliveries = sqliteTable("deliveries", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  /** The delivery state (channels/telegram/delivery.ts), JSON. */
  state: text("state").notNull(),
  /** No Bot API call for this delivery before this time (rate bound, 429 retry_after, backoff). */
  notBefore: integer("not_before").notNull(),
  /** Consecutive failed calls, for the backoff. */
  failures: integer("failures").notNull().default(0),
  createdAt: integer("created_at").notNull(),
});

/** Approval buttons offered in the chat: which session each tool call belongs to. */
export const offers = sqliteTable("offers", {
  toolCallId: text("tool_call_id").primaryKey(),
  sessionId: text("session_id").notNull(),
  messageId: integer("message_id").notNull(),
  label: text("label").notNull(),
});
