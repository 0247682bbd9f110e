// Session lifecycle across objects: the session DO, its owner's directory and the admin index, kept consistent.

import { log } from "../log/logger";
import { adminIndex, sessionStub, userDirectory } from "../objects/names";

export { adminIndex, sessionStub, userDirectory };

import { assignVariant } from "../agent/ab";
import { loosens } from "../agent/tools/exec-policy";
import { getConfig } from "../config/load";
import type { ExecPolicy } from "../config/sandbox";
import type { SessionEntry, SessionListPage } from "../objects/directory/session-list-store";
import { DEFAULT_TITLE } from "../objects/session/meta-store";
import { deletePrefix, sessionPrefix } from "../objects/session/storage/keys";
import type { SessionPatchBody } from "../protocol/api";
import { AppError } from "../protocol/errors";
import type { Identity } from "../protocol/identity";
import { isRecord } from "../protocol/json";
import { createSandbox } from "../sandbox/factory";

export const MAX_TITLE_LENGTH = 200;
/** Session ids: 26 characters of lower-case base32 (128 random bits). */
const SESSION_ID = /^[a-z2-7]{26}$/;

export function newSessionId(): string {
  return sessionIdFrom(crypto.getRandomValues(new Uint8Array(17)));
}

/** A session id from at least 17 bytes (the first 130 bits, in base32). */
export function sessionIdFrom(bytes: Uint8Array): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  let bits = 0;
  let value = 0;
  let id = "";
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && id.length < 26) {
      id += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return id;
}

export function isSessionId(id: string): boolean {
  return SESSION_ID.test(id);
}

/** Reads an optional title from a request body. */
export function parseTitle(body: unknown, required: boolean): string | undefined {
  if (!isRecord(body)) throw new AppError("bad_request", "the body must be a JSON object");
  const { title } = body;
  if (title === undefined && !required) return undefined;
  if (typeof title !== "string" || title.trim().length === 0 || title.length > MAX_TITLE_LENGTH) {
    throw new AppError("bad_request", `title must be a non-empty string of at most ${MAX_TITLE_LENGTH} characters`);
  }
  return title.trim();
}

/** A checked PATCH body. */
export type SessionPatch = SessionPatchBody;

/**
 * A PATCH body: a new title, queue mode and/or cache TTL; at least one. An execPolicy looser than the
 * operator's EXEC_POLICY is refused (the operator's policy is a ceiling; a session may only tighten it).
 */
export function parseSessionPatch(body: unknown, operatorPolicy: ExecPolicy): SessionPatch {
  if (!isRecord(body)) throw new AppError("bad_request", "the body must be a JSON object");
  const { queueMode, cacheTtl, execPolicy, archived, pinned } = body;
  if (
    (archived !== undefined && typeof archived !== "boolean") ||
    (pinned !== undefined && typeof pinned !== "boolean")
  ) {
    throw new AppError("bad_request", "archived and pinned must be booleans");
  }
  if (
    execPolicy !== undefined &&
    execPolicy !== null &&
    execPolicy !== "ask" &&
    execPolicy !== "auto" &&
    execPolicy !== "deny"
  ) {
    throw new AppError("bad_request", 'execPolicy must be "ask", "auto", "deny" or null');
  }
  if (typeof execPolicy === "string" && loosens(operatorPolicy, execPolicy)) {
    throw new AppError(
      "forbidden",
      `the operator's EXEC_POLICY is "${operatorPolicy}"; a session may only make it stricter`,
    );
  }
  if (queueMode !== undefined && queueMode !== "queue" && queueMode !== "interrupt") {
    throw new AppError("bad_request", 'queueMode must be "queue" or "interrupt"');
  }
  const ttlOk =
    cacheTtl === undefined ||
    cacheTtl === null ||
    (Number.isInteger(cacheTtl) && Number(cacheTtl) >= 0 && Number(cacheTtl) <= 2_592_000);
  if (!ttlOk) throw new AppError("bad_request", "cacheTtl must be null or whole seconds from 0 to 2592000");
  const title = parseTitle(body, false);
  if ([title, queueMode, cacheTtl, execPolicy, archived, pinned].every((v) => v === undefined)) {
    throw new AppError("bad_request", "give a title, queueMode, cacheTtl, execPolicy, archived or pinned");
  }
  return {
    ...(archived === undefined ? {} : { archived }),
    ...(pinned === undefined ? {} : { pinned }),
    ...(execPolicy === undefined ? {} : { execPolicy }),
    ...(title === undefined ? {} : { title }),
    ...(queueMode === undefined ? {} : { queueMode }),
    ...(cacheTtl === undefined ? {} : { cacheTtl: cacheTtl === null ? null : Number(cacheTtl) }),
  };
}

/**
 * Creates a session: its object first (idempotent), then the owner's directory and the admin index at
 * once (neither reads the other), so a session is listed only once it exists and both list it at 201.
 * `id` is given only for a session named by an idempotency key (see sessionIdFor); otherwise it is random.
 */
export async function createSession(
  env: Env,
  identity: Identity,
  title: string | undefined,
  id: string = newSessionId(),
): Promise<SessionEntry> {
  const now = Date.now();
  const experiment = getConfig(env).metering.experiment;
  const entry: SessionEntry = {
    id,
    owner: identity.user,
    title: title ?? DEFAULT_TITLE,
    createdAt: now,
    updatedAt: now,
    archived: false,
    pinned: false,
  };
  const variant = experiment ? await assignVariant(experiment, entry.id) : null;
  await sessionStub(env, entry.id).initialize({ ...entry, ...(variant ? { variant } : {}) });
  await Promise.all([userDirectory(env, identity.user).put(entry), adminIndex(env).put(entry)]);
  return entry;
}

/** The caller's session, or 404 whether it does not exist or belongs to someone else. */
export async function ownedSession(env: Env, identity: Identity, id: string): Promise<SessionEntry> {
  const entry = isSessionId(id) ? await userDirectory(env, identity.user).get(id) : null;
  if (!entry) throw new AppError("session_not_found", "no such session");
  return entry;
}

/** Any session, for admins: 404 when the index does not have it. */
export async function indexedSession(env: Env, id: string): Promise<SessionEntry> {
  const entry = isSessionId(id) ? await adminIndex(env).get(id) : null;
  if (!entry) throw new AppError("session_not_found", "no such session");
  return entry;
}

/** Deletes a session: out of its owner's list first (so it 404s at once), then its storage, then the index. */
export async function deleteSession(env: Env, entry: SessionEntry): Promise<void> {
  await userDirectory(env, entry.owner).remove(entry.id);
  await sessionStub(env, entry.id).destroy();
  await adminIndex(env).remove(entry.id);
  await deletePrefix(env.FILES, sessionPrefix(entry.id));
  try {
    await createSandbox(env, getConfig(env)).destroy(entry.id);
  } catch (error) {
    // The workspace may never have existed; a sandbox that cannot be reached is recycled by its own timeout.
    log.warn("sandbox not destroyed", { session: entry.id, error: String(error) });
  }
}

export async function renameSession(env: Env, entry: SessionEntry, title: string): Promise<SessionEntry> {
  const meta = await sessionStub(env, entry.id).rename(title);
  const updatedAt = meta?.updatedAt ?? Date.now();
  await adminIndex(env).rename(entry.id, title, updatedAt);
  return (await userDirectory(env, entry.owner).rename(entry.id, title, updatedAt)) ?? entry;
}

/** Archives or pins a session in its owner's list (and the archive flag in the admin index). */
export async function setFlags(
  env: Env,
  entry: SessionEntry,
  flags: { archived?: boolean; pinned?: boolean },
): Promise<SessionEntry> {
  if (flags.archived !== undefined) await adminIndex(env).setFlags(entry.id, { archived: flags.archived });
  return (await userDirectory(env, entry.owner).setFlags(entry.id, flags)) ?? entry;
}

/** My sessions whose title or messages contain the text: titles from my directory, text from each session. */
export async function searchSessions(env: Env, identity: Identity, text: string): Promise<SessionEntry[]> {
  const directory = userDirectory(env, identity.user);
  const found = new Map((await directory.searchTitles(text, 50)).map((s) => [s.id, s]));
  let cursor: string | null = null;
  const all: SessionEntry[] = [];
  do {
    const page = await directory.list(100, cursor, null);
    all.push(...page.sessions);
    cursor = page.nextCursor;
  } while (cursor && all.length < 500);
  const hits = await Promise.all(
    all
      .filter((s) => !found.has(s.id))
      .map(async (s) => ((await sessionStub(env, s.id).containsText(text)) ? s : null)),
  );
  for (const hit of hits) if (hit) found.set(hit.id, hit);
  return [...found.values()].sort((a, b) => b.createdAt - a.createdAt);
}

/** Writes an admin action to the audit log. */
export async function recordAudit(
  env: Env,
  actor: string,
  action: string,
  target: string,
  detail: object,
): Promise<void> {
  await adminIndex(env).recordAudit({ at: Date.now(), actor, action, target, detail: JSON.stringify(detail) });
}

/** Reads `limit` and `cursor` query parameters. */
export function pageParams(url: URL, max = 100): { limit: number; cursor: string | null } {
  const raw = url.searchParams.get("limit");
  const limit = raw === null ? 50 : Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > max) {
    throw new AppError("bad_request", `limit must be an integer from 1 to ${max}`);
  }
  return { limit, cursor: url.searchParams.get("cursor") };
}

export type { SessionListPage };
