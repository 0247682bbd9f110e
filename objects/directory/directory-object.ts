// A directory Durable Object: one per user (their sessions, memory, skills, MCP servers, push) and one admin
// index (every session, the audit log). A thin shell: each concern is a store over the object's SQLite.

import { DurableObject } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/durable-sqlite";
import type { PushNotice } from "../../agent/push/notice";
import type { PushConfig, PushSlice } from "../../config/push";
import migrations from "../../migrations/directory/migrations.js";
import type { MemoryKind, MemoryNote, Skill } from "../../protocol/api";
import type { ApiKeyInfo } from "../../protocol/api-keys";
import { AlarmMultiplexer } from "../shared/alarms";
import { migrate } from "../shared/migrate";
import { type ApiKeyRow, ApiKeyStore } from "./api-key-store";
import { type AuditEntry, AuditStore } from "./audit-store";
import { type McpServerPatch, type McpServerRow, McpStore } from "./mcp-store";
import { NotesStore } from "./notes-store";
import { type DispatchDeps, type DispatchResult, dispatch, retryDue } from "./push-dispatch";
import { type PushPreferences, PushStore, type PushSubscriptionInfo, type PushSubscriptionRow } from "./push-store";
import type { DirectoryRpc } from "./rpc";
import {
  type NewSessionEntry,
  type SessionEntry,
  type SessionFlags,
  type SessionListPage,
  SessionListStore,
} from "./session-list-store";
import { SkillStore } from "./skill-store";

/** The directory's alarm booking for the push retries that are due next. */
const PUSH_RETRY_ALARM = "push-retry";

export class DirectoryObject extends DurableObject<Env> implements DirectoryRpc {
  readonly #db = drizzle(this.ctx.storage);
  readonly #sessions = new SessionListStore(this.#db);
  readonly #audit = new AuditStore(this.#db);
  readonly #notes = new NotesStore(this.#db);
  readonly #skills = new SkillStore(this.#db);
  readonly #mcp = new McpStore(this.#db);
  readonly #push = new PushStore(this.#db);
  readonly #alarms = new AlarmMultiplexer(this.ctx.storage).handle(PUSH_RETRY_ALARM, async () => {
    const deps = this.#pushDeps();
    if (deps) await retryDue(deps);
  });
  readonly #apiKeys = new ApiKeyStore(this.#db);
  readonly #pushConfig: PushConfig | null;

  /** `config` is the worker's push slice, handed in by the class wrangler binds (worker/objects.ts). */
  constructor(ctx: DurableObjectState, env: Env, config: PushSlice) {
    super(ctx, env);
    this.#pushConfig = config.push;
    void ctx.blockConcurrencyWhile(async () => {
      migrate(ctx.storage, migrations);
    });
  }

  // ---- sessions -----------------------------------------------------------------

  async put(entry: NewSessionEntry): Promise<void> {
    this.#sessions.put(entry);
  }

  async get(id: string): Promise<SessionEntry | null> {
    return this.#sessions.get(id);
  }

  async remove(id: string): Promise<boolean> {
    return this.#sessions.remove(id);
  }

  async rename(id: string, title: string, updatedAt: number): Promise<SessionEntry | null> {
    return this.#sessions.rename(id, title, updatedAt);
  }

  async setFlags(id: string, flags: SessionFlags): Promise<SessionEntry | null> {
    return this.#sessions.setFlags(id, flags);
  }

  async searchTitles(text: string, limit: number): Promise<SessionEntry[]> {
    return this.#sessions.searchTitles(text, limit);
  }

  async list(limit: number, cursor: string | null, archived: boolean | null = false): Promise<SessionListPage> {
    return this.#sessions.list(limit, cursor, archived);
  }

  // ---- audit (admin index) ----------------------------------------------------------

  async recordAudit(entry: AuditEntry): Promise<void> {
    this.#audit.record(entry);
  }

  async auditLog(limit: number, before: number | null): Promise<(AuditEntry & { id: number })[]> {
    return this.#audit.page(limit, before);
  }

  // ---- memory and skills ------------------------------------------------------------

  async memoryList(): Promise<MemoryNote[]> {
    return this.#notes.list();
  }

  async memoryWrite(kind: MemoryKind, text: string, id?: number): Promise<MemoryNote | null> {
    return this.#notes.write(kind, text, id);
  }

  async memoryDelete(id: number): Promise<boolean> {
    return this.#notes.remove(id);
  }

  async memorySearch(query: string, limit = 20): Promise<MemoryNote[]> {
    return this.#notes.search(query, limit);
  }

  async promptContext(): Promise<{ notes: MemoryNote[]; skills: Omit<Skill, "body">[] }> {
    return { notes: this.#notes.list(), skills: this.#skills.list() };
  }

  async skillList(): Promise<Omit<Skill, "body">[]> {
    return this.#skills.list();
  }

  async skillGet(name: string): Promise<Skill | null> {
    return this.#skills.get(name);
  }

  async skillPut(skill: Omit<Skill, "updatedAt">): Promise<Skill> {
    return this.#skills.put(skill);
  }

  async skillDelete(name: string): Promise<boolean> {
    return this.#skills.remove(name);
  }

  // ---- MCP servers (secrets still encrypted; only agent/mcp opens them) ---------------

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

  // ---- Web Push ---------------------------------------------------------------------

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
    const push = this.#pushConfig;
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
}
