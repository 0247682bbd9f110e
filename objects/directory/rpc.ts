// The directory object's RPC surface, by concern: what the edge, the session objects and the agent's ports may call.

import type { McpDirectory } from "../../agent/mcp/account";
import type { PushNotice } from "../../agent/push/notice";
import type { MemoryKind, MemoryNote, Skill } from "../../protocol/api";
import type { ApiKeyInfo } from "../../protocol/api-keys";
import type { ApiKeyRow } from "./api-key-store";
import type { AuditEntry } from "./audit-store";
import type { DispatchResult } from "./push-dispatch";
import type { PushPreferences, PushSubscriptionInfo, PushSubscriptionRow } from "./push-store";
import type { NewSessionEntry, SessionEntry, SessionFlags, SessionListPage } from "./session-list-store";

/** A user's session list (`user:<user>`) and the admin index (`index:all`). */
export interface SessionListRpc {
  put(entry: NewSessionEntry): Promise<void>;
  setFlags(id: string, flags: SessionFlags): Promise<SessionEntry | null>;
  /** Sessions whose title contains the text (case-insensitive). */
  searchTitles(text: string, limit: number): Promise<SessionEntry[]>;
  get(id: string): Promise<SessionEntry | null>;
  remove(id: string): Promise<boolean>;
  rename(id: string, title: string, updatedAt: number): Promise<SessionEntry | null>;
  /** `archived`: false (default) the active ones, true the archived ones, null all. */
  list(limit: number, cursor: string | null, archived?: boolean | null): Promise<SessionListPage>;
}

/** The admin index's audit log. */
export interface AuditRpc {
  /** Appends an admin action to the audit log (admin index only). */
  recordAudit(entry: AuditEntry): Promise<void>;
  /** Newest first; `before` is an entry id to page from. */
  auditLog(limit: number, before: number | null): Promise<(AuditEntry & { id: number })[]>;
}

/** A user's memory notes and skills (the memory tools' `MemoryStore` and `SkillStore` ports). */
export interface MemoryRpc {
  /** Every note, directives first, then facts, then daily notes newest first. */
  memoryList(): Promise<MemoryNote[]>;
  /** Adds a note (or replaces note `id`); null when the user has too many notes. */
  memoryWrite(kind: MemoryKind, text: string, id?: number): Promise<MemoryNote | null>;
  memoryDelete(id: number): Promise<boolean>;
  /** Notes containing every word of the query (case-insensitive), newest first. */
  memorySearch(query: string, limit?: number): Promise<MemoryNote[]>;
  /** What a turn's system prompt carries for this user, in one call: notes and skills offered. */
  promptContext(): Promise<{ notes: MemoryNote[]; skills: Omit<Skill, "body">[] }>;
  /** Every skill's name and description (what the model is offered). */
  skillList(): Promise<Omit<Skill, "body">[]>;
  skillGet(name: string): Promise<Skill | null>;
  skillPut(skill: Omit<Skill, "updatedAt">): Promise<Skill>;
  skillDelete(name: string): Promise<boolean>;
}

/** A user's Web Push subscriptions and the notices sent to them. */
export interface PushRpc {
  /** Adds or refreshes a subscription; null when the user has too many. */
  pushSubscribe(
    input: Omit<PushSubscriptionRow, "id" | "createdAt" | "lastPushAt">,
  ): Promise<PushSubscriptionInfo | null>;
  pushList(): Promise<PushSubscriptionInfo[]>;
  pushRemove(id: string): Promise<boolean>;
  pushPreferences(): Promise<PushPreferences>;
  pushSetPreferences(prefs: PushPreferences): Promise<PushPreferences>;
  /** Sends a notice to every subscription of this user (per their preferences); never throws for a push failure. */
  pushNotify(notice: PushNotice): Promise<DispatchResult>;
}

/** Personal API keys: a user's own (`user:<user>`), and the index shards that find a key by its hash. */
export interface ApiKeyRpc {
  apiKeyList(): Promise<ApiKeyInfo[]>;
  /** Adds a key (a user's directory: null when they have too many; an index shard: no limit). */
  apiKeyInsert(row: ApiKeyRow, limited: boolean): Promise<ApiKeyInfo | null>;
  /** Removes a key of this user by id; its row (for the index) or null. */
  apiKeyRemove(id: string): Promise<ApiKeyRow | null>;
  apiKeyRemoveHash(hash: string): Promise<boolean>;
  /** The key with this hash (an index shard), or null. */
  apiKeyLookup(hash: string): Promise<ApiKeyRow | null>;
  apiKeyTouch(id: string, at: number): Promise<void>;
}

/** Everything a directory object answers over RPC. */
export interface DirectoryRpc extends SessionListRpc, AuditRpc, MemoryRpc, McpDirectory, PushRpc, ApiKeyRpc {}
