// A directory of sessions: one per user (what they own) and one admin index (every session), each its own object.

import { DurableObject } from "cloudflare:workers";
import { and, desc, eq, lt, or, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/durable-sqlite";
import type { PushNotice } from "../../agent/push/notice";
import migrations from "../../migrations/directory/migrations.js";
import type { AuditEntry, MemoryKind, MemoryNote, SessionEntry, SessionListPage, Skill } from "../../protocol/api";
import type { ApiKeyInfo } from "../../protocol/api-keys";
import { getConfig } from "../../worker/config";
import { AlarmMultiplexer } from "../shared/alarms";
import { migrate } from "../shared/migrate";
import { type ApiKeyRow, ApiKeyStore } from "./api-key-store";
import { type McpServerPatch, type McpServerRow, McpStore } from "./mcp-store";
import { type DispatchDeps, type DispatchResult, dispatch, retryDue } from "./push-dispatch";
import { type PushPreferences, PushStore, type PushSubscriptionInfo, type PushSubscriptionRow } from "./push-store";
import { audit, memory, sessions, skills } from "./schema";

export type { AuditEntry, MemoryKind, MemoryNote, SessionEntry, SessionListPage, Skill };

/** What creating a session writes (flags default to false). */
export type NewSessionEntry = typeof sessions.$inferInsert;

/** The directory's RPC surface. */
export interface DirectoryRpc {
  put(entry: NewSessionEntry): Promise<void>;
  setFlags(id: string, flags: { archived?: boolean; pinned?: boolean }): Promise<SessionEntry | null>;
  /** Sessions whose title contains the text (case-insensitive). */
  searchTitles(text: string, limit: number): Promise<SessionEntry[]>;
  get(id: string): Promise<SessionEntry | null>;
  remove(id: string): Promise<boolean>;
  rename(id: string, title: string, updatedAt: number): Promise<SessionEntry | null>;
  /** `archived`: false (default) the active ones, true the archived ones, null all. */
  list(limit: number, cursor: string | null, archived?: boolean | null): Promise<SessionListPage>;
  /** Appends an admin action to the audit log (admin index only). */
  recordAudit(entry: AuditEntry): Promise<void>;
  /** Newest first; `before` is an entry id to page from. */
  auditLog(limit: number, before: number | null): Promise<(AuditEntry & { id: number })[]>;
}

/** Longest note, and most notes a user keeps. */
export const MAX_NOTE_CHARS = 4_000;
export const MAX_NOTES = 2_000;

/** The directory's alarm booking for the push retries that are due next. */
const PUSH_RETRY_ALARM = "push-retry";

/** The name of the admin index object; user directories are named `user:<user>`. */
export const ADMIN_INDEX = "index:all";

function encodeCursor(entry: SessionEntry): string {
  return `${entry.pinned ? 1 : 0}.${entry.createdAt}.${entry.id}`;
}

function decodeCursor(cursor: string | null): { pinned: boolean; createdAt: number; id: string } | null {
  const match = cursor ? /^([01])\.(\d+)\.(.+)$/.exec(cursor) : null;
  if (!match?.[1] || !match[2] || !match[3]) return null;
  return { pinned: match[1] === "1", createdAt: Number(match[2]), id: match[3] };
}

export class DirectoryObject extends DurableObject<Env> implements DirectoryRpc {
  readonly #db = drizzle(this.ctx.storage);
  readonly #mcp = new McpStore(this.#db);
  readonly #push = new PushStore(this.#db);
  readonly #alarms = new AlarmMultiplexer(this.ctx.storage).handle(PUSH_RETRY_ALARM, async () => {
    const deps = this.#pushDeps();
    if (deps) await retryDue(deps);
  });
  readonly #apiKeys = new ApiKeyStore(this.#db);

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => {
      migrate(ctx.storage, migrations);
    });
  }

  async put(entry: NewSessionEntry): Promise<void> {
    this.#db.insert(sessions).values(entry).onConflictDoUpdate({ target: sessions.id, set: entry }).run();
  }

  async get(id: string): Promise<SessionEntry | null> {
    return this.#db.select().from(sessions).where(eq(sessions.id, id)).get() ?? null;
  }

  async remove(id: string): Promise<boolean> {
    return this.#db.delete(sessions).where(eq(sessions.id, id)).returning({ id: sessions.id }).all().length > 0;
  }

  async rename(id: string, title: string, updatedAt: number): Promise<SessionEntry | null> {
    this.#db.update(sessions).set({ title, updatedAt }).where(eq(sessions.id, id)).run();
    return this.get(id);
  }

  async recordAudit(entry: AuditEntry): Promise<void> {
    this.#db.insert(audit).values(entry).run();
  }

  async auditLog(limit: number, before: number | null): Promise<(AuditEntry & { id: number })[]> {
    return this.#db
      .select()
      .from(audit)
      .where(before === null ? undefined : lt(audit.id, before))
      .orderBy(desc(audit.id))
      .limit(limit)
      .all();
  }

  /** Every note, directives first, then facts, then daily notes newest first. */
  async memoryList(): Promise<MemoryNote[]> {
    return this.#db
      .select()
      .from(memory)
      .orderBy(sql`case ${memory.kind} when 'directive' then 0 when 'fact' then 1 else 2 end`, desc(memory.updatedAt))
      .all();
  }

  /** Adds a note (or replaces note `id`); null when the user has too many notes. */
  async memoryWrite(kind: MemoryKind, text: string, id?: number): Promise<MemoryNote | null> {
    const now = Date.now();
    const note = {
      kind,
      text: text.slice(0, MAX_NOTE_CHARS),
      day: kind === "daily" ? new Date(now).toISOString().slice(0, 10) : null,
      updatedAt: now,
    };
    if (id !== undefined) {
      return this.#db.update(memory).set(note).where(eq(memory.id, id)).returning().get() ?? null;
    }
    const count = this.#db.select({ n: sql<number>`count(*)` }).from(memory).get()?.n ?? 0;
    if (Number(count) >= MAX_NOTES) return null;
    return this.#db.insert(memory).values(note).returning().get() ?? null;
  }

  async memoryDelete(id: number): Promise<boolean> {
    return this.#db.delete(memory).where(eq(memory.id, id)).returning({ id: memory.id }).all().length > 0;
  }

  /** Notes containing every word of the query (case-insensitive), newest first. */
  async memorySearch(query: string, limit = 20): Promise<MemoryNote[]> {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean).slice(0, 8);
    const all = await this.memoryList();
    return all.filter((n) => words.every((w) => n.text.toLowerCase().includes(w))).slice(0, limit);
  }

  /** What a turn's system prompt carries for this user, in one call: notes and skills offered. */
  async promptContext(): Promise<{ notes: MemoryNote[]; skills: Omit<Skill, "body">[] }> {
    return { notes: await this.memoryList(), skills: await this.skillList() };
  }

  /** Every skill's name and description (what the model is offered). */
  async skillList(): Promise<Omit<Skill, "body">[]> {
    return this.#db
      .select({ name: skills.name, description: skills.description, updatedAt: skills.updatedAt })
      .from(skills)
      .orderBy(skills.name)
      .all();
  }

  async skillGet(name: string): Promise<Skill | null> {
    return this.#db.select().from(skills).where(eq(skills.name, name)).get() ?? null;
  }

  async skillPut(skill: Omit<Skill, "updatedAt">): Promise<Skill> {
    const row = { ...skill, updatedAt: Date.now() };
    this.#db.insert(skills).values(row).onConflictDoUpdate({ target: skills.name, set: row }).run();
    return row;
  }

  async skillDelete(name: string): Promise<boolean> {
    return this.#db.delete(skills).where(eq(skills.name, name)).returning({ name: skills.name }).all().length > 0;
  }

  // ---- Web Push (a user's directory) ------------------------------------------

  /** Adds or refreshes a subscription; null when the user has too many. */
  async pushSubscribe(
    input: Omit<PushSubscriptionRow, "id" | "createdAt" | "lastPushAt">,
  ): Promise<PushSubscriptionInfo | null> {
    return this.#push.subscribe(input);
  }

  async pushList(): Promise<PushSubscriptionInfo[]> {
    return this.#push.list();
  }

  async pushRemove(id: string): Promise<boolean> {
    const removed = this.#push.remove(id);
    await this.#rearmPush(this.#push.nextDue());
    return removed;
  }

  async pushPreferences(): Promise<PushPreferences> {
    return this.#push.preferences();
  }

  async pushSetPreferences(prefs: PushPreferences): Promise<PushPreferences> {
    return this.#push.setPreferences(prefs);
  }

  /** Sends a notice to every subscription of this user (per their preferences); never throws for a push failure. */
  async pushNotify(notice: PushNotice): Promise<DispatchResult> {
    const deps = this.#pushDeps();
    if (!deps) return { sent: 0, removed: 0, retrying: 0, skipped: "no_subscriptions" };
    return dispatch(deps, notice);
  }

  /** The alarm runs what is booked: the push retries that are due (booked from the retry queue, its truth). */
  override async alarm(): Promise<void> {
    await this.#rearmPush(this.#push.nextDue());
    await this.#alarms.run();
  }

  #pushDeps(): DispatchDeps | null {
    const push = getConfig(this.env).push;
    if (!push) return null;
    return {
      store: this.#push,
      delivery: {
        vapid: push.vapid,
        allowLoopbackHttp: push.allowLoopbackHttp,
        fetch: (url, init) => fetch(url, init),
      },
      rearm: (at) => this.#rearmPush(at),
    };
  }

  async #rearmPush(at: number | null): Promise<void> {
    if (at === null) this.#alarms.cancel(PUSH_RETRY_ALARM);
    else this.#alarms.book(PUSH_RETRY_ALARM, at);
  }

  async setFlags(id: string, flags: { archived?: boolean; pinned?: boolean }): Promise<SessionEntry | null> {
    if (flags.archived === undefined && flags.pinned === undefined) return this.get(id);
    this.#db.update(sessions).set(flags).where(eq(sessions.id, id)).run();
    return this.get(id);
  }

  async searchTitles(text: string, limit: number): Promise<SessionEntry[]> {
    return this.#db
      .select()
      .from(sessions)
      .where(sql`instr(lower(${sessions.title}), lower(${text})) > 0`)
      .orderBy(desc(sessions.createdAt))
      .limit(limit)
      .all();
  }

  /** Pinned first, then newest first; keyset-paginated by (pinned, createdAt, id). Archived ones only when asked. */
  async list(limit: number, cursor: string | null, archived: boolean | null = false): Promise<SessionListPage> {
    const after = decodeCursor(cursor);
    const afterCursor = after
      ? or(
          lt(sessions.pinned, after.pinned),
          and(
            eq(sessions.pinned, after.pinned),
            or(
              lt(sessions.createdAt, after.createdAt),
              and(eq(sessions.createdAt, after.createdAt), lt(sessions.id, after.id)),
            ),
          ),
        )
      : undefined;
    const rows = this.#db
      .select()
      .from(sessions)
      .where(and(archived === null ? undefined : eq(sessions.archived, archived), afterCursor))
      .orderBy(desc(sessions.pinned), desc(sessions.createdAt), desc(sessions.id))
      .limit(limit + 1)
      .all();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { sessions: page, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
  }

  /** The user's MCP servers (secrets still encrypted; only agent/mcp opens them). */
  async mcpList(): Promise<McpServerRow[]> {
    return this.#mcp.list();
  }

  async mcpGet(id: string): Promise<McpServerRow | null> {
    return this.#mcp.get(id);
  }

  /** Null when the name is taken or the user has too many servers. */
  async mcpInsert(row: McpServerRow): Promise<McpServerRow | null> {
    return this.#mcp.insert(row);
  }

  async mcpUpdate(id: string, patch: McpServerPatch): Promise<McpServerRow | null> {
    return this.#mcp.update(id, patch);
  }

  async mcpDelete(id: string): Promise<boolean> {
    return this.#mcp.remove(id);
  }

  // ---- personal API keys (a user's directory, and the key index shards) ----------

  async apiKeyList(): Promise<ApiKeyInfo[]> {
    return this.#apiKeys.list();
  }

  /** Adds a key (a user's directory: null when they have too many; an index shard: no limit). */
  async apiKeyInsert(row: ApiKeyRow, limited: boolean): Promise<ApiKeyInfo | null> {
    return this.#apiKeys.insert(row, limited ? undefined : Number.POSITIVE_INFINITY);
  }

  /** Removes a key of this user by id; its row (for the index) or null. */
  async apiKeyRemove(id: string): Promise<ApiKeyRow | null> {
    return this.#apiKeys.remove(id);
  }

  async apiKeyRemoveHash(hash: string): Promise<boolean> {
    return this.#apiKeys.removeByHash(hash);
  }

  /** The key with this hash (an index shard), or null. */
  async apiKeyLookup(hash: string): Promise<ApiKeyRow | null> {
    return this.#apiKeys.byHash(hash);
  }

  async apiKeyTouch(id: string, at: number): Promise<void> {
    this.#apiKeys.touch(id, at);
  }

  /** The server an OAuth callback's state belongs to (unexpired, this user's); the state is used up. */
  async mcpTakeState(stateHash: string): Promise<McpServerRow | null> {
    return this.#mcp.takeState(stateHash, Date.now());
  }
}
