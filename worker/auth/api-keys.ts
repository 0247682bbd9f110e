// Personal API keys: made, hashed and found here; they authenticate only the /v1 routes.

import type { ApiKeyRow } from "../../objects/directory/api-key-store";
import type { DirectoryObject } from "../../objects/directory/directory-object";
import { type ApiKeyInfo, type CreatedApiKey, MAX_API_KEY_NAME } from "../../protocol/api-keys";
import { AppError } from "../../protocol/errors";
import { isRecord } from "../../protocol/json";
import { userDirectory } from "../sessions";
import type { Identity } from "./identity";

/** Every key starts with this, so a leaked one is easy to recognise (and to scan for). */
export const KEY_PREFIX = "eck_";
/** `eck_` and 43 base64url characters: 256 random bits. */
const KEY_FORMAT = /^eck_[A-Za-z0-9_-]{43}$/;
/** Characters of the key shown in lists. */
const SHOWN_CHARS = 8;
/** A key's lastUsedAt is written at most this often. */
const TOUCH_EVERY_MS = 60_000;
/** An API key identity carries no token expiry; this stands for "never". */
const NO_EXPIRY = Number.MAX_SAFE_INTEGER;

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The index shard that finds the user of a key hash. */
function keyIndex(env: Env, hash: string): DurableObjectStub<DirectoryObject> {
  return env.DIRECTORY.getByName(`apikeys:${hash.slice(0, 2)}`);
}

/** Reads `{"name"}` of POST /api/keys. */
export function parseKeyName(body: unknown): string {
  const name = isRecord(body) && typeof body.name === "string" ? body.name.trim() : "";
  if (name.length === 0 || name.length > MAX_API_KEY_NAME) {
    throw new AppError("bad_request", `name must be a string of 1 to ${MAX_API_KEY_NAME} characters`);
  }
  return name;
}

/** Makes a key: stored hashed in the user's directory, then in the index; the key is returned once. */
export async function createApiKey(env: Env, user: string, name: string): Promise<CreatedApiKey> {
  const key = KEY_PREFIX + base64url(crypto.getRandomValues(new Uint8Array(32)));
  const row: ApiKeyRow = {
    id: crypto.randomUUID(),
    hash: await sha256Hex(key),
    user,
    name,
    prefix: key.slice(0, KEY_PREFIX.length + SHOWN_CHARS),
    createdAt: Date.now(),
    lastUsedAt: null,
  };
  const stored = await userDirectory(env, user).apiKeyInsert(row, true);
  if (!stored) throw new AppError("conflict", "too many API keys; delete one first");
  await keyIndex(env, row.hash).apiKeyInsert(row, false);
  return { ...stored, key };
}

export async function listApiKeys(env: Env, user: string): Promise<ApiKeyInfo[]> {
  return userDirectory(env, user).apiKeyList();
}

/** Revokes a key of the user: out of the user's list, then out of the index. False when they have no such key. */
export async function revokeApiKey(env: Env, user: string, id: string): Promise<boolean> {
  const row = await userDirectory(env, user).apiKeyRemove(id);
  if (!row) return false;
  await keyIndex(env, row.hash).apiKeyRemoveHash(row.hash);
  return true;
}

/** The value of `Authorization: Bearer <value>`, or null. */
export function bearerToken(request: Request): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "");
  return match?.[1] ?? null;
}

/**
 * The user of a key, as an identity without admin rights (a key never makes anyone an admin); a key that is
 * malformed, unknown or revoked is a 401. Its last use is recorded in the background.
 */
export async function identityFromApiKey(
  env: Env,
  key: string,
  waitUntil: (promise: Promise<unknown>) => void,
): Promise<Identity> {
  if (!KEY_FORMAT.test(key)) throw new AppError("invalid_api_key", "the API key is not valid");
  const hash = await sha256Hex(key);
  const index = keyIndex(env, hash);
  const row = await index.apiKeyLookup(hash);
  // The lookup is by hash, so comparing the stored hash again only guards against a corrupted row.
  if (!row || row.hash !== hash) throw new AppError("invalid_api_key", "the API key is not valid (revoked or unknown)");
  const now = Date.now();
  if (row.lastUsedAt === null || now - row.lastUsedAt > TOUCH_EVERY_MS) {
    waitUntil(Promise.all([index.apiKeyTouch(row.id, now), userDirectory(env, row.user).apiKeyTouch(row.id, now)]));
  }
  const email = row.user.startsWith("service:") ? null : row.user;
  return { user: row.user, email, groups: [], admin: false, exp: NO_EXPIRY };
}
