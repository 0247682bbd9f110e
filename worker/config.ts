// Reads and validates the worker's configuration once per isolate; a bad value names its variable.

import { AppError } from "../protocol/errors";

export type LlmProvider = "openai" | "anthropic" | "workers-ai";
export type SandboxMode = "cloudflare" | "local";

/** The validated configuration. */
export interface Config {
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
  llmProvider: LlmProvider;
  llmModel: string;
  sandboxMode: SandboxMode;
}

/** The variables this module reads (all optional strings in Env). */
export type ConfigVars = Partial<
  Record<
    | "ACCESS_TEAM_DOMAIN"
    | "ACCESS_AUD"
    | "DEV_AUTH"
    | "ADMIN_EMAILS"
    | "ADMIN_GROUPS"
    | "ALLOWED_ORIGINS"
    | "LLM_PROVIDER"
    | "LLM_MODEL"
    | "SANDBOX_MODE",
    string
  >
>;

function configError(variable: string, problem: string): AppError {
  return new AppError("config_error", `configuration error: ${variable} ${problem}`);
}

function list(value: string | undefined, lower: boolean): Set<string> {
  const items = (value ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
  return new Set(lower ? items.map((item) => item.toLowerCase()) : items);
}

function oneOf<T extends string>(variable: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined || value === "") return fallback;
  const found = allowed.find((option) => option === value);
  if (found === undefined) throw configError(variable, `must be one of ${allowed.join(", ")} (got "${value}")`);
  return found;
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

/** Validates the variables; throws an AppError("config_error") naming the first bad one. */
export function parseConfig(vars: ConfigVars): Config {
  const devAuthRaw = vars.DEV_AUTH ?? "";
  if (!["", "0", "1"].includes(devAuthRaw)) throw configError("DEV_AUTH", `must be 1 or 0 (got "${devAuthRaw}")`);
  const devAuth = devAuthRaw === "1";
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
    llmProvider: oneOf("LLM_PROVIDER", vars.LLM_PROVIDER, ["openai", "anthropic", "workers-ai"] as const, "openai"),
    llmModel: vars.LLM_MODEL?.trim() || "gpt-4o-mini",
    sandboxMode: oneOf("SANDBOX_MODE", vars.SANDBOX_MODE, ["cloudflare", "local"] as const, "cloudflare"),
  };
}

const cache = new WeakMap<object, Config>();

/** The configuration for this env object, parsed once per isolate. */
export function getConfig(env: ConfigVars): Config {
  let config = cache.get(env);
  if (config === undefined) {
    config = parseConfig(env);
    cache.set(env, config);
  }
  return config;
}
