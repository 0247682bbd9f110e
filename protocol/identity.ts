// The verified caller: who they are, whether they are an admin, and the header that carries them from the edge to a Durable Object.

import { isRecord, stringArray } from "./json";

/** A caller whose Access token was verified. */
export interface Identity {
  /** The user key: the lower-cased email, or `service:<common_name>` for a service token. */
  user: string;
  /** The email, when the token has one. */
  email: string | null;
  /** Access groups, when known (dev tokens, custom claims, or the get-identity endpoint). */
  groups: string[];
  /** Whether the caller is an admin by email or group. */
  admin: boolean;
  /** The token's `exp` (epoch seconds): a socket is closed once it passes. */
  exp: number;
}

/** The header that carries the verified identity from the worker to a Durable Object. Stripped from clients. */
export const IDENTITY_HEADER = "x-edgeclaw-identity";

/** Header prefixes a client may never set: ours, and partyserver's (props, room, namespace). */
const RESERVED_HEADER_PREFIXES = ["x-edgeclaw-", "x-partykit-"];

/** A copy of `headers` without any reserved header a client could use to claim an identity. */
export function stripReservedHeaders(headers: Headers): Headers {
  const clean = new Headers();
  for (const [name, value] of headers) {
    if (!RESERVED_HEADER_PREFIXES.some((prefix) => name.toLowerCase().startsWith(prefix))) clean.append(name, value);
  }
  return clean;
}

export function encodeIdentity(identity: Identity): string {
  return encodeURIComponent(JSON.stringify(identity));
}

/** Reads the identity the worker set; null when absent or malformed (the DO then refuses the request). */
export function decodeIdentity(value: string | null): Identity | null {
  if (value === null) return null;
  try {
    const parsed: unknown = JSON.parse(decodeURIComponent(value));
    if (!isRecord(parsed)) return null;
    const { user, email, groups, admin, exp } = parsed;
    if (typeof user !== "string" || typeof admin !== "boolean" || typeof exp !== "number") return null;
    return {
      user,
      email: typeof email === "string" ? email : null,
      groups: stringArray(groups),
      admin,
      exp,
    };
  } catch {
    return null;
  }
}
