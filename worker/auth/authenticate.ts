// Turns a request's Access token (header, else cookie) into a verified Identity, or a 401/403/503 AppError.

import type { JWTPayload } from "jose";
import { AppError } from "../../protocol/errors";
import type { Config } from "../config";
import { AUTH_COOKIE, DEV_AUDIENCE, DEV_ISSUER, devAuthActive, devJwksFetch } from "./dev-auth";
import { groupsFromAccess, groupsFromToken } from "./groups";
import type { Identity } from "./identity";
import { verifyAccessToken } from "./jwt";

export const TOKEN_HEADER = "cf-access-jwt-assertion";

export interface Authenticated {
  identity: Identity;
  /** Where the token came from; a cookie-only socket needs a matching Origin. `api_key`: a /v1 Bearer key. */
  source: "header" | "cookie" | "api_key";
}

/** The value of one cookie, by exact name. */
export function readCookie(header: string | null, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/**
 * The user of a verified token: its email, else its service token's user from SERVICE_TOKEN_USERS, else
 * `service:<common_name>`. A service token acting for a user is never an admin by that user's email.
 */
function userOf(payload: JWTPayload, config: Config): { user: string; email: string | null; service: boolean } {
  if (typeof payload.email === "string" && payload.email.length > 0) {
    const email = payload.email.toLowerCase();
    return { user: email, email, service: false };
  }
  if (typeof payload.common_name === "string" && payload.common_name.length > 0) {
    const mapped = config.serviceTokenUsers.get(payload.common_name);
    if (mapped !== undefined) return { user: mapped, email: mapped, service: true };
    return { user: `service:${payload.common_name}`, email: null, service: true };
  }
  throw new AppError("forbidden", "the access token names no user (no email or common_name)");
}

export async function authenticate(request: Request, env: Env, config: Config): Promise<Authenticated> {
  const headerToken = request.headers.get(TOKEN_HEADER);
  const cookieToken = readCookie(request.headers.get("cookie"), AUTH_COOKIE);
  const token = headerToken || cookieToken;
  if (!token) throw new AppError("missing_token", "sign in: no Cloudflare Access token on the request");

  const dev = devAuthActive(config, request);
  const issuer = dev ? DEV_ISSUER : config.teamDomain;
  const audience = config.audience ?? (dev ? DEV_AUDIENCE : null);
  if (issuer === null) throw new AppError("config_error", "configuration error: ACCESS_TEAM_DOMAIN is required");
  if (audience === null) throw new AppError("config_error", "configuration error: ACCESS_AUD is required");

  const payload = await verifyAccessToken(token, {
    issuer,
    audience,
    ...(dev ? { fetchJwks: devJwksFetch(env) } : {}),
  });
  const { user, email, service } = userOf(payload, config);
  const exp = typeof payload.exp === "number" ? payload.exp : 0;
  const adminByEmail = !service && email !== null && config.adminEmails.has(email);

  let groups = groupsFromToken(payload);
  if (groups === null) {
    const needed = config.adminGroups.size > 0 && !adminByEmail && !dev && config.teamDomain !== null;
    groups = needed && config.teamDomain ? await groupsFromAccess(config.teamDomain, token, exp) : [];
  }
  const admin = adminByEmail || groups.some((group) => config.adminGroups.has(group));
  return { identity: { user, email, groups, admin, exp }, source: headerToken ? "header" : "cookie" };
}
