// Identity options: the Access team and application, the local issuer switch, admins and socket origins.

import { configError, list, type VarsOf } from "./read";
import { parseServiceTokenUsers } from "./service-tokens";

export const AUTH_VARIABLES = [
  "ACCESS_TEAM_DOMAIN",
  "ACCESS_AUD",
  "DEV_AUTH",
  "ADMIN_EMAILS",
  "ADMIN_GROUPS",
  "ALLOWED_ORIGINS",
  "SERVICE_TOKEN_USERS",
] as const;
export type AuthVars = VarsOf<typeof AUTH_VARIABLES>;

export interface AuthConfig {
  /** Access team domain, normalised (https, no trailing slash); null only when DEV_AUTH serves identity. */
  teamDomain: string | null;
  /** The Access application's AUD tag. */
  audience: string | null;
  /** DEV_AUTH=1: the worker may act as its own issuer on loopback. */
  devAuth: boolean;
  adminEmails: Set<string>;
  adminGroups: Set<string>;
  /** Origins allowed to open a WebSocket; empty means the request's own origin only. */
  allowedOrigins: Set<string>;
  /** SERVICE_TOKEN_USERS: an Access service token's common_name → the user (email) it acts for. */
  serviceTokenUsers: ReadonlyMap<string, string>;
}

function parseTeamDomain(value: string | undefined): string | null {
  if (value === undefined || value === "") return null;
  let url: URL;
  try {
    url = new URL(value.includes("://") ? value : `https://${value}`);
  } catch {
    throw configError("ACCESS_TEAM_DOMAIN", `is not a URL (got "${value}")`);
  }
  const loopback = url.hostname === "127.0.0.1" || url.hostname === "localhost";
  if (url.protocol !== "https:" && !(loopback && url.protocol === "http:")) {
    throw configError("ACCESS_TEAM_DOMAIN", "must use https (http only on loopback)");
  }
  if (url.pathname !== "/" || url.search !== "") throw configError("ACCESS_TEAM_DOMAIN", "must be an origin only");
  return url.origin;
}

function parseOrigins(value: string | undefined): Set<string> {
  const origins = new Set<string>();
  for (const item of list(value, false)) {
    try {
      origins.add(new URL(item).origin);
    } catch {
      throw configError("ALLOWED_ORIGINS", `has an entry that is not an origin: "${item}"`);
    }
  }
  return origins;
}

/** DEV_AUTH alone: the other schemas' development allowances depend on it. */
export function parseDevAuth(vars: AuthVars): boolean {
  const raw = vars.DEV_AUTH ?? "";
  if (!["", "0", "1"].includes(raw)) throw configError("DEV_AUTH", `must be 1 or 0 (got "${raw}")`);
  return raw === "1";
}

export function parseAuth(vars: AuthVars): AuthConfig {
  const devAuth = parseDevAuth(vars);
  const teamDomain = parseTeamDomain(vars.ACCESS_TEAM_DOMAIN);
  const audience = vars.ACCESS_AUD?.trim() || null;
  if (!devAuth && teamDomain === null) throw configError("ACCESS_TEAM_DOMAIN", "is required (or DEV_AUTH=1 locally)");
  if (!devAuth && audience === null) throw configError("ACCESS_AUD", "is required (or DEV_AUTH=1 locally)");
  return {
    teamDomain,
    audience,
    devAuth,
    adminEmails: list(vars.ADMIN_EMAILS, true),
    adminGroups: list(vars.ADMIN_GROUPS, false),
    allowedOrigins: parseOrigins(vars.ALLOWED_ORIGINS),
    serviceTokenUsers: parseServiceTokenUsers(vars.SERVICE_TOKEN_USERS),
  };
}
