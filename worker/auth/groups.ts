// Access groups of a verified user: from the token when it carries them, else from Access's get-identity endpoint.

import type { JWTPayload } from "jose";
import { log } from "../../log/logger";
import { isRecord } from "../../protocol/json";

/** How long a get-identity answer is reused (never beyond the token's own expiry). */
const GROUPS_CACHE_MS = 5 * 60 * 1000;
const GROUPS_TIMEOUT_MS = 3 * 1000;

const cache = new Map<string, { groups: string[]; until: number }>();

function groupNames(value: unknown): string[] | null {
  if (!Array.isArray(value)) return null;
  const names: string[] = [];
  for (const item of value) {
    if (typeof item === "string") names.push(item);
    else if (isRecord(item) && typeof item.name === "string") names.push(item.name);
  }
  return names;
}

/** Groups named in the token itself (dev issuer, or Access custom claims); null when it carries none. */
export function groupsFromToken(payload: JWTPayload): string[] | null {
  return groupNames(payload.groups);
}

/**
 * Asks Access who the token's user is (`/cdn-cgi/access/get-identity`) and reads their groups.
 * Cached per token for a few minutes; a failed lookup yields no groups (never admin by group).
 */
export async function groupsFromAccess(teamDomain: string, token: string, exp: number): Promise<string[]> {
  const now = Date.now();
  const hit = cache.get(token);
  if (hit && hit.until > now) return hit.groups;
  let groups: string[] = [];
  try {
    const response = await fetch(`${teamDomain}/cdn-cgi/access/get-identity`, {
      headers: { cookie: `CF_Authorization=${token}` },
      signal: AbortSignal.timeout(GROUPS_TIMEOUT_MS),
    });
    if (response.ok) {
      const body: unknown = await response.json();
      groups = (isRecord(body) && groupNames(body.groups)) || [];
    }
  } catch (error) {
    log.warn("get-identity failed", { error: String(error) });
  }
  if (cache.size > 1000) cache.clear();
  cache.set(token, { groups, until: Math.min(now + GROUPS_CACHE_MS, exp * 1000) });
  return groups;
}
