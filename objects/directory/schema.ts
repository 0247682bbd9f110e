// Drizzle schema of a directory: the sessions it lists (one user's, or everyone's for the admin index).

import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    owner: text("owner").notNull(),
    title: text("title").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    /** Archived sessions are listed only when asked for. */
    archived: integer("archived", { mode: "boolean" }).notNull().default(false),
    /** Pinned sessions come first. */
    pinned: integer("pinned", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [index("sessions_created").on(t.createdAt, t.id)],
);

/** Admin actions (kept in the admin index): who did what to what, and when. */
export const audit = sqliteTable(
  "audit",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: integer("at").notNull(),
    actor: text("actor").notNull(),
    action: text("action").notNull(),
    target: text("target").notNull(),
    /** JSON details (never a token or secret). */
    detail: text("detail").notNull(),
  },
  (t) => [index("audit_at").on(t.at)],
);

/** A user's long-term memory (kept in their own directory): directives, facts and dated daily notes. */
export const memory = sqliteTable(
  "memory",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    kind: text("kind", { enum: ["directive", "fact", "daily"] }).notNull(),
    text: text("text").notNull(),
    /** YYYY-MM-DD for daily notes. */
    day: text("day"),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("memory_kind").on(t.kind, t.updatedAt)],
);

/** A user's skills: Markdown instructions the model loads by name when it needs them. */
export const skills = sqliteTable("skills", {
  name: text("name").primaryKey(),
  description: text("description").notNull(),
  body: text("body").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/** A user's MCP servers; `secrets` is AES-GCM ciphertext (header values, OAuth client and tokens), never returned. */
export const mcpServers = sqliteTable("mcp_servers", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  url: text("url").notNull(),
  /** `auto` (Streamable HTTP, then HTTP+SSE), `streamable-http` or `sse`. */
  transport: text("transport").notNull(),
  /** Encrypted JSON of the server's secrets (see agent/mcp/secrets.ts). */
  secrets: text("secrets").notNull(),
  /** JSON approval settings: `{"default": "ask"|"auto", "tools": {name: "ask"|"auto"|"deny"}}`. */
  approval: text("approval").notNull(),
  /** `new`, `connected`, `needs_auth`, `error`. */
  status: text("status").notNull(),
  statusDetail: text("status_detail").notNull().default(""),
  /** JSON list of the tools last seen: `[{name, description}]`. */
  tools: text("tools").notNull().default("[]"),
  /** SHA-256 (hex) of the pending OAuth `state`, and when it expires. */
  oauthState: text("oauth_state"),
  oauthStateExpires: integer("oauth_state_expires"),
  createdAt: integer("created_at").notNull(),
  /** Bumped when the user changes the server or authorises it: cached connections are dropped. */
  updatedAt: integer("updated_at").notNull(),
});
/** A user's Web Push subscriptions (kept in their own directory): one per browser/device. */
export const pushSubscriptions = sqliteTable(
  "push_subscriptions",
  {
    id: text("id").primaryKey(),
    /** The push service URL; one row per endpoint (subscribing again updates it). */
    endpoint: text("endpoint").notNull(),
    p256dh: text("p256dh").notNull(),
    auth: text("auth").notNull(),
    deviceName: text("device_name").notNull(),
    createdAt: integer("created_at").notNull(),
    /** When the last push was accepted by the push service. */
    lastPushAt: integer("last_push_at"),
  },
  (t) => [uniqueIndex("push_subscriptions_endpoint").on(t.endpoint)],
);

/** A user's push preferences: one row (id 1), absent until first changed. */
export const pushPreferences = sqliteTable("push_preferences", {
  id: integer("id").primaryKey(),
  /** JSON object kind → boolean. */
  kinds: text("kinds").notNull(),
  /** "away": only when no device of the user is connected to the session; "always". */
  when: text("when", { enum: ["away", "always"] }).notNull(),
});

/** Pushes to retry (429/5xx): re-encrypted and sent again when due, by the directory's alarm. */
export const pushOutbox = sqliteTable(
  "push_outbox",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    subscriptionId: text("subscription_id").notNull(),
    /** The PushNotice as JSON. */
    notice: text("notice").notNull(),
    attempts: integer("attempts").notNull(),
    dueAt: integer("due_at").notNull(),
    /** After this the push is stale (its TTL ran out) and is dropped. */
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("push_outbox_due").on(t.dueAt)],
);

/**
 * Personal API keys for /v1, by the SHA-256 of the key (the key itself is never stored). A user's directory
 * lists their own; the key index (`apikeys:<first two hex digits of the hash>`) finds the user of a key.
 */
export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    /** SHA-256 of the key, hex. */
    hash: text("hash").notNull(),
    user: text("user").notNull(),
    name: text("name").notNull(),
    /** The key's first characters, shown to recognise it. */
    prefix: text("prefix").notNull(),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at"),
  },
  (t) => [uniqueIndex("api_keys_hash").on(t.hash)],
);
